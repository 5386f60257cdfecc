import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { canonicalJson, sha256 } from '../../core/canonical-json';
import { InputError } from '../../core/errors';
import { formatPath } from '../../environments/validate';
import { digestProblems, ENGINES, parseManifest, recordedReach, RESOURCES_FILE, type Manifest } from '../../stacks/manifest';
import { reachDigest } from '../../stacks/reach';
import { environmentState, resourceDigest, scopeLevels, type EnvironmentState } from '../../stacks/scope-state';
import { merkleRoot, scopeDigestOf, scopedResources } from '../../stacks/scopes';
import { verifyStatement } from './keys';
import { APPROVAL_DOMAIN, approvalsDir, readApprovals } from './statement';
import type { ResolvedTrust } from './trust-store';

/**
 * The approved state: what an environment looked like when every one of its scopes was approved, kept
 * under approvals/<env>/approved/<digest>.json so `ndc diff` can show reviewers what changed since they
 * signed without synthesizing the old revision again. It carries the manifest of that digest and every
 * resource's attributes; reading it checks each resource against its sha256, each scope against its Merkle
 * root and the manifest against its own digests, so an edited file is refused instead of diffed.
 */
export const APPROVED_STATE_SCHEMA = 'ndc/approved-state/v1';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 (64 lower-case hex digits)');

const approvedStateSchema = z.strictObject({
  schema: z.literal(APPROVED_STATE_SCHEMA),
  /** When the last approval that completed it was signed (orders the states: the latest is `approved`). */
  approvedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'must be an ISO time like 2026-01-31T12:00:00.000Z'),
  env: z.string().min(1),
  digest: hex64,
  manifest: z.unknown(),
  scopes: z.array(
    z.strictObject({
      id: z.string().min(1),
      level: z.number().int().min(1).max(5),
      digest: hex64,
      root: hex64,
      reach: hex64,
      /** The scope's reachability lines (stacks/reach.ts), which `reach` is the digest of. */
      reachability: z.array(z.string()),
      resources: z.array(z.strictObject({ address: z.string().min(1), engine: z.enum(ENGINES), artifact: z.string(), sha256: hex64, body: z.unknown() })),
    }),
  ),
});

export interface ApprovedState extends EnvironmentState {
  readonly approvedAt: string;
  readonly manifest: Manifest;
  /** Where it was read from, for messages: approvals/<env>/approved/<digest>.json. */
  readonly shown: string;
}

export function approvedStatesDir(root: string, env: string): string {
  return join(approvalsDir(root, env), 'approved');
}

/**
 * Records `state` as approved (the approve command calls it once every scope of the digest is approved).
 * Written whole or not at all; approving the same digest again later moves its `approvedAt` forward.
 */
export function writeApprovedState(root: string, manifest: Manifest, state: EnvironmentState, approvedAt: Date): { file: string; shown: string } {
  if (state.digest !== manifest.digest || state.env !== manifest.env) throw new Error(`approved state of ${state.env} ${state.digest} does not belong to manifest ${manifest.env} ${manifest.digest}`);
  const blind = state.scopes.find((s) => s.reachability === undefined);
  if (blind) throw new Error(`approved state of ${state.env} ${state.digest}: scope ${blind.id} has no reachability lines to record`);
  const dir = approvedStatesDir(root, state.env);
  mkdirSync(dir, { recursive: true });
  const name = `${state.digest}.json`;
  const file = join(dir, name);
  const temporary = `${file}.tmp-${process.pid}`;
  const content = { schema: APPROVED_STATE_SCHEMA, approvedAt: approvedAt.toISOString(), env: state.env, digest: state.digest, manifest, scopes: state.scopes };
  try {
    // Compact: it holds every resource's attributes, which pretty-printing would roughly double at national scale.
    writeFileSync(temporary, `${canonicalJson(content)}\n`);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return { file, shown: `approvals/${state.env}/approved/${name}` };
}

/**
 * What `ndc approve` calls once every scope of the manifest's digest is approved: records out/<env>/ (each
 * listed artifact checked against its sha256 first) as the approved state of that digest.
 */
export function recordApprovedState(root: string, manifest: Manifest, approvedAt: Date): { file: string; shown: string } {
  const artifacts = manifest.artifacts.map((entry) => {
    const file = join(root, 'out', manifest.env, entry.path);
    if (!existsSync(file)) throw new InputError(`out/${manifest.env}/${entry.path}`, `is listed in out/${manifest.env}/manifest.json but missing; run ndc synth --env ${manifest.env}`);
    const content = readFileSync(file, 'utf8');
    if (sha256(content) !== entry.sha256) throw new InputError(`out/${manifest.env}/${entry.path}`, `does not match out/${manifest.env}/manifest.json (edited after synthesis); run ndc synth --env ${manifest.env}`);
    return { path: entry.path, engine: entry.engine, stack: entry.stack, content, resources: 0 };
  });
  const resourcesFile = join(root, 'out', manifest.env, RESOURCES_FILE);
  const content = existsSync(resourcesFile) ? readFileSync(resourcesFile, 'utf8') : '';
  const reach = recordedReach(content);
  if (reach === undefined || sha256(content) !== manifest.resources.sha256) throw new InputError(`out/${manifest.env}/${RESOURCES_FILE}`, `is missing or does not match out/${manifest.env}/manifest.json; run ndc synth --env ${manifest.env}`);
  return writeApprovedState(root, manifest, environmentState(manifest, scopedResources(artifacts), reach), approvedAt);
}

/** The digests with a stored approved state, in name order. */
export function approvedStateDigests(root: string, env: string): string[] {
  const dir = approvedStatesDir(root, env);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /^[0-9a-f]{64}\.json$/.test(name))
    .map((name) => name.slice(0, 64))
    .sort();
}

