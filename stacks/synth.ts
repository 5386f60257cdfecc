import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, type Dirent } from 'node:fs';
import { dirname, join } from 'node:path';
import { sha256, stableJson } from '../core/canonical-json';
import { RUNNING_COMPILED } from '../core/helper-thread';
import { progressStep } from '../core/progress-line';
import { buildCloud, type NationalCloud } from '../constructs';
import { loadEnvironment, type LoadedEnvironment } from '../environments/load';
import type { SourceMap } from '../environments/source-map';
import type { Environment } from '../environments/schema';
import { buildManifest, manifestBodyOf, readManifest, resourcesFileContent, RESOURCES_FILE, verifyArtifacts, type Artifact, type Manifest, type ManifestBody, type ReachLines } from './manifest';
import { renderedScopeReachability } from './reach';
import { recordScopeDerivation } from './scope-record';
import { scopedResources, type ScopedResource } from './scopes';
import { cachedRender, cacheWouldServe, type CacheOutcome } from './cache';
import type { Renderer } from './renderer';

/**
 * The engines' renderers. Each is required only when used, so loading ndc does not load cdktf,
 * @pulumi/* or aws-cdk-lib.
 */
const RENDERERS: readonly { folder: string; load: () => Renderer }[] = [
  { folder: 'terraform', load: () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { terraformRenderer } = require('./terraform/renderer') as typeof import('./terraform/renderer');
    return terraformRenderer;
  } },
  { folder: 'kubernetes', load: () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { kubernetesRenderer } = require('./kubernetes/renderer') as typeof import('./kubernetes/renderer');
    return kubernetesRenderer;
  } },
  { folder: 'public-edge', load: () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { publicEdgeRenderer } = require('./public-edge/renderer') as typeof import('./public-edge/renderer');
    return publicEdgeRenderer;
  } },
];

export interface SynthResult {
  readonly env: Environment;
  readonly source: string;
  /** The environment's evidence records, loaded with it (the interval rules read them). */
  readonly evidence: LoadedEnvironment['evidence'];
  /** Where the environment defines each system and region (environments/source-map.ts). */
  readonly locations?: SourceMap;
  readonly cloud: NationalCloud;
  readonly artifacts: readonly Artifact[];
  readonly manifest: Manifest;
  /** out/<env> */
  readonly outDir: string;
  /** Every resource and engine setting with its scope (stacks/scopes.ts), as resources.json lists them. */
  readonly resources: readonly ScopedResource[];
  /** Every scope's reachability lines (stacks/reach.ts), as resources.json lists them. */
  readonly reach: ReachLines;
  /** Per renderer folder: whether its artifacts came from the synthesis cache (stacks/cache.ts). */
  readonly cache?: Readonly<Record<string, CacheOutcome>>;
}

/** Loads, builds and renders an environment in memory (nothing written). */
export function renderEnvironment(root: string, envName: string): Omit<SynthResult, 'outDir'> {
  return renderLoaded(loadEnvironment(root, envName), root);
}

/**
 * Builds and renders an environment already loaded (the caller loaded it once for several uses). With
 * the project `root`, renderers go through the synthesis cache under root/.ndc/cache when it is on, and
 * the engine settings of `root` that deploy uses (the Pulumi project and stack files) become artifacts.
 */
export function renderLoaded({ env, source, evidence, locations }: LoadedEnvironment, root?: string, built?: NationalCloud, options: RenderOptions = {}): Omit<SynthResult, 'outDir'> {
  // `built`: the model the caller already built from this very environment (buildCloud is deterministic).
  const cloud = built ?? buildCloud(env, source);
  const cache: Record<string, CacheOutcome> = {};
  const artifacts = renderCloud(cloud, env, root, cache, source);
  if (root !== undefined) artifacts.push(...engineSettings(root, artifacts));
  options.rendered?.(artifacts, cache, cloud);
  const resources = scopedResources(artifacts);
  const { manifest, reach } = manifestOfRender(cloud, env, artifacts, resources, root);
  if (root !== undefined) recordScopeDerivation(root, manifest, resources);
  return { env, source, evidence, locations, cloud, artifacts, manifest, resources, reach, cache };
}

