import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { canonicalJson, sha256, stableJson } from '../core/canonical-json';
import { InputError, show } from '../core/errors';
import { approvalSettingsSchema, platformSchema, PLATFORM_SYSTEM_ID, type ApprovalSettings, type Environment } from '../environments/schema';
import { formatPath } from '../environments/validate';
import { DECREE_85_APPROVERS } from '../environments/vocabulary';
import type { NationalCloud } from '../constructs';
import { scopeDigests, scopedResources, type ScopedResource } from './scopes';
import { reachDigest } from './reach';

/** What `ndc synth` writes: the artifacts to deploy and the systems they deploy; reviewers approve its digest. */
export const ENGINES = ['terraform', 'kubernetes', 'cloudformation'] as const;
export type Engine = (typeof ENGINES)[number];

/** Where deploy keeps the private, read-only copy of a manifest's files it applies: <root>/.ndc/snapshots/<digest>. */
export const SNAPSHOTS_DIR = '.ndc/snapshots';

export interface Artifact {
  /** Path relative to out/<env>/, with forward slashes. */
  readonly path: string;
  readonly engine: Engine;
  readonly stack: string;
  readonly content: string;
  /** Number of resources or objects the artifact declares (for summaries). */
  readonly resources: number;
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

const systemSchema = z.strictObject({
  id: z.string(),
  name: z.string(),
  level: z.number().int().min(1).max(5),
  regions: z.array(z.string()),
  owner: z.string(),
  classification: z.string(),
  personalData: z.boolean(),
});

/**
 * Version 4: per-scope digests (stacks/scopes.ts; approvals bind to them), each covering the scope's
 * resources and its reachability (stacks/reach.ts), and a file beside the manifest with every resource's
 * digest and every scope's reachability lines (resources.json, covered by its sha256 here). The environment digest combines the
 * body digest (systems, the platform, levels, owners, approval requirements), the artifact list digest
 * (every file deploy copies, engine settings included) and the scopes digest (scope digests + resources.json).
 */
/** The manifest's format version: a manifest of another version is stale, never read as this one. */
const MANIFEST_VERSION = 4 as const;

/** The per-resource digests beside the manifest: out/<env>/resources.json. */
export const RESOURCES_FILE = 'resources.json' as const;

const scopeDigestSchema = z.strictObject({
  id: z.string(),
  level: z.number().int().min(1).max(5),
  digest: hex64,
  root: hex64,
  resources: z.number().int().nonnegative(),
  settings: z.number().int().nonnegative(),
  /** reachDigest of the scope's reachability lines (resources.json `reachability`). */
  reach: hex64,
});

const manifestSchema = z.strictObject({
  version: z.literal(MANIFEST_VERSION),
  env: z.string(),
  stage: z.string(),
  profile: z.string(),
  /** The approval requirements in force when synthesized (the environment's `approvals` block). */
  approvals: approvalSettingsSchema,
  digest: hex64,
  digests: z.strictObject({ body: hex64, artifacts: hex64, scopes: hex64 }),
  /** Per scope (every system and the platform, by id): what approvals bind to. */
  scopes: z.array(scopeDigestSchema),
  /** The per-resource digest file beside the manifest. */
  resources: z.strictObject({ path: z.literal(RESOURCES_FILE), sha256: hex64, entries: z.number().int().nonnegative() }),
  artifacts: z.array(z.strictObject({ path: z.string(), engine: z.enum(ENGINES), stack: z.string(), bytes: z.number().int().nonnegative(), sha256: hex64 })),
  systems: z.array(systemSchema),
});

export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestArtifact = Manifest['artifacts'][number];
export type ManifestSystem = Manifest['systems'][number];
export type ManifestScope = Manifest['scopes'][number];

/** One line of resources.json: a resource or engine setting, its scope and digest (the body stays in the artifact). */
export type ResourceDigest = Pick<ScopedResource, 'address' | 'scope' | 'kind' | 'engine' | 'artifact' | 'sha256'>;

/** Per scope id, its reachability lines (stacks/reach.ts). */
export type ReachLines = ReadonlyMap<string, readonly string[]>;

/**
 * The text of resources.json for these entries (sorted by address, as scopedResources returns them) and
 * these scopes' reachability lines (every scope of `scopes` listed, one without lines as empty).
 */
export function resourcesFileContent(env: string, entries: readonly ScopedResource[], reach: ReachLines, scopes: Iterable<string>): string {
  const resources: ResourceDigest[] = entries.map((e) => ({ address: e.address, scope: e.scope, kind: e.kind, engine: e.engine, artifact: e.artifact, sha256: e.sha256 }));
  const reachability = Object.fromEntries([...new Set(scopes)].sort().map((id) => [id, reach.get(id) ?? []]));
  return stableJson({ version: 2, env, resources, reachability });
}

/** The reachability lines resources.json records, or undefined when it records none that can be read. */
export function recordedReach(content: string): Map<string, string[]> | undefined {
  try {
    const parsed = JSON.parse(content) as { reachability?: unknown };
    const table = parsed.reachability;
    if (table === null || typeof table !== 'object' || Array.isArray(table)) return undefined;
    const out = new Map<string, string[]>();
    for (const [id, lines] of Object.entries(table)) {
      if (!Array.isArray(lines) || !lines.every((l): l is string => typeof l === 'string')) return undefined;
      out.set(id, lines);
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Per scope id, the digest of its reachability lines (every scope of `scopes`). */
export function reachDigests(reach: ReachLines, scopes: Iterable<string>): Map<string, string> {
  return new Map([...scopes].map((id) => [id, reachDigest(reach.get(id) ?? [])]));
}

/** What the body digest covers: everything in the manifest except the artifact list and the digests. */
export type ManifestBody = Pick<Manifest, 'env' | 'stage' | 'profile' | 'approvals' | 'systems'>;

/** sha256 over the canonical list of (path, sha256) of every artifact, sorted by path. */
export function artifactListDigest(artifacts: readonly Pick<ManifestArtifact, 'path' | 'sha256'>[]): string {
  const list = [...artifacts].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((a) => ({ path: a.path, sha256: a.sha256 }));
  return sha256(canonicalJson(list));
}

/** sha256 over the canonical body; systems in id order so the digest does not depend on listing order. */
export function bodyDigest(body: ManifestBody): string {
  const systems = [...body.systems].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sha256(canonicalJson({ env: body.env, stage: body.stage, profile: body.profile, approvals: body.approvals, systems }));
}

/** sha256 over the scope digests (in id order) and the resources.json file they were computed with. */
export function scopesDigest(scopes: readonly ManifestScope[], resources: Manifest['resources']): string {
  const sorted = [...scopes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return sha256(canonicalJson({ scopes: sorted, resources }));
}

/** The environment digest: one sha256 over the body, artifact list and scopes digests. */
export function combinedDigest(digests: Manifest['digests']): string {
  return sha256(canonicalJson({ version: MANIFEST_VERSION, body: digests.body, artifacts: digests.artifacts, scopes: digests.scopes }));
}

/** The digests of a body, an artifact list and the scopes, as the manifest records them. */
export function digestsOf(
  body: ManifestBody & Partial<Pick<Manifest, 'scopes' | 'resources'>>,
  artifacts: readonly Pick<ManifestArtifact, 'path' | 'sha256'>[],
  scopes: Pick<Manifest, 'scopes' | 'resources'> = { scopes: body.scopes ?? [], resources: body.resources ?? { path: RESOURCES_FILE, sha256: sha256(''), entries: 0 } },
): Pick<Manifest, 'digest' | 'digests'> {
  const digests = { body: bodyDigest(body), artifacts: artifactListDigest(artifacts), scopes: scopesDigest(scopes.scopes, scopes.resources) };
  return { digest: combinedDigest(digests), digests };
}

const DEFAULT_APPROVALS: ApprovalSettings = approvalSettingsSchema.parse({ levels: DECREE_85_APPROVERS });

export type PlatformSettings = Environment['platform'];
const DEFAULT_PLATFORM: PlatformSettings = platformSchema.parse({});

/**
 * The body an environment renders to: its systems as built, the platform as a system of its own (every
 * cluster, level 4 or the environment's higher level), and its approval requirements.
 */
export function manifestBodyOf(cloud: NationalCloud, approvals: ApprovalSettings = DEFAULT_APPROVALS, platform: PlatformSettings = DEFAULT_PLATFORM): ManifestBody {
  return {
    env: cloud.envName,
    stage: cloud.stage,
    profile: cloud.profile,
    approvals,
    systems: [
      {
        id: PLATFORM_SYSTEM_ID,
        name: platform.name,
        level: platform.level,
        regions: cloud.clusters.map((c) => c.id),
        owner: platform.owner,
        // What it carries: every system's traffic and backups, so the highest classification.
        classification: 'secret',
        personalData: cloud.systems.some((s) => s.personalData),
      },
      ...cloud.systems.map((s) => ({
      id: s.id,
      name: s.displayName,
      level: s.level,
      regions: s.clusters.map((c) => c.id),
      owner: s.ownerAgency,
      classification: s.classification,
      personalData: s.personalData,
      })),
    ],
  };
}

/** The levels of the body's scopes (every system and the platform), for scopeDigests. */
export function scopeLevels(body: Pick<ManifestBody, 'systems'>): Map<string, number> {
  return new Map(body.systems.map((s) => [s.id, s.level]));
}

/**
 * The manifest of rendered artifacts. `resources` (scopedResources of the same artifacts) is computed
 * when not given; a resource without a scope, or of a scope that is no system here, is an InputError.
 */
export function buildManifest(
  cloud: NationalCloud,
  artifacts: readonly Artifact[],
  approvals?: ApprovalSettings,
  platform?: PlatformSettings,
  resources?: readonly ScopedResource[],
  reach: ReachLines = new Map(),
  /** Each artifact's sha256, in the order of `artifacts`, when the caller computed them already. */
  hashes?: readonly string[],
): Manifest {
  const entries = artifacts
    .map((a, i) => ({ path: a.path, engine: a.engine, stack: a.stack, bytes: Buffer.byteLength(a.content), sha256: hashes?.[i] ?? sha256(a.content) }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const body = manifestBodyOf(cloud, approvals, platform);
  const scoped = resources ?? scopedResources(artifacts);
  const levels = scopeLevels(body);
  const file = resourcesFileContent(body.env, scoped, reach, levels.keys());
  const scopes = { scopes: scopeDigests(scoped, levels, reachDigests(reach, levels.keys())), resources: { path: RESOURCES_FILE, sha256: sha256(file), entries: scoped.length } };
  return { version: MANIFEST_VERSION, ...body, ...digestsOf(body, entries, scopes), ...scopes, artifacts: entries };
}

/**
 * Where the manifest disagrees with the body the validated environment renders to: one line per field,
 * naming it (`systems[population-db].level`). Empty when they agree.
 */
export function bodyDisagreements(manifest: ManifestBody, expected: ManifestBody, source: string): string[] {
  const where = `out/${expected.env}/manifest.json`;
  const out: string[] = [];
  const differ = (a: unknown, b: unknown) => canonicalJson(a) !== canonicalJson(b);
  for (const field of ['env', 'stage', 'profile'] as const) {
    if (manifest[field] !== expected[field]) out.push(`${where}: ${field} is ${show(manifest[field])}, but ${source} says ${show(expected[field])}`);
  }
  for (const level of ['1', '2', '3', '4', '5'] as const) {
    if (differ(manifest.approvals.levels[level], expected.approvals.levels[level])) {
      out.push(`${where}: approvals.levels.${level} is ${manifest.approvals.levels[level].join(' + ')}, but ${source} says ${expected.approvals.levels[level].join(' + ')}`);
    }
  }
  if (manifest.approvals.maxValidityDays !== expected.approvals.maxValidityDays) {
    out.push(`${where}: approvals.maxValidityDays is ${manifest.approvals.maxValidityDays}, but ${source} says ${expected.approvals.maxValidityDays}`);
  }
  const listed = new Map(manifest.systems.map((s) => [s.id, s]));
  for (const system of expected.systems) {
    const entry = listed.get(system.id);
    if (!entry) {
      out.push(`${where}: systems: ${system.id} (level ${system.level}) is missing, but ${source} deploys it`);
      continue;
    }
    for (const field of ['name', 'level', 'owner', 'regions', 'classification', 'personalData'] as const) {
      if (differ(entry[field], system[field])) out.push(`${where}: systems[${system.id}].${field} is ${canonicalJson(entry[field])}, but ${source} says ${canonicalJson(system[field])}`);
    }
  }
  for (const system of manifest.systems) {
    if (!expected.systems.some((s) => s.id === system.id)) out.push(`${where}: systems: ${system.id} is listed, but ${source} has no such system`);
  }
  return out;
}

export function manifestPath(root: string, env: string): string {
  return join(root, 'out', env, 'manifest.json');
}

/** Reads and validates out/<env>/manifest.json; undefined when the environment was never synthesized. */
export function readManifest(root: string, env: string): Manifest | undefined {
  const file = manifestPath(root, env);
  if (!existsSync(file)) return undefined;
  // A manifest an earlier ndc wrote (another format version) is stale like a missing one: synthesize again.
  if (formatVersionOf(file) !== MANIFEST_VERSION) return undefined;
  return requireManifest(root, env);
}


function formatVersionOf(file: string): unknown {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return typeof raw === 'object' && raw !== null ? (raw as { version?: unknown }).version : undefined;
  } catch {
    // Unreadable: let requireManifest name the problem.
    return MANIFEST_VERSION;
  }
}

/** Reads and validates out/<env>/manifest.json; every problem, a missing file included, is one InputError line. */
export function requireManifest(root: string, env: string): Manifest {
  const file = manifestPath(root, env);
  const where = `out/${env}/manifest.json`;
  if (!existsSync(file)) throw new InputError(where, `not found; run ndc synth --env ${env} first`);
  const manifest = readManifestFile(file, where, `run ndc synth --env ${env} again`);
  if (manifest.env !== env) throw new InputError(`${where}: env`, `${show(manifest.env)}: the manifest under out/${env} must be for ${show(env)}`);
  return manifest;
}

/** Reads and validates a manifest file anywhere (out/<env>/ or a deploy snapshot); `fix` says what to do about a bad one. */
export function readManifestFile(file: string, where: string, fix: string): Manifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(where, `is not valid JSON (${(error as Error).message}); ${fix}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${where}: ${formatPath(issue.path) || '(top level)'}`, `${issue.message}; ${fix}`);
  }
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
  bad.push(...digestProblems(manifest));
  if (bad.length === 0) bad.push(...scopeProblems(root, manifest));
  return bad;
}

/**
 * Whether the manifest's scope digests and resources.json are those of the artifacts on disk (recomputed
 * from their contents): a manifest edited to keep an approved scope digest over changed resources is not.
 * Call after the artifacts' sha256 were checked; returns what disagrees, empty when all agree.
 */
export function scopeProblems(root: string, manifest: Manifest): string[] {
  const dir = join(root, 'out', manifest.env);
  const missing = manifest.artifacts.filter((a) => !existsSync(join(dir, a.path)));
  if (missing.length > 0) return missing.map((a) => a.path);
  const artifacts = manifest.artifacts.map((a) => ({ path: a.path, engine: a.engine, stack: a.stack, content: readFileSync(join(dir, a.path), 'utf8') }));
  let scoped: ScopedResource[];
  let scopes: ManifestScope[];
  // Levels as the scopes record them: whether they agree with the environment is the body's and the gate's check.
  const levels = new Map([...scopeLevels(manifest), ...manifest.scopes.map((s): [string, number] => [s.id, s.level])]);
  // The reachability lines cannot be recomputed here (the network model is the policies layer's): they are
  // taken from resources.json, whose bytes must still be the manifest's; the gate renders the environment
  // again and refuses a digest the artifacts' real reachability does not give.
  const file = join(dir, RESOURCES_FILE);
  const content = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  const reach = content === undefined ? undefined : recordedReach(content);
  if (content === undefined || reach === undefined || sha256(content) !== manifest.resources.sha256) return [`${RESOURCES_FILE} (missing, unreadable, or not the file the manifest's resources.sha256 names)`];
  try {
    scoped = scopedResources(artifacts);
    scopes = scopeDigests(scoped, levels, reachDigests(reach, levels.keys()));
  } catch (error) {
    if (error instanceof InputError) return [`manifest.json (its scopes cannot be computed from the artifacts: ${error.message})`];
    throw error;
  }
  const problems: string[] = [];
  const recorded = new Map(manifest.scopes.map((s) => [s.id, s]));
  for (const scope of scopes) {
    if (canonicalJson(recorded.get(scope.id)) !== canonicalJson(scope)) problems.push(`manifest.json (scopes[${scope.id}] is not the digest of that scope's resources in the artifacts)`);
  }
  for (const id of recorded.keys()) if (!scopes.some((s) => s.id === id)) problems.push(`manifest.json (scopes[${id}] names no system of the manifest)`);
  const expected = resourcesFileContent(manifest.env, scoped, reach, levels.keys());
  if (content !== expected) problems.push(`${RESOURCES_FILE} (the per-resource digests do not match the artifacts or the manifest)`);
  return problems;
}

/** The scope digests of a manifest by id (the platform's included). */
export function scopesById(manifest: Pick<Manifest, 'scopes'>): Map<string, ManifestScope> {
  return new Map(manifest.scopes.map((s) => [s.id, s]));
}

/** Whether the manifest's digests are those of its own body and artifact list (an edited manifest.json is not). */
export function digestProblems(manifest: Manifest): string[] {
  const problems: string[] = [];
  if (bodyDigest(manifest) !== manifest.digests.body) problems.push('manifest.json (its body: env, stage, profile, systems or approvals was edited after synthesis; digests.body does not match)');
  if (artifactListDigest(manifest.artifacts) !== manifest.digests.artifacts) problems.push('manifest.json (its artifact list was edited after synthesis; digests.artifacts does not match)');
  if (scopesDigest(manifest.scopes, manifest.resources) !== manifest.digests.scopes) problems.push('manifest.json (its scope digests were edited after synthesis; digests.scopes does not match)');
  if (combinedDigest(manifest.digests) !== manifest.digest) problems.push('manifest.json (digest is not the one of digests.body, digests.artifacts and digests.scopes)');
  return problems;
}

/** The reports `ndc start` writes beside the manifest: read by people, never by an engine (no snapshot holds them). */
export const REPORT_FILES = ['report.html', 'report.sarif'] as const;

/** Files under out/<env>/ that the manifest does not list (manifest.json and the reports aside): no engine may see them. */
export function unlistedFiles(root: string, manifest: Manifest): string[] {
  const listed = new Set(manifest.artifacts.map((a) => a.path));
  const dir = join(root, 'out', manifest.env);
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (path !== 'manifest.json' && path !== RESOURCES_FILE && !(REPORT_FILES as readonly string[]).includes(path) && !listed.has(path)) found.push(path);
    }
  };
  walk('');
  return found.sort();
}

/** Validates a manifest already parsed from JSON (one kept inside another file, such as an approved state). */
export function parseManifest(raw: unknown, where: string, fix: string): Manifest {
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${where}: ${formatPath(issue.path) || '(top level)'}`, `${issue.message}; ${fix}`);
  }
  return parsed.data;
}
