import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, sha256 } from '../core/canonical-json';
import { InputError } from '../core/errors';
import { buildCloud } from '../constructs';
import type { LoadedEnvironment } from '../environments/load';
import { recordedRenderArtifacts, synthCacheMode } from './cache';
import { digestProblems, manifestBodyOf, readManifest, verifyArtifacts, type Manifest, type ManifestArtifact, type ReachLines } from './manifest';
import { reachDigest, recordedScopeReachability } from './reach';
import { recordedScopeDerivation } from './scope-record';
import { merkleRoot, scopedResources, type ScopedResource } from './scopes';
import { applicableRenderers, engineSettings } from './synth';

/**
 * The render out/<env>/ already holds, recognized without rendering, for `ndc diff` at national scale
 * (a render parses and hashes every resource of every artifact: most of a diff's time at 1,000 systems
 * per region). It is taken only when all of these hold, and is undefined otherwise (the caller renders):
 * - the synthesis cache is in `use` (never under --no-cache, deploy or destroy) and records, for the
 *   environment as it is now, every renderer's artifacts: they are exactly the ones out/<env>/manifest.json
 *   lists (path, engine, stack, bytes, sha256), the engine settings included;
 * - the manifest's body is what the environment builds now, its digests are its own, and each scope's
 *   level and reachability digest are the ones the environment gives (the reachability lines as recorded
 *   for those very artifacts);
 * - a scope record (stacks/scope-record.ts) says this ndc built that manifest digest from its artifacts;
 * - every artifact and resources.json on disk match the manifest's sha256 (as staleReason checks a render).
 * A scope's resources are then read from only the artifacts that hold them (`resourcesOf`), and believed
 * only when they give the Merkle root and counts the manifest records for that scope.
 */
export interface RecordedRender {
  readonly manifest: Manifest;
  /** Every scope's reachability lines, as the render computed them. */
  readonly reach: ReachLines;
  /**
   * The resources of these scopes (ids of the manifest), parsed from the artifacts that hold them after each
   * one's bytes are checked against the manifest; undefined when any scope's resources are not what the
   * manifest records for it (an edited file or record), so the caller renders instead.
   */
  resourcesOf(ids: ReadonlySet<string>): ScopedResource[] | undefined;
}

export function recordedRender(root: string, { env, source }: LoadedEnvironment): RecordedRender | undefined {
  if (synthCacheMode() !== 'use') return undefined;
  let manifest: Manifest | undefined;
  try {
    manifest = readManifest(root, env.name);
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
  if (manifest === undefined || digestProblems(manifest).length > 0) return undefined;
  const cloud = buildCloud(env, source);
  const rendered: Pick<ManifestArtifact, 'path' | 'engine' | 'stack' | 'bytes' | 'sha256'>[] = [];
  for (const { folder, renderer } of applicableRenderers(cloud, env)) {
    const recorded = recordedRenderArtifacts(root, folder, renderer, env);
    if (recorded === undefined) return undefined;
    rendered.push(...recorded.map(({ path, engine, stack, bytes, sha256: hash }) => ({ path, engine, stack, bytes, sha256: hash })));
  }
  for (const a of engineSettings(root, rendered)) rendered.push({ path: a.path, engine: a.engine, stack: a.stack, bytes: Buffer.byteLength(a.content), sha256: sha256(a.content) });
  const listed = [...rendered].sort((a, b) => (a.path < b.path ? -1 : 1));
  if (canonicalJson(listed) !== canonicalJson(manifest.artifacts)) return undefined;
  const body = manifestBodyOf(cloud, env.approvals, env.platform);
  const { env: name, stage, profile, approvals, systems } = manifest;
  if (canonicalJson(body) !== canonicalJson({ env: name, stage, profile, approvals, systems })) return undefined;
  const reach = recordedScopeReachability(root, env.name, { artifacts: rendered, hashes: rendered.map((a) => a.sha256), governmentNetwork: cloud.govNetwork.text, systems: body.systems });
  if (reach === undefined) return undefined;
  const levels = new Map(body.systems.map((s) => [s.id, s.level]));
  if (manifest.scopes.length !== levels.size || !manifest.scopes.every((s) => levels.get(s.id) === s.level && s.reach === reachDigest(reach.get(s.id) ?? []))) return undefined;
  const record = recordedScopeDerivation(root, manifest);
  if (record === undefined) return undefined;
  if (verifyArtifacts(root, manifest, manifest).length > 0) return undefined;
  const known = manifest;
  return {
    manifest,
    reach,
    resourcesOf(ids) {
      const scopes = known.scopes.filter((s) => ids.has(s.id));
      const paths = new Set(scopes.flatMap((s) => record.artifactsOf.get(s.id) ?? []));
      const inputs = [];
      for (const entry of known.artifacts.filter((a) => paths.has(a.path))) {
        const file = join(root, 'out', known.env, entry.path);
        const content = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
        if (content === undefined || sha256(content) !== entry.sha256) return undefined;
        inputs.push({ path: entry.path, engine: entry.engine, stack: entry.stack, content });
      }
      let resources: ScopedResource[];
      try {
        resources = scopedResources(inputs).filter((r) => ids.has(r.scope));
      } catch (error) {
        if (error instanceof InputError) return undefined;
        throw error;
      }
      const byScope = new Map<string, ScopedResource[]>(scopes.map((s) => [s.id, []]));
      for (const r of resources) byScope.get(r.scope)!.push(r);
      for (const scope of scopes) {
        const own = byScope.get(scope.id)!;
        const settings = own.filter((r) => r.kind === 'setting').length;
        if (own.length - settings !== scope.resources || settings !== scope.settings || merkleRoot(own) !== scope.root) return undefined;
      }
      return resources;
    },
  };
}