export interface RenderOptions {
  /**
   * Called with every artifact as soon as they are rendered (before the resources are scoped and the
   * manifest built), with what the synthesis cache did for each renderer: ndc start starts validating
   * them on the helper thread then (policies/validation/ahead.ts).
   */
  readonly rendered?: (artifacts: readonly Artifact[], cache: Readonly<Record<string, CacheOutcome>>, cloud: NationalCloud) => void;
}

/** The manifest of rendered artifacts, its scope digests covering each scope's reachability (stacks/reach.ts). */
export function manifestOfRender(cloud: NationalCloud, env: Environment, artifacts: readonly Artifact[], resources?: readonly ScopedResource[], root?: string): { manifest: Manifest; reach: ReachLines } {
  const body = manifestBodyOf(cloud, env.approvals, env.platform);
  // Hashed once: at 1,000 systems per region the artifacts are hundreds of megabytes.
  const hashes = artifacts.map((a) => sha256(a.content));
  const reach = renderedScopeReachability(root, env.name, { artifacts, governmentNetwork: cloud.govNetwork.text, systems: body.systems, hashes });
  return { manifest: buildManifest(cloud, artifacts, env.approvals, env.platform, resources, reach, hashes), reach };
}

/** The manifest body a validated environment renders to (what the gate judges; no artifact is rendered). */
export function environmentBody({ env, source }: LoadedEnvironment): ManifestBody {
  return manifestBodyOf(buildCloud(env, source), env.approvals, env.platform);
}

/** The engine settings files deploy needs for these artifacts, copied from the project (see each engine's module). */
export function engineSettings(root: string, artifacts: readonly Pick<Artifact, 'path' | 'engine' | 'stack'>[]): Artifact[] {
  // One Pulumi stack per Kubernetes artifact (a cluster's objects, its prerequisites): its stack name is the artifact's stack.
  const stacks = [...new Set(artifacts.filter((a) => a.engine === 'kubernetes' && a.path.startsWith('kubernetes/')).map((a) => a.stack))];
  if (stacks.length === 0) return [];
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { pulumiSettingsArtifacts } = require('./kubernetes/engine-settings') as typeof import('./kubernetes/engine-settings');
  return pulumiSettingsArtifacts(root, stacks);
}

/**
 * Every artifact of a built cloud, from each renderer that applies (the policy fixtures use it too). For
 * a command (`root` and `source` given, running compiled), a renderer that can work on another thread and
 * is not served from the cache starts first, so its render overlaps with the others' on a second core.
 */
export function renderCloud(cloud: NationalCloud, env: Environment, root?: string, outcomes: Record<string, CacheOutcome> = {}, source?: string): Artifact[] {
  const applicable = applicableRenderers(cloud, env);
  const ahead = new Map<string, () => Artifact[]>();
  if (root !== undefined && source !== undefined && RUNNING_COMPILED && applicable.length > 1) {
    for (const { folder, renderer } of applicable) {
      if (renderer.renderAhead && !cacheWouldServe(root, folder, renderer, env)) ahead.set(folder, renderer.renderAhead(cloud, env, source));
    }
  }
  const artifacts: Artifact[] = [];
  for (const { folder, renderer } of applicable) {
    progressStep(`synthesizing ${env.name}: ${folder} stacks`, () => {
      const render = ahead.get(folder) ?? (() => renderer.render(cloud, env));
      if (root === undefined) artifacts.push(...render());
      else artifacts.push(...cachedRender(root, folder, renderer, cloud, env, (o) => (outcomes[folder] = o), render));
    });
  }
  return artifacts;
}

/** The renderers that apply to the environment, in the order their artifacts are rendered. */
export function applicableRenderers(cloud: NationalCloud, env: Environment): { folder: string; renderer: Renderer }[] {
  return RENDERERS.map(({ folder, load }) => ({ folder, renderer: load() })).filter(({ renderer }) => renderer.applies(cloud, env));
}

