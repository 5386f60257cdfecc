import { canonicalJson, sha256 } from '../core/canonical-json';
import { projectSourceDigest, recordedValue, recordValue, synthCacheMode } from './cache';
import type { Manifest } from './manifest';
import type { ScopedResource } from './scopes';

/**
 * The scope record: that this ndc built a manifest's scope digests and resources.json by parsing every
 * one of its artifacts (stacks/scopes.ts), and which artifacts hold each scope's resources. A render
 * records it in .ndc/cache/<env>/scopes/<key>.json, keyed by the manifest's digest and the sources of
 * the computation (stacks/manifest.ts and what it imports). `ndc diff` reads it to take out/<env>/'s
 * scope digests without parsing every artifact again (stacks/recorded-render.ts). Like every cache entry it
 * is sealed with this machine's cache key (core/cache-seal.ts), so one planted in the project is never
 * read, and only a command that reports reads it, never deploy, destroy or the gate.
 */
const FORMAT = 1;

export interface ScopeRecord {
  readonly digest: string;
  /** Per scope id (every scope of the manifest): the artifacts holding its resources, by path. */
  readonly artifactsOf: ReadonlyMap<string, readonly string[]>;
}

/** The key of the record of a manifest digest (its file is .ndc/cache/<env>/scopes/<key>.json). */
export function scopeRecordKey(digest: string): string | undefined {
  try {
    return sha256(canonicalJson({ format: FORMAT, node: process.version, code: projectSourceDigest('stacks/manifest.ts').digest, digest }));
  } catch {
    // Sources the key cannot account for (not shipped beside dist/): no record, so nothing is taken from one.
    return undefined;
  }
}

/** Records, for a manifest a render just built from `resources` (scopedResources of all its artifacts), which artifacts hold each scope. */
export function recordScopeDerivation(root: string, manifest: Pick<Manifest, 'env' | 'digest' | 'scopes'>, resources: readonly ScopedResource[]): void {
  if (synthCacheMode() === 'off') return;
  const key = scopeRecordKey(manifest.digest);
  if (key === undefined) return;
  const artifactsOf = new Map<string, Set<string>>(manifest.scopes.map((s) => [s.id, new Set<string>()]));
  for (const r of resources) artifactsOf.get(r.scope)?.add(r.artifact);
  recordValue(root, manifest.env, 'scopes', key, { format: FORMAT, digest: manifest.digest, artifactsOf: Object.fromEntries([...artifactsOf].map(([id, paths]) => [id, [...paths].sort()])) });
}

/** The record of this manifest's digest, when the cache is in use and holds one that fits the manifest (every scope, only its artifacts). */
export function recordedScopeDerivation(root: string, manifest: Pick<Manifest, 'env' | 'digest' | 'scopes' | 'artifacts'>): ScopeRecord | undefined {
  const key = scopeRecordKey(manifest.digest);
  if (key === undefined) return undefined;
  return recordedValue(root, manifest.env, 'scopes', key, (recorded) => {
    const value = recorded as { format?: unknown; digest?: unknown; artifactsOf?: unknown } | null;
    if (value === null || typeof value !== 'object' || value.format !== FORMAT || value.digest !== manifest.digest) return undefined;
    const table = value.artifactsOf;
    if (table === null || typeof table !== 'object' || Array.isArray(table)) return undefined;
    const listed = new Set(manifest.artifacts.map((a) => a.path));
    const artifactsOf = new Map<string, readonly string[]>();
    for (const scope of manifest.scopes) {
      const paths = Object.hasOwn(table, scope.id) ? (table as Record<string, unknown>)[scope.id] : undefined;
      if (!Array.isArray(paths) || !paths.every((p): p is string => typeof p === 'string' && listed.has(p))) return undefined;
      artifactsOf.set(scope.id, paths);
    }
    if (Object.keys(table).length !== artifactsOf.size) return undefined;
    return { digest: manifest.digest, artifactsOf };
  });
}
