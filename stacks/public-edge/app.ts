import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnElement, CfnResource, DefaultStackSynthesizer, Tags, Validations, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { NagRuleCompliance } from 'cdk-nag/lib/nag-rules';
import catalog from './aws-solutions-catalog.json';
import { stableJson } from '../../core/canonical-json';
import { PLATFORM_SCOPE, SCOPE_MARK } from '../scope-marks';
import { CLOUDFRONT_REGION, systemServedBy, type EdgePlan } from './plan';
import { PublicEdgeDistributionStack } from './distribution-stack';
import { NAG_REPORT_VERSION, type NagFinding, type NagReport } from './nag-report';
import { EdgeAwsSolutionsChecks, packRule, ruleFunction } from './nag-pack';
import { PublicEdgeOriginStack } from './origin-stack';

/** Whether this module is loaded, with what it imports (./ahead.ts loadEdgeAhead asks the helper thread). */
export function loaded(): boolean {
  return true;
}

/** Context that keeps synthesis quiet and its output free of versions, timestamps and absolute paths. */
const CONTEXT = {
  // ndc reports the findings itself (ndc check); synthesis must not fail or print on them.
  '@aws-cdk/core:failSynthOnValidationErrors': false,
  '@aws-cdk/core:appMode': 'inmemory',
};

export interface PublicEdgeApp {
  readonly app: App;
  readonly origin: PublicEdgeOriginStack;
  readonly distribution: PublicEdgeDistributionStack;
}

/** Builds the CDK app of the public edge, with cdk-nag's AwsSolutions checks as a validation plugin (./nag-pack.ts). */
export function buildPublicEdgeApp(plan: EdgePlan, outdir?: string): PublicEdgeApp {
  const app = new App({
    outdir,
    analyticsReporting: false,
    stackTraces: false,
    treeMetadata: false,
    // The CloudFormation schema validation plugin of aws-cdk-lib is separate from the policy checks;
    // ndc runs cdk-nag and its own rules instead.
    builtinCloudFormationValidation: false,
    context: CONTEXT,
  });
  // No bootstrap-version rule or parameter: the templates carry no assets and ndc pins their content.
  const synthesizer = () => new DefaultStackSynthesizer({ generateBootstrapVersionRule: false });
  const account = plan.config.account;
  const origin = new PublicEdgeOriginStack(app, plan, { env: { account, region: plan.config.region }, synthesizer: synthesizer() });
  const distribution = new PublicEdgeDistributionStack(app, plan, { env: { account, region: CLOUDFRONT_REGION }, synthesizer: synthesizer() });
  // CloudFront's standard logging needs the log bucket to exist when the distribution is created.
  distribution.addStackDependency(origin, 'the distributions log into the origin stack\'s log bucket');
  Tags.of(app).add('ndc:env', plan.envName);
  markScopes(app);
  Validations.of(app).addPlugins(new EdgeAwsSolutionsChecks(app));
  return { app, origin, distribution };
}

/** Every CloudFormation resource states its scope in its Metadata: the system it serves, else the platform (stacks/scopes.ts). */
function markScopes(app: App): void {
  for (const construct of app.node.findAll()) {
    if (!(construct instanceof CfnResource)) continue;
    let scope: string | undefined;
    for (let node: IConstruct | undefined = construct; node && scope === undefined; node = node.node.scope) scope = systemServedBy(node);
    construct.addMetadata(SCOPE_MARK.cloudformation, scope ?? PLATFORM_SCOPE);
  }
}

export interface EdgeArtifact {
  readonly stack: string;
  /** Path relative to out/<env>/. */
  readonly path: string;
  readonly content: string;
  readonly resources: number;
}

/**
 * Synthesizes the edge into a scratch cloud assembly and returns as ndc artifacts, per stack, its
 * CloudFormation template and cdk-nag report (findings, and acknowledgements with their reasons), plus
 * the cloud assembly manifest and asset manifests the CDK CLI deploys from (`cdk deploy --app
 * out/E/cloudformation`), which carry each stack's region.
 */
