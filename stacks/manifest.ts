import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { canonicalJson, sha256 } from '../core/canonical-json';
import { InputError, show } from '../core/errors';
import { formatPath } from '../environments/validate';
import type { NationalCloud } from '../constructs';

/** What `ndc synth` writes: the artifacts to deploy and the systems they deploy; reviewers approve its digest. */
export const ENGINES = ['terraform', 'kubernetes', 'cloudformation'] as const;
export type Engine = (typeof ENGINES)[number];

export interface Artifact {
  /** Path relative to out/<env>/, with forward slashes. */
  readonly path: string;
  readonly engine: Engine;
  readonly stack: string;
  readonly content: string;
  /** Number of resources or objects the artifact declares (for summaries). */
  readonly resources: number;
}

const manifestSchema = z.strictObject({
  version: z.literal(1),
  env: z.string(),
  stage: z.string(),
  profile: z.string(),
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  artifacts: z.array(
    z.strictObject({ path: z.string(), engine: z.enum(ENGINES), stack: z.string(), bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  ),
  systems: z.array(
    z.strictObject({
      id: z.string(),
      name: z.string(),
      level: z.number().int().min(1).max(5),
      regions: z.array(z.string()),
      owner: z.string(),
      classification: z.string(),
      personalData: z.boolean(),
    }),
  ),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestArtifact = Manifest['artifacts'][number];
export type ManifestSystem = Manifest['systems'][number];

/** The digest: sha256 over the canonical list of (path, sha256) of every artifact, sorted by path. */
export function digestOf(artifacts: readonly Pick<ManifestArtifact, 'path' | 'sha256'>[]): string {
  const list = [...artifacts].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((a) => ({ path: a.path, sha256: a.sha256 }));
  return sha256(canonicalJson(list));
}

export function buildManifest(cloud: NationalCloud, artifacts: readonly Artifact[]): Manifest {
  const entries = [...artifacts]
    .sort((a, b) => (a.path < b.path ? -1 : 1))
    .map((a) => ({ path: a.path, engine: a.engine, stack: a.stack, bytes: Buffer.byteLength(a.content), sha256: sha256(a.content) }));
  return {
    version: 1,
    env: cloud.envName,
    stage: cloud.stage,
    profile: cloud.profile,
    digest: digestOf(entries),
    artifacts: entries,
    systems: cloud.systems.map((s) => ({
      id: s.id,
      name: s.displayName,
      level: s.level,
      regions: s.clusters.map((c) => c.id),
      owner: s.ownerAgency,
      classification: s.classification,
      personalData: s.personalData,
    })),
  };
}

export function manifestPath(root: string, env: string): string {
  return join(root, 'out', env, 'manifest.json');
}

/** Reads and validates out/<env>/manifest.json; undefined when the environment was never synthesized. */
export function readManifest(root: string, env: string): Manifest | undefined {
  return existsSync(manifestPath(root, env)) ? requireManifest(root, env) : undefined;
}

/** Reads and validates out/<env>/manifest.json; every problem, a missing file included, is one InputError line. */
export function requireManifest(root: string, env: string): Manifest {
  const file = manifestPath(root, env);
  const where = `out/${env}/manifest.json`;
  if (!existsSync(file)) throw new InputError(where, `not found; run ndc synth --env ${env} first`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(where, `is not valid JSON (${(error as Error).message}); run ndc synth --env ${env} again`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${where}: ${formatPath(issue.path) || '(top level)'}`, `${issue.message}; run ndc synth --env ${env} again`);
  }
  if (parsed.data.env !== env) throw new InputError(`${where}: env`, `${show(parsed.data.env)}: the manifest under out/${env} must be for ${show(env)}`);
  return parsed.data;
}

/**
 * Checks the artifacts on disk against the manifest. Returns the paths that are missing or whose sha256
 * differs (an artifact edited after synthesis), empty when everything matches.
 */
export function verifyArtifacts(root: string, manifest: Manifest): string[] {
  const bad: string[] = [];
  for (const artifact of manifest.artifacts) {
    const file = join(root, 'out', manifest.env, artifact.path);
    if (!existsSync(file) || sha256(readFileSync(file)) !== artifact.sha256) bad.push(artifact.path);
  }
  if (digestOf(manifest.artifacts) !== manifest.digest) bad.push('manifest.json (digest does not match its artifact list)');
  return bad;
}