/**
 * `ndc synth`: renders the environment (`loaded`: as the command already loaded it) and replaces
 * out/<env>/ with the artifacts and manifest.json. Everything is written to a sibling directory first and swapped in by rename, so bad input or a crash
 * leaves the previous out/<env>/ as it was.
 */
export function synthEnvironment(root: string, envName: string, loaded?: LoadedEnvironment, built?: NationalCloud, options?: RenderOptions): SynthResult {
  return writeRendered(root, renderLoaded(loaded ?? loadEnvironment(root, envName), root, built, options));
}

/**
 * Why out/<env>/ is not exactly `rendered` (missing, another digest, or files that do not match the
 * manifest), or undefined when it is.
 */
export function staleReason(root: string, rendered: Omit<SynthResult, 'outDir'>): string | undefined {
  const envName = rendered.env.name;
  const onDisk = readManifest(root, envName);
  if (!onDisk) return `out/${envName}/manifest.json is missing`;
  if (onDisk.digest !== rendered.manifest.digest) return `${rendered.source} no longer renders to the synthesized digest`;
  const bad = verifyArtifacts(root, onDisk, rendered.manifest);
  if (bad.length > 0) return `out/${envName}/ does not match its manifest (${bad.slice(0, 3).join(', ')}${bad.length > 3 ? ', ...' : ''})`;
  return undefined;
}

/**
 * The one way commands that read artifacts get them: render (through the synthesis cache when it is on)
 * and write out/<env>/ only when it is missing or stale. Returns the render and why it was written.
 * deploy and destroy never call this: they apply only what was synthesized and approved.
 */
export function synthesizeIfStale(root: string, rendered: Omit<SynthResult, 'outDir'>): { rendered: Omit<SynthResult, 'outDir'>; synthesized?: string } {
  const reason = staleReason(root, rendered);
  if (reason !== undefined) writeRendered(root, rendered);
  return { rendered, synthesized: reason };
}

/** Writes an in-memory render to out/<env>/ (atomically, as `synthEnvironment`). */
export function writeRendered(root: string, rendered: Omit<SynthResult, 'outDir'>): SynthResult {
  const envName = rendered.env.name;
  const outRoot = join(root, 'out');
  const outDir = join(outRoot, envName);
  const staging = join(outRoot, `.${envName}.synth-${process.pid}`);
  const previous = join(outRoot, `.${envName}.previous-${process.pid}`);
  const files = new Map(rendered.artifacts.map((a) => [a.path, a.content]));
  files.set(RESOURCES_FILE, resourcesFileContent(envName, rendered.resources, rendered.reach, rendered.manifest.scopes.map((s) => s.id)));
  files.set('manifest.json', stableJson(rendered.manifest));
  // An unchanged synthesis (the usual re-run) reads out/<env>/ instead of writing and swapping it whole.
  if (holdsExactly(outDir, files)) return { ...rendered, outDir };
  rmSync(staging, { recursive: true, force: true });
  try {
    for (const [path, content] of files) {
      const file = join(staging, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    mkdirSync(staging, { recursive: true });
    if (existsSync(outDir)) renameSync(outDir, previous);
    renameSync(staging, outDir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(outDir) && existsSync(previous)) renameSync(previous, outDir);
    throw error;
  }
  rmSync(previous, { recursive: true, force: true });
  return { ...rendered, outDir };
}

/** Whether `dir` holds exactly `files` (path under dir -> content), byte for byte, and nothing else. */
function holdsExactly(dir: string, files: ReadonlyMap<string, string>): boolean {
  let matched = 0;
  const walk = (folder: string, prefix: string): boolean => {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return false;
    }
    // An empty folder is something the synthesis would not have written.
    if (entries.length === 0) return false;
    for (const entry of entries) {
      const path = `${prefix}${entry.name}`;
      if (entry.isDirectory()) {
        if (!walk(join(folder, entry.name), `${path}/`)) return false;
        continue;
      }
      const expected = files.get(path);
      if (!entry.isFile() || expected === undefined || !readFileSync(join(folder, entry.name)).equals(Buffer.from(expected))) return false;
      matched++;
    }
    return true;
  };
  return walk(dir, '') && matched === files.size;
}
