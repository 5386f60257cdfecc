import { buildCloud } from '../constructs';
import { loadEvidence, type LoadedEvidenceRecord } from '../environments/evidence';
import type { EnvironmentInput } from '../environments/schema';
import { validateEnvironment } from '../environments/validate';
import { artifactSetOf } from '../policies/artifacts';
import { evaluate, type PolicyReport } from '../policies/engine';
import { PROFILES } from '../policies/profiles';
import type { ArtifactSet, Rule, RuleContext, RuleResult, TerraformConfig } from '../policies/rule';
import type { Artifact } from '../stacks/manifest';
import { manifestOfRender, renderCloud } from '../stacks/synth';
import { environmentInput, REPO } from './helpers';

export const AS_OF = new Date('2026-11-27T00:00:00Z');

export interface Fixture {
  readonly input: EnvironmentInput;
  readonly context: RuleContext;
  readonly artifacts: readonly Artifact[];
}

/**
 * Validates, builds and renders (every engine, as synth does) an environment input in memory: the rule
 * context a check would see, with the repository's evidence records of the environment of that name
 * (those of systems a variant removed left out).
 */
export function fixture(input: EnvironmentInput, opts: { asOf?: Date; render?: boolean; evidence?: readonly LoadedEvidenceRecord[] } = {}): Fixture {
  const env = validateEnvironment(structuredClone(input), 'fixture.ts');
  const evidence = opts.evidence ?? loadEvidence(REPO, env, { unknownSystems: 'skip' });
  const cloud = buildCloud(env);
  const artifacts = opts.render === false ? [] : renderCloud(cloud, env);
  const { manifest } = manifestOfRender(cloud, env, artifacts);
  return { input, artifacts, context: { env, cloud, manifest, artifacts: artifactSetOf(artifacts), asOf: opts.asOf ?? AS_OF, evidence, profile: PROFILES['vn-2016'] } };
}

/** A fixture built from a modified copy of a shipped environment. */
export function variant(name: 'dev' | 'staging' | 'prod', change: (input: EnvironmentInput) => void, opts: { asOf?: Date; render?: boolean; evidence?: readonly LoadedEvidenceRecord[] } = {}): Fixture {
  const input = environmentInput(name);
  change(input);
  return fixture(input, opts);
}

/** The same context with the Terraform JSON of one stack edited (as a hand edit of out/ would). */
export function withTerraform(base: Fixture, stack: string, edit: (config: { resource: Record<string, Record<string, Record<string, unknown>>> } & TerraformConfig) => void): RuleContext {
  const artifacts = base.artifacts.map((a) => {
    if (a.stack !== stack) return a;
    const config = JSON.parse(a.content) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    edit(config);
    return { ...a, content: JSON.stringify(config, null, 2) };
  });
  if (!base.artifacts.some((a) => a.stack === stack)) throw new Error(`no stack ${stack}`);
  return { ...base.context, artifacts: artifactSetOf(artifacts) };
}

/** The same context with extra artifact text (for the secrets scans). */
export function withText(base: Fixture, extra: readonly Pick<Artifact, 'path' | 'engine' | 'stack' | 'content'>[]): RuleContext {
  return { ...base.context, artifacts: artifactSetOf([...base.artifacts, ...extra]) };
}

export const failures = (rule: Rule, context: RuleContext): RuleResult[] => rule.check(context).filter((r) => r.status === 'fail');

export function failedSystems(rule: Rule, context: RuleContext): string[] {
  return failures(rule, context).map((r) => r.systemId ?? r.subject);
}

export function reportOf(f: Fixture, rules?: readonly Rule[], artifacts?: ArtifactSet): PolicyReport {
  return evaluate({
    env: f.context.env,
    source: 'fixture.ts',
    cloud: f.context.cloud,
    manifest: f.context.manifest,
    artifacts: artifacts ?? f.context.artifacts,
    evidence: f.context.evidence,
    asOf: f.context.asOf,
    rules: rules?.map((rule) => ({ pack: 'test', rule })),
  });
}

/** The repository's evidence records of a shipped environment, as its fixture loads them (a copy to edit). */
export function evidenceOf(name: 'dev' | 'staging' | 'prod'): LoadedEvidenceRecord[] {
  const systems = (environmentInput(name).systems ?? []).map((s) => ({ id: s.id }));
  return loadEvidence(REPO, { name, systems } as Parameters<typeof loadEvidence>[1]);
}

/** The records without those of `kind` for `system` (a missing record). */
export const withoutEvidence = (records: readonly LoadedEvidenceRecord[], system: string, kind: string): LoadedEvidenceRecord[] => records.filter((r) => !(r.system === system && r.kind === kind));

/** The records with the latest of `kind` for `system` changed by `change` (an older date, a failed result). */
export function withEvidence(records: readonly LoadedEvidenceRecord[], system: string, kind: string, change: Partial<LoadedEvidenceRecord>): LoadedEvidenceRecord[] {
  const latest = [...records].filter((r) => r.system === system && r.kind === kind).sort((a, b) => (a.performed < b.performed ? 1 : -1))[0];
  if (!latest) throw new Error(`no ${kind} evidence for ${system}`);
  return records.map((r) => (r === latest ? { ...r, ...change } : r));
}
