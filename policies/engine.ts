import { canonicalJson, sha256 } from '../core/canonical-json';
import { InputError } from '../core/errors';
import type { NationalCloud } from '../constructs';
import type { Environment } from '../environments/schema';
import type { Manifest } from '../stacks/manifest';
import { checkApproverFloor } from './approvals/requirements';
import { regulationOf } from './citations';
import { isProtectedRule, profileNamed, reportedFigures, type Provenance, type RegulationProfile } from './profiles';
import { packsOf, rulesOf, type PackedRule } from './registry';
import type { ArtifactSet, ControlFamily, Enforcement, Rule, RuleContext, Severity } from './rule';
import { withSecretsMasked } from './rules/secrets/mask';
import { policySettingsOf, type PolicyException, type PolicySettings } from './settings';

/** One rule's verdict on one subject, with the enforcement in force and any exception applied. */
export interface Finding {
  readonly ruleId: string;
  readonly pack: string;
  readonly title: string;
  readonly family: ControlFamily;
  readonly severity: Severity;
  /** Enforcement in this environment (after overrides). */
  readonly enforcement: Exclude<Enforcement, 'disabled'>;
  /** pass, fail, or waived (a failure covered by an exception that applies). */
  readonly status: 'pass' | 'fail' | 'waived' | 'not-applicable';
  readonly systemId?: string;
  readonly subject: string;
  readonly message: string;
  /** Index into report.exceptions of the exception that waived it. */
  readonly waivedBy?: number;
}

export interface RuleSummary {
  readonly id: string;
  readonly version: number;
  readonly pack: string;
  readonly title: string;
  readonly family: ControlFamily;
  readonly severity: Severity;
  readonly defaultEnforcement: Enforcement;
  readonly enforcement: Enforcement;
  /** What the rule cites under the profile used; `reported` when any of it is not confirmed from the official text. */
  readonly regulation: Rule['regulation'] & { readonly status: Provenance; readonly requirement?: string };
  readonly explanation: string;
  readonly remediation: string;
}

export interface OverrideEntry {
  readonly ruleId: string;
  readonly from: Enforcement;
  readonly to: Enforcement;
}

export type ExceptionStatus = 'applied' | 'unused' | 'expired' | 'refused';

export interface ExceptionEntry extends PolicyException {
  readonly status: ExceptionStatus;
  /** Why it was refused or did not apply. */
  readonly note: string;
  /** Findings it waived. */
  readonly waived: number;
}

/** Everything a report, the approvals gate and deploy need from one evaluation. */
export interface PolicyReport {
  readonly env: string;
  readonly stage: string;
  readonly profile: {
    readonly name: string;
    readonly version: string;
    readonly title: string;
    readonly status: Provenance;
    /** Every figure or citation of the profile that is reported, not confirmed from the official text. */
    readonly reported: readonly string[];
  };
  readonly parameters: RegulationProfile['parameters'];
  readonly asOf: string;
  /** sha256 over the canonical pack in force: profile, rule ids, versions, enforcement, parameters, exceptions. */
  readonly policyDigest: string;
  /** The manifest digest of the artifacts evaluated. */
  readonly manifestDigest: string;
  readonly rules: readonly RuleSummary[];
  readonly overrides: readonly OverrideEntry[];
  readonly exceptions: readonly ExceptionEntry[];
  readonly systems: readonly { readonly id: string; readonly name: string; readonly level: number }[];
  readonly findings: readonly Finding[];
  readonly mandatoryFailures: number;
  readonly advisoryFailures: number;
  readonly waived: number;
  readonly passed: number;
}

export interface PolicyInputs {
  readonly env: Environment;
  /** The environment file, for error messages. */
  readonly source: string;
  readonly cloud: NationalCloud;
  readonly manifest: Manifest;
  readonly artifacts: ArtifactSet;
  /** The environment's evidence records, loaded with it. */
  readonly evidence: RuleContext['evidence'];
  /** The date the checks treat as today; default: env.asOf, else `now`. */
  readonly asOf?: Date;
  /** The clock, when neither asOf nor env.asOf is given. Default: the current date. */
  readonly now?: Date;
  /** Replace the profile's packs (tests, or a caller evaluating one pack). */
  readonly rules?: readonly PackedRule[];
}

/** The policy in force for an environment: the profile, its rules with effective enforcement, settings. */
export interface PolicyInForce {
  readonly profile: RegulationProfile;
  readonly settings: PolicySettings;
  readonly rules: readonly { readonly pack: string; readonly rule: Rule; readonly enforcement: Enforcement }[];
  readonly overrides: readonly OverrideEntry[];
  readonly digest: string;
}

