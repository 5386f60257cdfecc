import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../../core/canonical-json';
import { InputError } from '../../core/errors';
import { approvedStateDigests, latestApprovedDigest, readApprovedState, signedScopeDigests, withSignedScopes, type ApprovedState } from '../../policies/approvals/approved-state';
import { readTrustStore, resolveTrust } from '../../policies/approvals/trust-store';
import { approvalSettingsOf, type ApprovalSettings } from '../../policies/approvals/requirements';
import { diffStates, type DiffBase, type EnvironmentDiff } from '../../policies/approvals/scope-diff';
import { readApprovals } from '../../policies/approvals/statement';
import { DIFF_FORMATS, renderDiff, type DiffFormat } from '../../policies/reports/scope-diff';
import { digestProblems, ENGINES, parseManifest, recordedReach, RESOURCES_FILE, SNAPSHOTS_DIR, type Artifact, type Engine, type Manifest } from '../../stacks/manifest';
import { resolveRevision, withSynthesizedRevision } from '../../stacks/revision';
import { environmentState, renderedState, type EnvironmentState } from '../../stacks/scope-state';
import { scopedResources } from '../../stacks/scopes';
import { recordedRender } from '../../stacks/recorded-render';
import { renderLoaded, synthesizeIfStale } from '../../stacks/synth';
import { loadEnvironment, type LoadedEnvironment } from '../../environments/load';
import type { CommandIO } from '../io';

export interface DiffOptions {
  readonly env: string;
  /** `approved` (default), a digest (stored approved state or deploy snapshot), or a git revision. */
  readonly against?: string;
  readonly format?: string;
  /** NDC_TRUST_ROOT's pins: an approved state counts as a baseline only for scope digests a trusted reviewer signed. */
  readonly trustRoots?: readonly string[];
  /** The environment as the command already loaded and validated it (so it is not loaded twice). */
  readonly loaded?: LoadedEnvironment;
}

/**
 * The scope digests trusted reviewers signed in approvals/<env>/ (signedScopeDigests), or undefined when no
 * trust store is in force to verify signatures with (no pin, a broken chain).
 */