/**
 * Reads and verifies the approved state of `digest`; an edited or malformed file is one InputError line.
 * The manifest and every scope digest are always checked; a scope's resources are checked against its
 * Merkle root unless `verified` holds that same scope digest (a state verified otherwise, such as the current
 * one: its attributes are never shown, so a diff cannot lie through them).
 */
export function readApprovedState(root: string, env: string, digest: string, verified: ReadonlyMap<string, string> = new Map()): ApprovedState {
  const shown = `approvals/${env}/approved/${digest}.json`;
  const file = join(approvedStatesDir(root, env), `${digest}.json`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(shown, code ? `cannot be read (${code})` : `is not valid JSON (${(error as Error).message})`);
  }
  const parsed = approvedStateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${shown}: ${formatPath(issue.path) || '(top level)'}`, `${issue.message}; not an approved state ndc wrote`);
  }
  const state = parsed.data;
  const refuse = (where: string, why: string): never => {
    throw new InputError(`${shown}${where ? `: ${where}` : ''}`, `${why}; the file was edited after approval, so it cannot be diffed against (restore it from version control)`);
  };
  if (state.env !== env) refuse('env', `is ${JSON.stringify(state.env)}, not ${JSON.stringify(env)}`);
  if (state.digest !== digest) refuse('digest', `is ${state.digest.slice(0, 12)}..., but the file is named after ${digest.slice(0, 12)}...`);
  const manifest = parseManifest(state.manifest, `${shown}: manifest`, 'not an approved state ndc wrote');
  if (manifest.digest !== state.digest) refuse('manifest.digest', `is ${manifest.digest.slice(0, 12)}..., not the state's digest ${state.digest.slice(0, 12)}...`);
  if (manifest.env !== env) refuse('manifest.env', `is ${JSON.stringify(manifest.env)}, not ${JSON.stringify(env)}`);
  const problems = digestProblems(manifest);
  if (problems.length > 0) refuse('manifest', problems[0]);
  const levels = scopeLevels(manifest);
  const recorded = new Map(recordedScopeDigests(manifest));
  const seenScopes = new Set<string>();
  const seenAddresses = new Set<string>();
  for (const scope of state.scopes) {
    const where = `scopes[${scope.id}]`;
    if (seenScopes.has(scope.id)) refuse(where, 'is listed twice');
    seenScopes.add(scope.id);
    const known = levels.get(scope.id);
    if (known === undefined) refuse(where, 'is neither a system of its manifest nor the platform');
    if (known!.level !== scope.level) refuse(`${where}.level`, `is ${scope.level}, but its manifest says ${known!.level}`);
    if (known!.reach !== scope.reach) refuse(`${where}.reach`, 'is not the reachability digest its manifest records');
    if (reachDigest(scope.reachability) !== scope.reach) refuse(`${where}.reachability`, 'is not the list of lines its reach digest covers');
    if (verified.get(scope.id) !== scope.digest) {
      for (const resource of scope.resources) {
        if (seenAddresses.has(resource.address)) refuse(`${where}.resources[${resource.address}]`, 'is listed twice');
        seenAddresses.add(resource.address);
        if (resourceDigest(resource.body) !== resource.sha256) refuse(`${where}.resources[${resource.address}]`, 'its attributes do not hash to its sha256');
      }
      if (merkleRoot(scope.resources) !== scope.root) refuse(`${where}.root`, 'is not the Merkle root of its resources');
    }
    if (scopeDigestOf(scope.id, scope.level, scope.root, scope.reach) !== scope.digest) refuse(`${where}.digest`, 'is not the digest of its id, level, Merkle root and reachability');
    const manifestDigest = recorded.get(scope.id);
    if (manifestDigest !== undefined && manifestDigest !== scope.digest) refuse(`${where}.digest`, `is ${scope.digest.slice(0, 12)}..., but its manifest records ${manifestDigest.slice(0, 12)}...`);
  }
  for (const id of recorded.keys()) if (!seenScopes.has(id)) refuse('scopes', `${id} is missing, but its manifest records it`);
  const scopes = [...state.scopes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((s) => ({ ...s, resources: [...s.resources].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0)) }));
  return { env, digest, approvedAt: state.approvedAt, manifest, scopes, shown };
}