/** Resolves the profile, packs, overrides and parameters of an environment; validates env.policy. */
export function policyInForce(env: Environment, source: string, rules?: readonly PackedRule[]): PolicyInForce {
  const base = profileNamed(env.profile, `${source}: profile`);
  checkApproverFloor(env.approvals, base, source);
  const settings = policySettingsOf(env, source);
  const profile: RegulationProfile = { ...base, parameters: { ...base.parameters, ...definedOnly(settings.parameters) } };
  const packed = rules ?? rulesOf(packsOf(profile.name));
  const known = new Map(packed.map((p) => [p.rule.id, p]));
  const overrides: OverrideEntry[] = [];
  for (const [ruleId, to] of Object.entries(settings.overrides).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const found = known.get(ruleId);
    if (!found) throw new InputError(`${source}: policy.overrides.${ruleId}`, `is not a rule of profile ${profile.name} (rules: ${[...known.keys()].join(', ')})`);
    const weaker = found.rule.enforcement === 'mandatory' && to !== 'mandatory';
    if (weaker && isProtectedRule(profile, ruleId)) {
      throw new InputError(
        `${source}: policy.overrides.${ruleId}`,
        `${JSON.stringify(to)}: ${ruleId} is mandatory in profile ${profile.name} and an override may not weaken it; waive a finding with a dated exception in policy.exceptions (reason, grantedBy, expires) instead`,
      );
    }
    overrides.push({ ruleId, from: found.rule.enforcement, to });
  }
  settings.exceptions.forEach((e, i) => {
    if (!known.has(e.rule)) throw new InputError(`${source}: policy.exceptions[${i}].rule`, `${JSON.stringify(e.rule)} is not a rule of profile ${profile.name}`);
    if (e.system !== undefined && !env.systems.some((s) => s.id === e.system)) {
      throw new InputError(`${source}: policy.exceptions[${i}].system`, `${JSON.stringify(e.system)} is not a system of this environment (systems: ${env.systems.map((s) => s.id).join(', ')})`);
    }
  });
  const inForce = packed.map(({ pack, rule }) => ({ pack, rule, enforcement: settings.overrides[rule.id] ?? rule.enforcement }));
  const digest = sha256(
    canonicalJson({
      profile: { name: profile.name, version: profile.version },
      parameters: profile.parameters,
      approverFloor: profile.approverFloor,
      rules: inForce.map(({ pack, rule, enforcement }) => ({ id: rule.id, version: rule.version ?? 1, pack, enforcement })),
      exceptions: settings.exceptions,
    }),
  );
  return { profile, settings, rules: inForce, overrides, digest };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Evaluates every rule in force against the model and the artifacts. Pure apart from the clock default. */
export function evaluate(inputs: PolicyInputs): PolicyReport {
  const { env, source, cloud, manifest, artifacts, evidence } = inputs;
  const policy = policyInForce(env, source, inputs.rules);
  const asOf = inputs.asOf ?? (env.asOf ? new Date(`${env.asOf}T00:00:00Z`) : (inputs.now ?? new Date()));
  const today = dayOf(asOf);
  const secrets = new Set<string>();
  const raw = collectFindings(policy, { env, cloud, manifest, artifacts, asOf, evidence, profile: policy.profile }, secrets);
  const { findings, exceptions } = applyExceptions(policy, raw, new Map(cloud.systems.map((s) => [s.id, s.level as number])), today);
  // Every report format renders this object, so masking it once covers text, json, sarif, junit, markdown and html.
  return withSecretsMasked<PolicyReport>({
    env: env.name,
    stage: env.stage,
    profile: { name: policy.profile.name, version: policy.profile.version, title: policy.profile.title, status: policy.profile.status, reported: reportedFigures(policy.profile) },
    parameters: policy.profile.parameters,
    asOf: today,
    policyDigest: policyDigestOf(policy, evidence),
    manifestDigest: manifest.digest,
    rules: policy.rules.map((r) => ruleSummaryOf(r, policy.profile)),
    overrides: policy.overrides,
    exceptions,
    systems: cloud.systems.map((s) => ({ id: s.id, name: s.displayName, level: s.level })),
    findings,
    ...countsOf(findings),
  }, secrets);
}

/**
 * The digest approvals bind to: the rules in force and the evidence records they judged. Evidence is data
 * the change's author can write, so a record added or edited after the reviewers signed voids their
 * approvals instead of clearing a mandatory finding (an overdue assessment) unseen.
 */
export function policyDigestOf(policy: Pick<PolicyInForce, 'digest'>, evidence: RuleContext['evidence']): string {
  return sha256(canonicalJson({ rules: policy.digest, evidence: sha256(canonicalJson(evidence ?? [])) }));
}

/** A rule's result as a finding, before exceptions. */
type RawFinding = Omit<Finding, 'waivedBy'>;

/** Every result of every rule in force (overrides already applied: a disabled rule is not run), in rule order. */
function collectFindings(policy: PolicyInForce, context: RuleContext, secrets: Set<string>): RawFinding[] {
  const outcomes: RawFinding[] = [];
  for (const { pack, rule, enforcement } of policy.rules) {
    if (enforcement === 'disabled') continue;
    for (const result of rule.check(context)) {
      for (const secret of result.secrets ?? []) secrets.add(secret);
      outcomes.push({
        ruleId: rule.id,
        pack,
        title: rule.title,
        family: rule.family,
        severity: rule.severity,
        enforcement,
        status: result.status,
        systemId: result.systemId,
        subject: result.subject,
        message: result.message,
      });
    }
  }
  return outcomes;
}

/**
 * Exceptions: a live exception waives the failures it names, unless it would waive a mandatory finding
 * on a level 4-5 system, which needs a signed exception (approvals) and is refused here.
 */
function applyExceptions(policy: PolicyInForce, outcomes: readonly RawFinding[], levels: ReadonlyMap<string, number>, today: string): { findings: Finding[]; exceptions: ExceptionEntry[] } {
  const exceptions: ExceptionEntry[] = [];
  const waivedBy = new Map<number, number>();
  policy.settings.exceptions.forEach((exception, i) => {
    const matches = outcomes
      .map((f, n) => ({ f, n }))
      .filter(({ f }) => f.ruleId === exception.rule && f.status === 'fail' && (exception.system !== undefined ? f.systemId === exception.system : f.subject === exception.resource));
    const enforcement = policy.rules.find((r) => r.rule.id === exception.rule)?.enforcement;
    const highLevel = (exception.system !== undefined && (levels.get(exception.system) ?? 0) >= 4) || matches.some(({ f }) => (levels.get(f.systemId ?? '') ?? 0) >= 4);
    let status: ExceptionStatus;
    let note: string;
    if (exception.expires < today) {
      status = 'expired';
      note = `expired on ${exception.expires}; it no longer applies`;
    } else if (enforcement === 'mandatory' && highLevel) {
      status = 'refused';
      note = 'a mandatory finding on a level 4-5 system cannot be waived by the environment file alone: it needs a signed exception';
    } else if (matches.length === 0) {
      status = 'unused';
      note = 'no failing finding matches it';
    } else {
      status = 'applied';
      note = `waives ${matches.length} finding${matches.length === 1 ? '' : 's'} until ${exception.expires}`;
      for (const { n } of matches) if (!waivedBy.has(n)) waivedBy.set(n, i);
    }
    exceptions.push({ ...exception, status, note, waived: status === 'applied' ? matches.length : 0 });
  });
  const findings: Finding[] = outcomes.map((f, n) => (waivedBy.has(n) ? { ...f, status: 'waived', waivedBy: waivedBy.get(n) } : f));
  return { findings, exceptions };
}

function ruleSummaryOf({ pack, rule, enforcement }: PolicyInForce['rules'][number], profile: RegulationProfile): RuleSummary {
  return {
    id: rule.id,
    version: rule.version ?? 1,
    pack,
    title: rule.title,
    family: rule.family,
    severity: rule.severity,
    defaultEnforcement: rule.enforcement,
    enforcement,
    regulation: regulationOf(profile, rule),
    explanation: rule.explanation,
    remediation: rule.remediation,
  };
}

/** The report's totals. */
function countsOf(findings: readonly Finding[]): Pick<PolicyReport, 'mandatoryFailures' | 'advisoryFailures' | 'waived' | 'passed'> {
  const count = (pred: (f: Finding) => boolean) => findings.filter(pred).length;
  return {
    mandatoryFailures: count((f) => f.status === 'fail' && f.enforcement === 'mandatory'),
    advisoryFailures: count((f) => f.status === 'fail' && f.enforcement === 'advisory'),
    waived: count((f) => f.status === 'waived'),
    passed: count((f) => f.status === 'pass'),
  };
}