export function signedBaseline(root: string, env: string, trustRoots: readonly string[]): ReadonlySet<string> | undefined {
  try {
    return signedScopeDigests(root, env, resolveTrust(readTrustStore(root, env), env, trustRoots));
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
}

/** An approved state cut down to its signed scopes, and how to say so next to its name. */
function signedOnly(approved: ApprovedState, signed: ReadonlySet<string> | undefined): { state: ApprovedState; note: string } {
  if (signed === undefined) return { state: approved, note: '; its scopes are not checked against signed approvals (no trust store in force: set NDC_TRUST_ROOT)' };
  const { state, unsigned } = withSignedScopes(approved, signed);
  return { state, note: unsigned.length === 0 ? '' : `; ${unsigned.length} scope(s) of it no trusted reviewer signed, shown in full: ${unsigned.join(', ')}` };
}

/** The current state: out/<env>/ as the environment renders now (synthesized first when stale), with its manifest. */
export interface CurrentState {
  readonly manifest: Manifest;
  /** The approval requirements in force (the environment's, held to its profile's floor). */
  readonly settings: ApprovalSettings;
  /** With `withResources`: every scope's digests, but no scope's resources yet. */
  readonly state: EnvironmentState;
  readonly source: string;
  /** Why out/<env>/ was written first, when it was. */
  readonly synthesized?: string;
  /**
   * When out/<env>/ was recognized as the render without rendering (stacks/recorded-render.ts): the state with
   * the resources of these scopes read in, or undefined when they are not what the manifest records.
   */
  readonly withResources?: (ids: ReadonlySet<string>) => EnvironmentState | undefined;
}

function formatOf(value: string | undefined, json: boolean): DiffFormat {
  if (value === undefined) return json ? 'json' : 'text';
  if (!(DIFF_FORMATS as readonly string[]).includes(value)) throw new InputError('--format', `${JSON.stringify(value)} is not a diff format (formats: ${DIFF_FORMATS.join(', ')})`);
  return value as DiffFormat;
}

/**
 * Renders the environment (from the synthesis cache when it can) and rewrites out/<env>/ when it is stale, as
 * every reading command does. With `recognize`, out/<env>/ is first taken as the render when the caches show
 * it is one (stacks/recorded-render.ts), and only the scopes a diff shows are read later (`withResources`).
 */
export function currentState(root: string, env: string, loaded?: LoadedEnvironment, recognize = false): CurrentState {
  const environment = loaded?.env.name === env ? loaded : loadEnvironment(root, env);
  const recorded = recognize ? recordedRender(root, environment) : undefined;
  if (recorded !== undefined) {
    const { manifest, reach } = recorded;
    const settings = approvalSettingsOf(environment.env, environment.source);
    const withResources = (ids: ReadonlySet<string>) => {
      const resources = recorded.resourcesOf(ids);
      return resources === undefined ? undefined : renderedState(manifest, resources, reach);
    };
    return { manifest, settings, state: renderedState(manifest, [], reach), source: `out/${env}`, withResources };
  }
  const { rendered, synthesized } = synthesizeIfStale(root, renderLoaded(environment, root));
  const settings = approvalSettingsOf(rendered.env, rendered.source);
  return { manifest: rendered.manifest, settings, state: renderedState(rendered.manifest, rendered.resources, rendered.reach), source: `out/${env}`, synthesized };
}

/**
 * A directory laid out as ndc synth writes out/<env>/ (a deploy snapshot, a synthesized revision): its
 * manifest and the files it lists, each checked against its sha256. `lenient` reads an older manifest
 * format (a git revision's) for its artifact list and systems only.
 */
export function directoryState(dir: string, shown: string, env: string, lenient: boolean): EnvironmentState {
  const file = join(dir, 'manifest.json');
  let raw: { env?: unknown; digest?: unknown; artifacts?: unknown; systems?: unknown };
  try {
    raw = JSON.parse(readFileSync(file, 'utf8')) as typeof raw;
  } catch (error) {
    throw new InputError(`${shown}/manifest.json`, (error as NodeJS.ErrnoException).code ? `cannot be read (${(error as NodeJS.ErrnoException).code})` : `is not valid JSON (${(error as Error).message})`);
  }
  if (raw.env !== env) throw new InputError(`${shown}/manifest.json: env`, `${JSON.stringify(raw.env)}: not a state of ${env}`);
  if (typeof raw.digest !== 'string' || !Array.isArray(raw.artifacts) || !Array.isArray(raw.systems)) throw new InputError(`${shown}/manifest.json`, 'has no digest, artifact list or systems: not a manifest ndc synth wrote');
  if (!lenient) {
    const problems = digestProblems(parseManifest(raw, `${shown}/manifest.json`, 'not a manifest of this ndc version'));
    if (problems.length > 0) throw new InputError(`${shown}/${problems[0].split(' ')[0]}`, problems[0].slice(problems[0].indexOf(' ') + 1));
  }
  const artifacts: Artifact[] = raw.artifacts.map((entry: unknown, i: number) => {
    const a = entry as { path?: unknown; engine?: unknown; stack?: unknown; sha256?: unknown };
    if (typeof a.path !== 'string' || typeof a.stack !== 'string' || !(ENGINES as readonly unknown[]).includes(a.engine) || a.path.split('/').includes('..')) {
      throw new InputError(`${shown}/manifest.json: artifacts[${i}]`, 'needs a path inside the directory, a stack and an engine (terraform, kubernetes or cloudformation)');
    }
    const path = join(dir, a.path);
    if (!existsSync(path)) throw new InputError(`${shown}/${a.path}`, 'is listed in the manifest but missing');
    const content = readFileSync(path, 'utf8');
    if (sha256(content) !== a.sha256) throw new InputError(`${shown}/${a.path}`, 'does not match the sha256 its manifest lists (edited after synthesis)');
    return { path: a.path, engine: a.engine as Engine, stack: a.stack, content, resources: 0 };
  });
  // The manifest's own scope records (levels, reachability) where it has them: a revision's older manifest may not.
  const resourcesFile = join(dir, RESOURCES_FILE);
  const reach = existsSync(resourcesFile) ? recordedReach(readFileSync(resourcesFile, 'utf8')) : undefined;
  return environmentState({ scopes: (raw as { scopes?: unknown }).scopes, env, digest: raw.digest, systems: raw.systems as Manifest['systems'] } as Pick<Manifest, 'env' | 'digest' | 'systems'>, scopedResources(artifacts), reach);
}

/** What `--against` names, loaded: the base state and how to describe it. */
export function baseState(root: string, env: string, against: string, current?: EnvironmentState, signed?: ReadonlySet<string>): { state: EnvironmentState; base: DiffBase } {
  // Scopes the current state has at the same digest need no attribute check: nothing of them is shown.
  const unchanged = new Map((current?.scopes ?? []).map((s) => [s.id, s.digest]));
  if (against === 'approved') {
    const digest = latestApprovedDigest(root, env);
    if (digest === undefined) {
      throw new InputError('--against approved', `no approved state of ${env} yet (approvals/${env}/approved/ is empty: it is written when every scope of a digest is approved); compare with a git revision instead, for example --against main`);
    }
    const approved = readApprovedState(root, env, digest, unchanged);
    const { state, note } = signedOnly(approved, signed);
    return { state, base: { kind: 'approved', ref: against, source: `the last approved state (${approved.shown}${note})`, digest, approvedAt: approved.approvedAt } };
  }
  if (/^[0-9a-f]{8,64}$/.test(against)) {
    const states = approvedStateDigests(root, env).filter((d) => d.startsWith(against));
    const snapshotsDir = join(root, SNAPSHOTS_DIR);
    const snapshots = existsSync(snapshotsDir) ? readdirSync(snapshotsDir).filter((d) => /^[0-9a-f]{64}$/.test(d) && d.startsWith(against) && !states.includes(d) && snapshotEnv(join(snapshotsDir, d)) === env) : [];
    const found = [...states, ...snapshots];
    if (found.length > 1) throw new InputError('--against', `${against} is ambiguous: it begins ${found.length} stored digests (${found.map((d) => d.slice(0, 16)).join(', ')}); give more of it`);
    if (states.length === 1) {
      const approved = readApprovedState(root, env, states[0], unchanged);
      const { state, note } = signedOnly(approved, signed);
      return { state, base: { kind: 'approved-state', ref: against, source: `approved state ${approved.shown}${note}`, digest: approved.digest, approvedAt: approved.approvedAt } };
    }
    if (snapshots.length === 1) {
      const shown = `${SNAPSHOTS_DIR}/${snapshots[0]}`;
      const state = directoryState(join(root, shown), shown, env, false);
      if (state.digest !== snapshots[0]) throw new InputError(`${shown}/manifest.json: digest`, `is ${state.digest.slice(0, 12)}..., but the snapshot is named after ${snapshots[0].slice(0, 12)}...`);
      return { state, base: { kind: 'snapshot', ref: against, source: `deploy snapshot ${shown}`, digest: state.digest } };
    }
  }
  const commit = resolveRevision(root, against);
  if (commit === undefined) throw unknownAgainst(env, against);
  return withSynthesizedRevision(root, against, commit, env, ({ outDir }) => {
    const shown = `revision ${against}${against.startsWith(commit.slice(0, against.length)) ? '' : ` (${commit.slice(0, 12)})`}`;
    const state = directoryState(outDir, shown, env, true);
    return { state, base: { kind: 'revision', ref: against, source: shown, digest: state.digest } };
  });
}

function unknownAgainst(env: string, against: string): InputError {
  return new InputError('--against', `${JSON.stringify(against)} is neither "approved", the digest of a stored approved state or deploy snapshot of ${env}, nor a git revision of this repository`);
}

function snapshotEnv(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { env?: string }).env;
  } catch {
    return undefined;
  }
}