/** The scope digests a manifest records (format version 3 and later), which bind an approved state to its environment digest. */
function recordedScopeDigests(manifest: Manifest): [string, string][] {
  const scopes = (manifest as { scopes?: unknown }).scopes;
  if (!Array.isArray(scopes)) return [];
  return scopes.filter((s): s is { id: string; digest: string } => typeof s?.id === 'string' && typeof s?.digest === 'string').map((s) => [s.id, s.digest]);
}

/** When each stored state was approved, read from the head of its file (keys are sorted, so approvedAt comes first). */
function approvedAtOf(file: string): string | undefined {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(200);
    const read = readSync(fd, head, 0, head.length, 0);
    return /"approvedAt":\s*"([0-9T:.Z-]{24})"/.exec(head.subarray(0, read).toString('utf8'))?.[1];
  } finally {
    closeSync(fd);
  }
}

/** The digest of the last state every scope was approved in (latest approvedAt, then digest), if any. */
export function latestApprovedDigest(root: string, env: string): string | undefined {
  let best: { at: string; digest: string } | undefined;
  for (const digest of approvedStateDigests(root, env)) {
    const at = approvedAtOf(join(approvedStatesDir(root, env), `${digest}.json`)) ?? '';
    if (!best || at > best.at || (at === best.at && digest > best.digest)) best = { at, digest };
  }
  return best?.digest;
}

/**
 * The scope digests some reviewer of the trust store in force really signed (`<scope>@<digest>`), from the
 * approval files of `env` whose Ed25519 signature verifies against the signer's key there, whatever their
 * expiry (a baseline is what was approved then). An approved-state file is data anyone with the
 * repository can write: `ndc diff` and `ndc approve` show a scope as "unchanged since approval" only for a
 * digest in this set, so a planted state cannot hide a change from a reviewer. Undefined when no trust
 * store is in force (nothing can be verified).
 */
export function signedScopeDigests(root: string, env: string, trust: ResolvedTrust): ReadonlySet<string> | undefined {
  if (!trust.ok) return undefined;
  const signed = new Set<string>();
  for (const loaded of readApprovals(root, env)) {
    if (!('approval' in loaded)) continue;
    const { statement, signature } = loaded.approval;
    if (statement.env !== env || statement.operation !== 'deploy') continue;
    const key = trust.keys.get(statement.keyId);
    if (!key || !verifyStatement(key, APPROVAL_DOMAIN, canonicalJson(statement), signature)) continue;
    for (const scope of statement.scopes) signed.add(`${scope.id}@${scope.digest}`);
  }
  return signed;
}

/**
 * The state with only the scopes whose digest a trusted reviewer signed; the others are dropped, so a
 * diff shows them in full (as not approved before) rather than trusting the file's word for them.
 */
export function withSignedScopes(state: ApprovedState, signed: ReadonlySet<string>): { state: ApprovedState; unsigned: string[] } {
  const unsigned = state.scopes.filter((s) => !signed.has(`${s.id}@${s.digest}`)).map((s) => s.id);
  if (unsigned.length === 0) return { state, unsigned };
  return { state: { ...state, scopes: state.scopes.filter((s) => signed.has(`${s.id}@${s.digest}`)) }, unsigned };
}
