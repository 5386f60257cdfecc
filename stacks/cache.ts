import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { cacheSeal } from '../core/cache-seal';
import { canonicalJson, sha256 } from '../core/canonical-json';
import type { NationalCloud } from '../constructs';
import type { Environment } from '../environments/schema';
import type { Artifact } from './manifest';
import type { Renderer } from './renderer';

/**
 * The synthesis cache: per environment and renderer (one stacks/<folder>), the artifacts it produced for
 * a digest of everything they depend on: the renderer's slice of the validated environment, the project
 * sources it imports (transitively, the model's constructs included), the versions of the libraries those
 * import, the Node version and this format. A hit returns the recorded files, each checked against its
 * recorded sha256; anything missing or edited is a miss and is rendered afresh. The cache lives under
 * .ndc/cache/ and can be deleted at any time.
 */

/** Bump when the entry layout or the key's composition changes. */
const FORMAT = 1;
/** Entries kept per environment and renderer (switching branches back and forth still hits). */
const KEEP = 4;

/** `use`: serve hits and store misses; `refresh`: render everything afresh and store it; `off`: no cache. */
export type CacheMode = 'use' | 'refresh' | 'off';

let mode: CacheMode = 'off';

/**
 * The process-wide setting: the command line uses the cache for each command (`refresh` with --no-cache,
 * and for deploy and destroy); library callers and tests render afresh unless they turn it on. Returns
 * the previous setting.
 */
export function useSynthCache(setting: boolean | CacheMode): CacheMode {
  const previous = mode;
  mode = setting === true ? 'use' : setting === false ? 'off' : setting;
  return previous;
}

/** The process-wide setting. */
export function synthCacheMode(): CacheMode {
  return mode;
}

export function cacheDirectory(root: string): string {
  return join(root, '.ndc', 'cache');
}

/**
 * The part of the validated environment a renderer's output depends on. The public edge reads its own
 * settings and the systems placed on it; the other renderers read everything but the settings only the
 * policy engine, the approvals and the edge read. A renderer without an entry here gets the whole
 * environment, which is always safe. A renderer that starts reading more must widen its slice here.
 */
const SLICES: Record<string, (env: Environment) => unknown> = {
  'public-edge': (env) => ({ name: env.name, edge: env.edge ?? null, systems: env.systems.filter((s) => s.publicEdge) }),
  terraform: (env) => withoutPolicyOnlySettings(env),
  kubernetes: (env) => withoutPolicyOnlySettings(env),
};

function withoutPolicyOnlySettings(env: Environment): unknown {
  const { policy: _policy, approvals: _approvals, asOf: _asOf, edge: _edge, ...rest } = env;
  return rest;
}

/** The folder holding the project's TypeScript sources (the repository, also when running from dist/). */
const SOURCE_ROOT = [resolve(__dirname, '..'), resolve(__dirname, '..', '..')].find((dir) => existsSync(join(dir, 'stacks', 'renderer.ts'))) ?? resolve(__dirname, '..');

const SPECIFIER = /(?:\bfrom\s+|\brequire\(\s*|\bimport\(\s*)['"]([^'"]+)['"]/g;

interface SourceDigest {
  readonly digest: string;
  readonly libraries: Record<string, string>;
  /** The data files covered besides the sources (a renderer's digest only), from the repository root. */
  readonly data?: readonly string[];
}

const sourceDigests = new Map<string, SourceDigest>();
/** Per source file: its sha256, the project files and the packages it imports (renderers share most). */
const scanned = new Map<string, { hash: string; files: string[]; packages: string[] }>();

function scan(file: string): { hash: string; files: string[]; packages: string[] } {
  let known = scanned.get(file);
  if (known) return known;
  const text = readFileSync(file, 'utf8');
  known = { hash: sha256(text), files: [], packages: [] };
  if (file.endsWith('.ts')) {
    for (const [, specifier] of text.matchAll(SPECIFIER)) {
      if (specifier.startsWith('.')) {
        const target = resolveSource(resolve(dirname(file), specifier));
        if (target === undefined) throw new Error(`internal: ${file} imports ${specifier}, which the synthesis cache cannot find`);
        known.files.push(target);
      } else if (!specifier.startsWith('node:')) {
        known.packages.push(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
      }
    }
  }
  scanned.set(file, known);
  return known;
}

/**
 * sha256 over the sources a renderer folder's entry point imports, transitively within the project,
 * and the versions of the packages they import (from node_modules/<package>/package.json).
 */
export function rendererSourceDigest(folder: string): SourceDigest {
  const known = sourceDigests.get(`data:${folder}`);
  if (known) return known;
  const code = projectSourceDigest(`stacks/${folder}/renderer.ts`);
  // The data files a renderer reads at run time (vendored CRDs, provider schemas, Pulumi settings...):
  // every file under its folder that is not a TypeScript source, so an edited one is rendered afresh.
  const data = dataFiles(join(SOURCE_ROOT, 'stacks', folder)).map((file) => [file.slice(SOURCE_ROOT.length + 1).split('\\').join('/'), sha256(readFileSync(file))]);
  const result = { digest: sha256(canonicalJson({ code: code.digest, data })), libraries: code.libraries, data: data.map(([file]) => file) };
  sourceDigests.set(`data:${folder}`, result);
  return result;
}

/** The files under `dir` that are not TypeScript sources, sorted (none when it does not exist). */
function dataFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...dataFiles(path));
    else if (entry.isFile() && !entry.name.endsWith('.ts')) found.push(path);
  }
  return found.sort();
}