/** The diff of the environment as it renders now against `against`, with the approvals on file. */
export function environmentDiff(root: string, env: string, against: string, note: (line: string) => void = () => undefined, signed?: ReadonlySet<string>, loaded?: LoadedEnvironment): EnvironmentDiff {
  // A ref that names nothing is refused before the environment is rendered.
  if (against !== 'approved' && !/^[0-9a-f]{8,64}$/.test(against) && resolveRevision(root, against) === undefined) throw unknownAgainst(env, against);
  const environment = loaded?.env.name === env ? loaded : loadEnvironment(root, env);
  const recognized = currentState(root, env, environment, true);
  if (recognized.withResources !== undefined) {
    const { state, base } = baseState(root, env, against, recognized.state, signed);
    // Only the scopes the diff shows are read: those not in the base at the same digest and level.
    const before = new Map(state.scopes.map((s) => [s.id, s]));
    const shown = new Set(recognized.state.scopes.filter((s) => before.get(s.id)?.digest !== s.digest || before.get(s.id)?.level !== s.level).map((s) => s.id));
    const current = recognized.withResources(shown);
    if (current !== undefined) return diffStates({ base: state, current, against: base, currentSource: recognized.source, settings: recognized.settings, approvals: readApprovals(root, env) });
  }
  const now = recognized.withResources === undefined ? recognized : currentState(root, env, environment);
  if (now.synthesized) note(`synthesized out/${env}/ first (${now.synthesized})`);
  const { state, base } = baseState(root, env, against, now.state, signed);
  return diffStates({ base: state, current: now.state, against: base, currentSource: now.source, settings: now.settings, approvals: readApprovals(root, env) });
}