export function synthesizePublicEdge(plan: EdgePlan): EdgeArtifact[] {
  const outdir = mkdtempSync(join(tmpdir(), 'ndc-edge-'));
  try {
    const { app, origin, distribution } = buildPublicEdgeApp(plan, outdir);
    const assembly = app.synth();
    const read = (file: string): unknown => JSON.parse(readFileSync(join(assembly.directory, file), 'utf8'));
    const validation = read('validation-report.json') as ValidationReport;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const nagVersion = (require('cdk-nag/package.json') as { version: string }).version;
    const artifacts: EdgeArtifact[] = [];
    for (const stack of [origin, distribution]) {
      const template = read(stack.templateFile) as { Resources?: Record<string, unknown> };
      artifacts.push({
        stack: stack.stackName,
        path: `cloudformation/${stack.templateFile}`,
        content: `${JSON.stringify(template, null, 1)}\n`,
        resources: Object.keys(template.Resources ?? {}).length,
      });
      artifacts.push({ stack: `${stack.stackName}.nag`, path: `cloudformation/${stack.stackName}.nag.json`, content: stableJson(nagReportOf(stack, validation, nagVersion)), resources: 0 });
      const assets = `${stack.stackName}.assets.json`;
      artifacts.push({ stack: `${stack.stackName}.assets`, path: `cloudformation/${assets}`, content: `${JSON.stringify(read(assets), null, 2)}\n`, resources: 0 });
    }
    const manifest = read('manifest.json') as { artifacts?: Record<string, { additionalMetadataFile?: string; metadata?: unknown }> };
    for (const artifact of Object.values(manifest.artifacts ?? {})) {
      // Construct metadata holds creation stack traces (absolute paths); the CLI does not need it.
      delete artifact.additionalMetadataFile;
      delete artifact.metadata;
    }
    artifacts.push({ stack: 'cdk-assembly', path: 'cloudformation/manifest.json', content: `${JSON.stringify(manifest, null, 2)}\n`, resources: 0 });
    artifacts.push({ stack: 'cdk-assembly.out', path: 'cloudformation/cdk.out', content: `${JSON.stringify(read('cdk.out'))}\n`, resources: 0 });
    return artifacts;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** The part of aws-cdk-lib's validation-report.json ndc reads. */
interface ValidationReport {
  readonly pluginReports?: readonly {
    readonly pluginName?: string;
    readonly violations?: readonly {
      readonly ruleName: string;
      readonly description?: string;
      readonly severity?: string;
      readonly violatingConstructs?: readonly { readonly constructPath?: string; readonly resourceLogicalId?: string }[];
    }[];
  }[];
}

/**
 * The stack's open findings from the AwsSolutions plugin report, and the acknowledgements recorded on its
 * constructs (cdk-nag drops acknowledged findings from the report, so they are read from the tree).
 */
function nagReportOf(stack: Stack, validation: ValidationReport, nagVersion: string): NagReport {
  const findings: NagFinding[] = [];
  const prefix = `${stack.node.path}/`;
  for (const report of validation.pluginReports ?? []) {
    if (report.pluginName !== 'AwsSolutions') continue;
    for (const violation of report.violations ?? []) {
      for (const resource of violation.violatingConstructs ?? []) {
        const path = resource.constructPath ?? '';
        if (!path.startsWith(prefix)) continue;
        findings.push({
          rule: violation.ruleName,
          level: violation.severity === 'error' || violation.severity === 'fatal' ? 'error' : 'warning',
          description: violation.description ?? '',
          resource: path,
          logicalId: logicalIdOf(stack, path),
        });
      }
    }
  }
  findings.push(...acknowledgedFindings(stack));
  findings.sort((a, b) => (a.rule + a.resource < b.rule + b.resource ? -1 : a.rule + a.resource > b.rule + b.resource ? 1 : 0));
  return { version: NAG_REPORT_VERSION, stack: stack.stackName, pack: 'AwsSolutions', cdkNag: nagVersion, findings };
}

type NagRuleFunction = (node: CfnResource) => unknown;

/**
 * The acknowledgements given on the stack's constructs (cdk-nag drops acknowledged findings from its
 * report, so they are read from the tree), each resolved to the resources under it that still have the
 * finding by evaluating cdk-nag's own rule function (lib/rules/<module>/<file>.js, ./nag-pack.ts) on them.
 */
function acknowledgedFindings(stack: Stack): NagFinding[] {
  const findings: NagFinding[] = [];
  for (const construct of stack.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || entry.data === null || typeof entry.data !== 'object') continue;
      for (const [key, value] of Object.entries(entry.data as Record<string, unknown>)) {
        const rule = key.replace(/^annotation::/i, '');
        // aws-cdk-lib acknowledges some of its own CloudFormation-Validate warnings; only cdk-nag's count here.
        if (!rule.startsWith('AwsSolutions-')) continue;
        const reason = String(value);
        const scope = construct.node.path;
        const [, base, suffix] = /^([^[]+)(?:\[(.*)\])?$/.exec(rule)!;
        const known = catalog.rules.find((r) => r.id === base);
        const implementation = known ? packRule(known.id) : undefined;
        const check: NagRuleFunction | undefined = implementation ? ruleFunction(implementation.module, implementation.file) : undefined;
        if (!known || !check) {
          findings.push({ rule, level: 'warning', description: 'acknowledged (rule not in the edge catalog: not re-evaluated)', resource: scope, acknowledged: { reason, scope } });
          continue;
        }
        const hits = construct.node.findAll().filter((node): node is CfnResource => CfnResource.isCfnResource(node) && hasFinding(check, node, suffix));
        if (hits.length === 0) {
          findings.push({ rule, level: known.level as NagFinding['level'], description: `acknowledged, but no resource under ${scope} has this finding`, resource: scope, acknowledged: { reason, scope, matched: false } });
        }
        for (const hit of hits) {
          findings.push({ rule, level: known.level as NagFinding['level'], description: known.info, resource: hit.node.path, logicalId: stack.resolve(hit.logicalId), acknowledged: { reason, scope, matched: true } });
        }
      }
    }
  }
  return findings;
}

/** As cdk-nag applies a rule: non-compliant (or, for a granular rule, the given finding) or throwing. */
function hasFinding(check: NagRuleFunction, node: CfnResource, suffix: string | undefined): boolean {
  try {
    const result = check(node);
    return Array.isArray(result) ? suffix !== undefined && result.includes(suffix) : result === NagRuleCompliance.NON_COMPLIANT;
  } catch {
    return true;
  }
}

function logicalIdOf(stack: Stack, path: string): string | undefined {
  const construct = findByPath(stack, path);
  return construct && CfnElement.isCfnElement(construct) ? stack.resolve(construct.logicalId) : undefined;
}

function findByPath(stack: Stack, path: string): IConstruct | undefined {
  return stack.node.findAll().find((c) => c.node.path === path);
}
