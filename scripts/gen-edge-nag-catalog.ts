import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { stableJson } from '../core/canonical-json';

/**
 * Generates, from the installed cdk-nag, two files under stacks/public-edge:
 * - aws-solutions-catalog.json: the AwsSolutions rules that apply to the resource types the public edge
 *   creates (S3, CloudFront, KMS), with their level, info, explanation and implementing function, so
 *   `ndc check` can name and explain them without loading cdk-nag, and the edge synth can tell which
 *   resources an acknowledgement covers;
 * - aws-solutions-pack.json: every rule of the AwsSolutions pack, in the pack's order, with the
 *   CloudFormation resource types it can report on, so the edge synth applies to each resource exactly the
 *   rules the pack would apply to it, and loads only their files (stacks/public-edge/nag-pack.ts).
 * Run after upgrading cdk-nag: `node bin/run-ts.js scripts/gen-edge-nag-catalog.ts`.
 */

export interface CatalogEntry {
  readonly id: string;
  readonly level: 'error' | 'warning';
  readonly info: string;
  readonly explanation: string;
  /** The cdk-nag rule function that implements it: `rules.<module>.<check>` (`rules.s3.S3BucketLoggingEnabled`). */
  readonly module: string;
  readonly check: string;
}

export interface AwsSolutionsCatalog {
  readonly cdkNag: string;
  readonly rules: readonly CatalogEntry[];
}

/** cdk-nag rule modules (lib/rules/<module>) whose resources the edge stacks contain or may contain. */
const EDGE_MODULES = ['s3', 'cloudfront', 'kms'];

/** A JavaScript string literal in any quote, and a `+` concatenation of them (long explanations are split). */
const LITERAL = String.raw`(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\`(?:[^\`\\]|\\.)*\`)`;
const STRING = String.raw`(${LITERAL}(?:\s*\+\s*${LITERAL})*)`;
const RULE = new RegExp(
  String.raw`ruleSuffixOverride: '([A-Za-z0-9]+)',\s*info: ${STRING},\s*explanation: ${STRING},\s*level: nag_rules_1\.NagMessageLevel\.(ERROR|WARN),\s*rule: ([a-z0-9]+)_1\.([A-Za-z0-9]+)`,
  'g',
);

/** The installed cdk-nag: its folder, version, and the compiled source of its AwsSolutions pack (the rules are data there). */
function installedPack(root: string): { dir: string; version: string; source: string } {
  const dir = join(root, 'node_modules', 'cdk-nag');
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  return { dir, version, source: readFileSync(join(dir, 'lib', 'packs', 'aws-solutions.js'), 'utf8') };
}

/** The AwsSolutions rules of the installed cdk-nag that concern the edge's resource types (EDGE_MODULES). */
export function awsSolutionsCatalog(root: string): AwsSolutionsCatalog {
  const { version, source } = installedPack(root);
  const rules: CatalogEntry[] = [];
  for (const m of source.matchAll(RULE)) {
    if (!EDGE_MODULES.includes(m[5])) continue;
    rules.push({ id: `AwsSolutions-${m[1]}`, level: m[4] === 'ERROR' ? 'error' : 'warning', info: unquote(m[2]), explanation: unquote(m[3]), module: m[5], check: m[6] });
  }
  if (!rules.some((r) => r.id === 'AwsSolutions-S1') || !rules.some((r) => r.id === 'AwsSolutions-CFR4')) {
    throw new Error(`cdk-nag ${version}: could not read the AwsSolutions rules from lib/packs/aws-solutions.js (its layout changed); update scripts/gen-edge-nag-catalog.ts`);
  }
  return { cdkNag: version, rules };
}

/** One rule of the AwsSolutions pack as stacks/public-edge/nag-pack.ts applies it. */
export interface PackRule {
  /** `AwsSolutions-<suffix>`. */
  readonly id: string;
  readonly level: 'error' | 'warning';
  readonly info: string;
  readonly explanation: string;
  /** The rule function: the default export of cdk-nag's lib/rules/<module>/<file>.js. */
  readonly module: string;
  readonly file: string;
  /**
   * The CloudFormation resource types the rule can report on, sorted: the L1 classes its file tests with
   * `instanceof`; `*` when it tests the generic CfnResource. On any other resource the pack's rule
   * returns NOT_APPLICABLE, which records nothing, so leaving it out changes no report.
   */
  readonly types: readonly string[];
}

export interface AwsSolutionsPack {
  readonly cdkNag: string;
  readonly rules: readonly PackRule[];
}

type RuleFunction = ((node: unknown) => unknown) & { readonly name: string };

/**
 * Every rule of the installed AwsSolutions pack with the resource types it tests, read from the rule
 * files' `instanceof` tests and proven: every rule must answer NOT_APPLICABLE for a resource of a type it
 * does not test (a Custom:: resource), or the pack cannot be narrowed and generation fails.
 */