/**
 * What `ndc approve` prints before signing: out/<env>/ as it stands (what is being signed) against the
 * last approved state, for the scopes being signed (the others changed are counted), as text lines. A
 * missing or unreadable approved state is said in one line instead, so an empty diff is never shown by mistake.
 */
export function approvalDiffLines(root: string, manifest: Manifest, scopes: readonly string[], trustRoots: readonly string[] = []): string[] {
  const env = manifest.env;
  if (latestApprovedDigest(root, env) === undefined) return [`Changes since the last approval: none recorded yet (approvals/${env}/approved/ is empty); review the scopes in full, or compare with a revision: ndc diff --env ${env} --against main`];
  try {
    const current = directoryState(join(root, 'out', env), `out/${env}`, env, false);
    const { state, base } = baseState(root, env, 'approved', current, signedBaseline(root, env, trustRoots));
    if (current.digest !== manifest.digest) return [`Changes since the last approval: cannot be shown: out/${env}/ changed while approving; run ndc approve again`];
    const diff = diffStates({ base: state, current, against: base, currentSource: `out/${env}`, settings: manifest.approvals, approvals: readApprovals(root, env) });
    const signing = new Set(scopes);
    const others = diff.scopes.filter((s) => !signing.has(s.id));
    const shown = { ...diff, scopes: diff.scopes.filter((s) => signing.has(s.id)), unchanged: diff.unchanged.filter((id) => signing.has(id)) };
    const lines = ['Changes since the last approval, in the scopes being signed:', ...renderDiff(shown, 'text').trimEnd().split('\n').map((l) => (l === '' ? l : `  ${l}`))];
    if (others.length > 0) lines.push(`  (${others.length} other scope(s) changed too: ${others.map((s) => s.id).join(', ')}; ndc diff --env ${env} shows them)`);
    return lines;
  } catch (error) {
    if (error instanceof InputError) return [`Changes since the last approval: cannot be shown: ${error.message}`];
    throw error;
  }
}

/**
 * `ndc diff --env E [--against approved|DIGEST|REF] [--format text|json|markdown]`: per scope, the resources
 * and attributes that changed since `against`, the approvals that change voids and who must sign again.
 * Exit 0 (whether or not anything changed), 2 on bad input.
 */
export async function diffCommand(opts: DiffOptions, io: CommandIO): Promise<number> {
  const format = formatOf(opts.format, io.json);
  const against = opts.against ?? 'approved';
  if (against === '') throw new InputError('--against', 'is empty (give approved, a digest, or a git revision)');
  const diff = environmentDiff(io.root, opts.env, against, (line) => io.err(`ndc diff: ${line}`), signedBaseline(io.root, opts.env, opts.trustRoots ?? []), opts.loaded);
  io.out(renderDiff(diff, format).trimEnd());
  return 0;
}
