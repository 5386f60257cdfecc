import { canonicalJson, sha256 } from '../core/canonical-json';
import type { Engine, Manifest } from './manifest';
import { reachDigest } from './reach';
import { merkleRoot, PLATFORM_SCOPE, scopeDigestOf, type ScopedResource } from './scopes';

/**
 * An environment as a set of scopes and their resources, with every resource's attributes: what a diff
 * compares (the current out/<env>/, an approved state, a deploy snapshot, a synthesized git revision).
 */
export interface ResourceState {
  readonly address: string;
  readonly engine: Engine;
  /** The artifact it is declared in, relative to out/<env>/. */
  readonly artifact: string;
  readonly sha256: string;
  /** Its attributes as the artifact declares them. */
  readonly body: unknown;
}

export interface ScopeState {
  readonly id: string;
  readonly level: number;
  /** What approvals bind to (stacks/scopes.ts scopeDigestOf: id, level, Merkle root, reachability digest). */
  readonly digest: string;
  /** Merkle root over the resources' (address, sha256). */
  readonly root: string;
  /** reachDigest of the scope's reachability lines (stacks/reach.ts). */
  readonly reach: string;
  /** Those lines, where the state records them (resources.json; an approved state). */
  readonly reachability?: readonly string[];
  /** Sorted by address. */
  readonly resources: readonly ResourceState[];
}

export interface EnvironmentState {
  readonly env: string;
  /** The environment digest (manifest.json's `digest`). */
  readonly digest: string;
  /** Sorted by id. */
  readonly scopes: readonly ScopeState[];
}

export { PLATFORM_SCOPE };
/** The platform's level where a manifest does not record it (DESIGN.md: Decree 85 art. 10(3)). */
export const PLATFORM_LEVEL = 4;

/** sha256 of a resource's canonical JSON (stacks/scopes.ts computes it the same way). */
export function resourceDigest(body: unknown): string {
  return sha256(canonicalJson(body));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** What a manifest may record per scope (format version 3 and later): level and inbound reachability. */
interface RecordedScope {
  readonly id: string;
  readonly level: number;
  readonly reach?: string;
}

function recordedScopes(manifest: object): readonly RecordedScope[] {
  const scopes = (manifest as { scopes?: unknown }).scopes;
  if (!Array.isArray(scopes)) return [];
  return scopes.filter((s): s is RecordedScope => typeof (s as RecordedScope)?.id === 'string' && typeof (s as RecordedScope)?.level === 'number');
}

/** The level (and recorded reachability) of each scope a manifest knows: its scopes, else its systems and the platform. */
export function scopeLevels(manifest: Pick<Manifest, 'systems'>): Map<string, { level: number; reach?: string }> {
  const levels = new Map<string, { level: number; reach?: string }>(manifest.systems.map((s) => [s.id, { level: s.level }]));
  if (!levels.has(PLATFORM_SCOPE)) levels.set(PLATFORM_SCOPE, { level: PLATFORM_LEVEL });
  for (const s of recordedScopes(manifest)) levels.set(s.id, { level: s.level, ...(s.reach !== undefined ? { reach: s.reach } : {}) });
  return levels;
}

/** A scope's state from its resources: the Merkle root over them and the digest approvals bind to. */
export function scopeState(id: string, level: number, resources: readonly ResourceState[], reach: string = reachDigest([]), reachability?: readonly string[]): ScopeState {
  const sorted = [...resources].sort((a, b) => compare(a.address, b.address));
  const root = merkleRoot(sorted);
  return { id, level, digest: scopeDigestOf(id, level, root, reach), root, reach, ...(reachability !== undefined ? { reachability } : {}), resources: sorted };
}

/** Groups resources by scope, every scope the manifest knows included (an empty one too). */
export function environmentState(manifest: Pick<Manifest, 'env' | 'digest' | 'systems'>, resources: readonly ScopedResource[], reach?: ReadonlyMap<string, readonly string[]>): EnvironmentState {
  const levels = scopeLevels(manifest);
  const byScope = new Map<string, ResourceState[]>([...levels.keys()].map((id) => [id, []]));
  for (const r of resources) {
    const list = byScope.get(r.scope) ?? [];
    list.push({ address: r.address, engine: r.engine, artifact: r.artifact, sha256: r.sha256, body: r.body });
    byScope.set(r.scope, list);
  }
  const scopes = [...byScope.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([id, list]) => {
      const known = levels.get(id);
      // Lines count only where they are the ones the recorded reach digest covers.
      const lines = reach === undefined ? undefined : (reach.get(id) ?? []);
      const reachability = lines !== undefined && known?.reach === reachDigest(lines) ? lines : undefined;
      return scopeState(id, known?.level ?? PLATFORM_LEVEL, list, known?.reach, reachability);
    });
  return { env: manifest.env, digest: manifest.digest, scopes };
}
