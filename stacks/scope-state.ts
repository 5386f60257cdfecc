import { canonicalJson, sha256 } from '../core/canonical-json';
import type { Engine, Manifest } from './manifest';

/**
 * An environment as a set of scopes and their resources, with every resource's attributes: what a diff
 * compares (the current out/<env>/, an approved state, a deploy snapshot, a synthesized git revision).
 */
// Until stacks/scopes.ts lands (h14-scopes), the names it exports are declared here with the same shapes.
export interface ScopedResource {
  readonly scope: string;
  readonly address: string;
  readonly engine: Engine;
  readonly artifact: string;
  readonly sha256: string;
  readonly body: unknown;
}

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
  readonly digest: string;
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

/** The platform's own scope (DESIGN.md: shared national infrastructure, level 4 under Decree 85 art. 10(3)). */
export const PLATFORM_SCOPE = 'national-cloud-platform';
export const PLATFORM_LEVEL = 4;

/** sha256 of a resource's canonical JSON: what its scope's digest covers. */
export function resourceDigest(body: unknown): string {
  return sha256(canonicalJson(body));
}

/** A scope's digest: the Merkle root over its resources' (address, sha256) leaves in address order. */
export function scopeDigest(resources: readonly Pick<ResourceState, 'address' | 'sha256'>[]): string {
  let level = [...resources].sort((a, b) => compare(a.address, b.address)).map((r) => sha256(canonicalJson({ address: r.address, sha256: r.sha256 })));
  if (level.length === 0) return sha256('');
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? sha256(level[i] + level[i + 1]) : level[i]);
    level = next;
  }
  return level[0];
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The level of each scope as a manifest records it (its systems, the platform at its level). */
export function scopeLevels(manifest: Pick<Manifest, 'systems'>): Map<string, number> {
  const levels = new Map<string, number>(manifest.systems.map((s) => [s.id, s.level]));
  if (!levels.has(PLATFORM_SCOPE)) levels.set(PLATFORM_SCOPE, PLATFORM_LEVEL);
  return levels;
}

/** Groups resources by scope, with each scope's digest and the level the manifest gives it. */
export function environmentState(manifest: Pick<Manifest, 'env' | 'digest' | 'systems'>, resources: readonly ScopedResource[]): EnvironmentState {
  const levels = scopeLevels(manifest);
  const byScope = new Map<string, ResourceState[]>();
  for (const r of resources) {
    const list = byScope.get(r.scope) ?? [];
    list.push({ address: r.address, engine: r.engine, artifact: r.artifact, sha256: r.sha256, body: r.body });
    byScope.set(r.scope, list);
  }
  const scopes = [...byScope.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([id, list]) => {
      const sorted = list.sort((a, b) => compare(a.address, b.address));
      return { id, level: levels.get(id) ?? PLATFORM_LEVEL, digest: scopeDigest(sorted), resources: sorted };
    });
  return { env: manifest.env, digest: manifest.digest, scopes };
}