/** The same over any project source (its path from the repository root) and what it imports. */
export function projectSourceDigest(entry: string): SourceDigest {
  const known = sourceDigests.get(entry);
  if (known) return known;
  const files = new Map<string, string>();
  const packages = new Set<string>();
  const pending = [join(SOURCE_ROOT, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    const source = scan(file);
    files.set(file, source.hash);
    pending.push(...source.files);
    for (const name of source.packages) packages.add(name);
  }
  const libraries: Record<string, string> = {};
  for (const name of [...packages].sort()) libraries[name] = packageVersion(name);
  const list = [...files].map(([file, hash]) => [file.slice(SOURCE_ROOT.length + 1).split('\\').join('/'), hash]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const result = { digest: sha256(canonicalJson({ files: list, libraries })), libraries };
  sourceDigests.set(entry, result);
  return result;
}

function resolveSource(base: string): string | undefined {
  return [base, `${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f) && statSync(f).isFile());
}

export function packageVersion(name: string): string {
  for (let dir = SOURCE_ROOT; ; dir = dirname(dir)) {
    const file = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unversioned';
    if (dirname(dir) === dir) return 'not installed';
  }
}

/** The cache key of one renderer's output for one environment. */
export function renderKey(folder: string, renderer: Pick<Renderer, 'engine'>, env: Environment): string {
  const slice = (SLICES[folder] ?? ((e: Environment) => e))(env);
  return sha256(canonicalJson({ format: FORMAT, node: process.version, folder, engine: renderer.engine, sources: rendererSourceDigest(folder).digest, slice }));
}

interface EntryRecord {
  readonly format: number;
  readonly key: string;
  readonly artifacts: readonly (Omit<Artifact, 'content'> & { sha256: string; bytes: number })[];
}

/** What a cached render did: `hit` (files from the cache), `miss` (rendered and stored; also every render under `refresh`) or `off`. */
export type CacheOutcome = 'hit' | 'miss' | 'off';

/**
 * Renders through the cache when it is on: returns the recorded artifacts for this key if every file is
 * intact, else renders and records them. `root` is the project root holding .ndc/.
 */
export function cachedRender(
  root: string,
  folder: string,
  renderer: Renderer,
  cloud: NationalCloud,
  env: Environment,
  outcome?: (o: CacheOutcome) => void,
  render: () => Artifact[] = () => renderer.render(cloud, env),
): Artifact[] {
  if (mode === 'off' || !cacheSeal.canSeal()) {
    outcome?.('off');
    return render();
  }
  let key: string;
  try {
    key = renderKey(folder, renderer, env);
  } catch {
    // Sources the key cannot account for (not shipped beside dist/, an import it cannot resolve): render
    // afresh rather than risk serving output those sources would change.
    outcome?.('off');
    return render();
  }
  const parent = join(cacheDirectory(root), env.name, folder);
  const dir = join(parent, key);
  const cached = mode === 'use' ? readEntry(dir, key, `synth:${env.name}/${folder}/${key}`) : undefined;
  if (cached) {
    outcome?.('hit');
    return cached;
  }
  const artifacts = render();
  writeEntry(parent, key, artifacts, `synth:${env.name}/${folder}/${key}`);
  outcome?.('miss');
  return artifacts;
}

/**
 * Whether `cachedRender` would serve this renderer from the cache (an entry is recorded for its key; the
 * files are checked only when served). Synthesis asks before starting a render on another thread.
 */
export function cacheWouldServe(root: string, folder: string, renderer: Renderer, env: Environment): boolean {
  if (mode !== 'use') return false;
  try {
    return existsSync(join(cacheDirectory(root), env.name, folder, renderKey(folder, renderer, env), 'entry.json'));
  } catch {
    return false;
  }
}

/**
 * What a cached render recorded for this renderer and environment under the current key, read from its
 * entry.json alone (the files are not read): each artifact's path, engine, stack, byte count and sha256,
 * in render order. Undefined unless the cache is in `use` and an entry of this key is recorded and sealed
 * on this machine (core/cache-seal.ts). `ndc diff` compares it with out/<env>/manifest.json to know the
 * render without rendering (stacks/recorded-render.ts).
 */
export function recordedRenderArtifacts(root: string, folder: string, renderer: Pick<Renderer, 'engine'>, env: Environment): EntryRecord['artifacts'] | undefined {
  if (mode !== 'use' || !cacheSeal.canSeal()) return undefined;
  let key: string;
  try {
    key = renderKey(folder, renderer, env);
  } catch {
    return undefined;
  }
  let record: EntryRecord;
  try {
    const text = cacheSeal.openSealed(`synth:${env.name}/${folder}/${key}`, readFileSync(join(cacheDirectory(root), env.name, folder, key, 'entry.json'), 'utf8'));
    if (text === undefined) return undefined;
    record = JSON.parse(text) as EntryRecord;
  } catch {
    return undefined;
  }
  if (record.format !== FORMAT || record.key !== key || !Array.isArray(record.artifacts)) return undefined;
  const valid = record.artifacts.every(
    (a) => typeof a?.path === 'string' && typeof a.engine === 'string' && typeof a.stack === 'string' && typeof a.sha256 === 'string' && Number.isInteger(a.bytes) && Number.isInteger(a.resources),
  );
  return valid ? record.artifacts : undefined;
}

/**
 * The recorded artifacts, or undefined when the entry is absent, unreadable, not sealed on this machine for
 * `purpose` (core/cache-seal.ts: planted or copied from elsewhere), or any file fails its sha256.
 */
function readEntry(dir: string, key: string, purpose: string): Artifact[] | undefined {
  let stored: string;
  try {
    stored = readFileSync(join(dir, 'entry.json'), 'utf8');
  } catch {
    return undefined;
  }
  const text = cacheSeal.openSealed(purpose, stored);
  if (text === undefined) return discard(dir);
  let record: EntryRecord;
  try {
    record = JSON.parse(text) as EntryRecord;
  } catch {
    return discard(dir);
  }
  if (record.format !== FORMAT || record.key !== key || !Array.isArray(record.artifacts)) return discard(dir);
  const artifacts: Artifact[] = [];
  for (const [i, entry] of record.artifacts.entries()) {
    let content: string;
    try {
      content = readFileSync(join(dir, 'files', String(i)), 'utf8');
    } catch {
      return discard(dir);
    }
    if (sha256(content) !== entry.sha256) return discard(dir);
    artifacts.push({ path: entry.path, engine: entry.engine, stack: entry.stack, resources: entry.resources, content });
  }
  touch(dir);
  return artifacts;
}

function discard(dir: string): undefined {
  rmSync(dir, { recursive: true, force: true });
  return undefined;
}

/** Marks an entry as used now (its `used` file's mtime), so pruning keeps the entries in use. */
function touch(dir: string): void {
  try {
    writeFileSync(join(dir, 'used'), '');
  } catch {
    // A read-only cache still serves hits.
  }
}

/** Records an entry atomically (a staging directory renamed into place) and keeps the newest KEEP. */
function writeEntry(parent: string, key: string, artifacts: readonly Artifact[], purpose: string): void {
  const staging = join(parent, `.${key}.${process.pid}`);
  try {
    mkdirSync(join(staging, 'files'), { recursive: true });
    artifacts.forEach((a, i) => writeFileSync(join(staging, 'files', String(i)), a.content));
    const record: EntryRecord = {
      format: FORMAT,
      key,
      artifacts: artifacts.map((a) => ({ path: a.path, engine: a.engine, stack: a.stack, resources: a.resources, sha256: sha256(a.content), bytes: Buffer.byteLength(a.content) })),
    };
    const sealed = cacheSeal.sealText(purpose, `${JSON.stringify(record)}\n`);
    if (sealed === undefined) return;
    writeFileSync(join(staging, 'entry.json'), sealed);
    writeFileSync(join(staging, 'used'), '');
    rmSync(join(parent, key), { recursive: true, force: true });
    renameSync(staging, join(parent, key));
    prune(parent);
  } catch {
    // The cache is an optimisation: a full disk or a concurrent writer never fails a synthesis.
    rmSync(staging, { recursive: true, force: true });
  }
}

function prune(parent: string): void {
  const entries = readdirSync(parent)
    .filter((name) => !name.startsWith('.'))
    .map((name) => ({ name, used: usedAt(join(parent, name)) }))
    .sort((a, b) => b.used - a.used);
  for (const old of entries.slice(KEEP)) rmSync(join(parent, old.name), { recursive: true, force: true });
}

function usedAt(dir: string): number {
  return statSync(join(dir, 'used'), { throwIfNoEntry: false })?.mtimeMs ?? statSync(dir).mtimeMs;
}

/** JSON values kept by key in a folder: one `<key>.json` each, written whole, the `keep` last used kept. */
export interface JsonFileStore {
  /** The recorded value, or undefined when it is absent or unreadable. */
  read(key: string): unknown;
  /** Records a value; a full disk or a read-only project only means it is computed again next time. */
  write(key: string, value: unknown): void;
}

/**
 * `name` tells the stores apart in their seals (core/cache-seal.ts): a value is read back only when it was
 * sealed on this machine for this store and key, so a planted or moved file is never served.
 */
export function jsonFileStore(dir: string, keep: number, name: string): JsonFileStore {
  const file = (key: string) => join(dir, `${key}.json`);
  const purpose = (key: string) => `${name}:${key}`;
  return {
    read(key) {
      try {
        const text = cacheSeal.openSealed(purpose(key), readFileSync(file(key), 'utf8'));
        if (text === undefined) return undefined;
        const value: unknown = JSON.parse(text);
        touchFile(file(key));
        return value;
      } catch {
        return undefined;
      }
    },
    write(key, value) {
      const staging = join(dir, `.${key}.${process.pid}.tmp`);
      const sealed = cacheSeal.sealText(purpose(key), `${JSON.stringify(value)}\n`);
      if (sealed === undefined) return;
      try {
        mkdirSync(dir, { recursive: true });
        writeFileSync(staging, sealed);
        renameSync(staging, file(key));
        const entries = readdirSync(dir)
          .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
          .map((n) => ({ n, used: statSync(join(dir, n)).mtimeMs }))
          .sort((a, b) => b.used - a.used);
        for (const old of entries.slice(keep)) rmSync(join(dir, old.n), { force: true });
      } catch {
        rmSync(staging, { force: true });
      }
    },
  };
}

/**
 * A value derived from rendered artifacts (a scope's reachability lines), cached like a render: under
 * .ndc/cache/<env>/<name>/<key>.json, served under `use` when `accept` takes what was recorded, computed
 * and recorded under `use` and `refresh`, computed alone under `off`. `key` must digest every input.
 */
export function cachedValue<T>(root: string | undefined, env: string, name: string, key: string, compute: () => T, accept: (recorded: unknown) => T | undefined): T {
  if (root === undefined || mode === 'off') return compute();
  const store = valueStore(root, env, name);
  const recorded = mode === 'use' ? accept(store.read(key)) : undefined;
  if (recorded !== undefined) return recorded;
  const value = compute();
  store.write(key, value);
  return value;
}

/** What `cachedValue` recorded under `key`, when the cache is in `use` and `accept` takes it; nothing is computed or written. */
export function recordedValue<T>(root: string, env: string, name: string, key: string, accept: (recorded: unknown) => T | undefined): T | undefined {
  if (mode !== 'use') return undefined;
  return accept(valueStore(root, env, name).read(key));
}

/** Records a value as `cachedValue` would (under `use` and `refresh`; nothing under `off`). */
export function recordValue(root: string, env: string, name: string, key: string, value: unknown): void {
  if (mode === 'off') return;
  valueStore(root, env, name).write(key, value);
}

/** Where cachedValue, recordedValue and recordValue keep the values named `name` of an environment. */
function valueStore(root: string, env: string, name: string): JsonFileStore {
  return jsonFileStore(join(cacheDirectory(root), env, name), KEEP, `${env}/${name}`);
}

function touchFile(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // A read-only cache still serves hits.
  }
}
