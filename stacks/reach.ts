import { canonicalJson, sha256 } from '../core/canonical-json';
import { cachedValue, projectSourceDigest, recordedValue, synthCacheMode } from './cache';
import type { Artifact, ManifestBody } from './manifest';

/**
 * Reachability in scope digests. A scope's approvals must go void when a change elsewhere changes who can
 * reach it (a platform firewall rule opening a database to the internet), so each scope digest covers the
 * lines of its reachability. They are computed from the artifacts by the network model, which belongs to
 * the policies layer (policies/network/scope-reach.ts); a layer only imports from the layers above it, so
 * the composition roots (the command line, the tests' setup, the benchmarks) install it here, and rendering
 * refuses to build a manifest before they have.
 */

export interface ReachInput {
  readonly artifacts: readonly Pick<Artifact, 'path' | 'engine' | 'stack' | 'content'>[];
  /** The government network's CIDR (the environment's interconnect.govNetworkCidr). */
  readonly governmentNetwork: string;
  /** Every scope of the manifest (the systems and the platform). */
  readonly systems: ManifestBody['systems'];
  /** Each artifact's sha256, in the order of `artifacts`, when the caller computed them already. */
  readonly hashes?: readonly string[];
}

/** Per scope id: its reachability lines, sorted. */
export type ScopeReachability = (input: ReachInput) => ReadonlyMap<string, readonly string[]>;

let installed: { compute: ScopeReachability; source: string } | undefined;

/**
 * Installs how reachability is computed (policies/network/scope-reach.ts scopeReachLines); `source` is
 * that module's path from the repository root, whose sources (and what they import) key the cache.
 */
export function installScopeReachability(compute: ScopeReachability, source = 'policies/network/scope-reach.ts'): void {
  installed = { compute, source };
}

/** The installed computation; a render without one would give digests blind to reachability, so it is an error. */
export function scopeReachability(): ScopeReachability {
  if (!installed) throw new Error('internal: no scope reachability installed (call installScopeReachability from the composition root before rendering)');
  return installed.compute;
}

/**
 * The scopes' reachability lines for rendered artifacts, through the synthesis cache of project `root`
 * when it is on (stacks/cache.ts: deploy and destroy compute afresh), keyed by every artifact's sha256,
 * stack and engine, the facts the model reads, and the sources of the computation.
 */
export function renderedScopeReachability(root: string | undefined, env: string, input: ReachInput): ReadonlyMap<string, readonly string[]> {
  const compute = scopeReachability();
  const ids = input.systems.map((s) => s.id);
  const key = () => reachKey({ ...input, hashes: input.artifacts.map((a, i) => input.hashes?.[i] ?? sha256(a.content)) });
  const table = cachedValue(root, env, 'reach', root === undefined || synthCacheMode() === 'off' ? '' : key(), () => Object.fromEntries(compute(input)), (recorded) => linesTable(recorded, ids));
  return new Map(Object.entries(table));
}

/** The cache key of the lines: every artifact's path, engine, stack and sha256, the facts the model reads, the computation's sources. */
function reachKey(input: Omit<ReachInput, 'artifacts' | 'hashes'> & { artifacts: readonly Pick<Artifact, 'path' | 'engine' | 'stack'>[]; hashes: readonly string[] }): string {
  scopeReachability();
  return sha256(
    canonicalJson({
      node: process.version,
      code: projectSourceDigest(installed!.source).digest,
      artifacts: input.artifacts.map((a, i) => [a.path, a.engine, a.stack, input.hashes[i]]),
      governmentNetwork: input.governmentNetwork,
      systems: input.systems.map((s) => [s.id, s.level, s.owner]),
    }),
  );
}

/**
 * The lines `renderedScopeReachability` recorded for artifacts known by their sha256 alone (their bytes
 * not read), when the cache is in `use` and holds them; undefined otherwise (nothing is computed).
 */
export function recordedScopeReachability(root: string, env: string, input: Omit<ReachInput, 'artifacts' | 'hashes'> & { artifacts: readonly Pick<Artifact, 'path' | 'engine' | 'stack'>[]; hashes: readonly string[] }): ReadonlyMap<string, readonly string[]> | undefined {
  const ids = input.systems.map((s) => s.id);
  const table = recordedValue(root, env, 'reach', reachKey(input), (recorded) => linesTable(recorded, ids));
  return table === undefined ? undefined : new Map(Object.entries(table));
}

/** A recorded table of lines for exactly these scope ids, or undefined. */
function linesTable(recorded: unknown, ids: readonly string[]): Record<string, readonly string[]> | undefined {
  if (recorded === null || typeof recorded !== 'object' || Array.isArray(recorded)) return undefined;
  const table = recorded as Record<string, unknown>;
  const keys = Object.keys(table);
  if (keys.length !== ids.length || !ids.every((id) => Object.hasOwn(table, id))) return undefined;
  for (const id of ids) {
    const lines = table[id];
    if (!Array.isArray(lines) || !lines.every((l) => typeof l === 'string')) return undefined;
  }
  return table as Record<string, readonly string[]>;
}

/** The digest of one scope's reachability lines, as its scope digest covers it. */
export function reachDigest(lines: readonly string[]): string {
  return sha256(`ndc-reach-v1\n${lines.join('\n')}`);
}