export function awsSolutionsPack(root: string): AwsSolutionsPack {
  const { dir, version, source } = installedPack(root);
  const fromRoot = createRequire(join(root, 'package.json'));
  const core = fromRoot('aws-cdk-lib') as typeof import('aws-cdk-lib');
  const { NagRuleCompliance } = fromRoot('cdk-nag/lib/nag-rules') as typeof import('cdk-nag');
  const probe = new core.CfnResource(new core.Stack(new core.App(), 'probe'), 'Probe', { type: 'Custom::NdcPackProbe' });
  const rules: PackRule[] = [];
  for (const m of source.matchAll(RULE)) {
    const [, suffix, info, explanation, level, module, check] = m;
    const rule = (fromRoot(`cdk-nag/lib/rules/${module}`) as Record<string, RuleFunction | undefined>)[check];
    if (typeof rule !== 'function') throw new Error(`cdk-nag ${version}: AwsSolutions-${suffix} names rules.${module}.${check}, which is not a function`);
    const file = rule.name;
    const types = testedTypes(readFileSync(join(dir, 'lib', 'rules', module, `${file}.js`), 'utf8'), fromRoot, core.CfnResource, `${module}/${file}`);
    if (!types.includes('*') && rule(probe) !== NagRuleCompliance.NOT_APPLICABLE) {
      throw new Error(`cdk-nag ${version}: rule ${module}/${file} does not answer NOT_APPLICABLE for a resource outside ${types.join(', ')}; the pack cannot be narrowed by type`);
    }
    rules.push({ id: `AwsSolutions-${suffix}`, level: level === 'ERROR' ? 'error' : 'warning', info: unquote(info), explanation: unquote(explanation), module, file, types });
  }
  const applied = source.match(/this\.applyRule\(/g)?.length ?? 0;
  if (rules.length !== applied) throw new Error(`cdk-nag ${version}: read ${rules.length} of the ${applied} rules lib/packs/aws-solutions.js applies (its layout changed); update scripts/gen-edge-nag-catalog.ts`);
  return { cdkNag: version, rules };
}

/** The resource types a rule file tests with `instanceof <alias>.<CfnClass>`, its aliases being aws-cdk-lib modules. */
function testedTypes(ruleSource: string, fromRoot: NodeJS.Require, cfnResource: unknown, name: string): string[] {
  const modules = new Map<string, string>();
  for (const [, alias, module] of ruleSource.matchAll(/const (\w+) = require\("(aws-cdk-lib(?:\/[\w-]+)?)"\);/g)) modules.set(alias, module);
  const types = new Set<string>();
  for (const [, alias, member] of ruleSource.matchAll(/instanceof (\w+)\.(\w+)/g)) {
    const module = modules.get(alias);
    if (module === undefined) throw new Error(`cdk-nag rule ${name}: instanceof ${alias}.${member} is not of an aws-cdk-lib module`);
    const cls = (fromRoot(module) as Record<string, unknown>)[member];
    if (cls === cfnResource) {
      types.add('*');
      continue;
    }
    const type = (cls as { CFN_RESOURCE_TYPE_NAME?: unknown } | undefined)?.CFN_RESOURCE_TYPE_NAME;
    if (typeof type !== 'string') throw new Error(`cdk-nag rule ${name}: ${module} ${member} is not a CloudFormation resource class`);
    types.add(type);
  }
  if (types.size === 0) throw new Error(`cdk-nag rule ${name}: tests no resource class; the pack cannot be narrowed by type`);
  return [...types].sort();
}

/** The value of a STRING: its literals, unquoted and joined. */
function unquote(expression: string): string {
  return [...expression.matchAll(new RegExp(LITERAL, 'g'))].map(([literal]) => unquoteOne(literal)).join('');
}

function unquoteOne(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  return literal.startsWith("'") ? (JSON.parse(`"${literal.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string) : (JSON.parse(literal) as string);
}

export const CATALOG_PATH = 'stacks/public-edge/aws-solutions-catalog.json';
export const PACK_PATH = 'stacks/public-edge/aws-solutions-pack.json';

if (process.argv[1] !== undefined && resolve(process.argv[1]) === __filename) {
  const root = process.cwd();
  const catalog = awsSolutionsCatalog(root);
  writeFileSync(join(root, CATALOG_PATH), stableJson(catalog));
  process.stdout.write(`${CATALOG_PATH}: ${catalog.rules.length} AwsSolutions rules from cdk-nag ${catalog.cdkNag}\n`);
  const pack = awsSolutionsPack(root);
  writeFileSync(join(root, PACK_PATH), stableJson(pack));
  process.stdout.write(`${PACK_PATH}: the ${pack.rules.length} rules of the AwsSolutions pack with the resource types each tests\n`);
}
