'use strict';
// A V8 code cache for the compiled command (Node 20 has no module.enableCompileCache): the bytecode of
// every JavaScript module a command loaded, and where the command's own requires resolved to, are kept in
// one file under <project>/.ndc/cache/code/, so the next command deserializes the modules instead of
// compiling them and skips the file-system search behind each require (together about a sixth of a
// warm `ndc start`).
// - The file is named by a sha256 of this format, the Node and V8 versions, the architecture, the
//   build's digest of dist/ and the installed packages' record (node_modules/.package-lock.json, which
//   npm rewrites on every install), so a new build, Node or install never reads another's cache.
// - Each module's entry carries the sha256 of the source it was compiled from; an edited module is
//   compiled from its source, as is every module when the file is unreadable, truncated or not a cache
//   at all, or when V8 rejects the data. A remembered resolution is used only for a require made by the
//   command's own code (dist/, its node_modules) and only while that file still exists.
// - It is code, so bin/ndc.js installs it only for the commands that read and report (start, synth,
//   check, ...), never for deploy, destroy, approve or the ledger and key commands, nor with --no-cache:
//   nothing planted in .ndc/ runs where the gate decides.
// - The build (scripts/build.js) leaves a seed in dist/code-cache/: the bytecode the example production
//   environment's `ndc start` compiled, one file for the main thread and one for the helper thread
//   (core/helper-thread.ts), each named with its sha256 in the sealed build stamp. A module the project's
//   cache does not hold (a first command in a fresh clone, the helper thread's modules) is looked up in
//   the seed, read only then and only when its bytes hash to the stamp's digest; the same per-module
//   sha256 applies. The helper thread reads its seed and never writes a cache.
const { createHash, hash } = require('node:crypto');
const { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, isAbsolute, join } = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

/** Bump when the file layout or the way modules are compiled below changes. */
const FORMAT = 2;

/**
 * The file holding the code cache of the command built as `buildDigest` and installed at `install` (its
 * node_modules), for the project at `project`.
 */
function codeCacheFile(project, buildDigest, install) {
  const packages = install === undefined ? 'none' : packagesRecord(install);
  const key = createHash('sha256')
    .update([FORMAT, process.version, process.versions.v8, process.arch, buildDigest, packages].join('\u0000'))
    .digest('hex');
  return join(project, '.ndc', 'cache', 'code', `${key}.bin`);
}

/**
 * The record of the packages installed at `install` (node_modules/.package-lock.json, which npm rewrites
 * on every install): a remembered resolution into node_modules holds only for the same install.
 */
function packagesRecord(install) {
  const record = statSync(join(install, 'node_modules', '.package-lock.json'), { throwIfNoEntry: false });
  return record ? `${record.size}:${record.mtimeMs}:${record.ino}` : 'none';
}

/** The cache's modules (filename -> { sha256, data }) and resolutions; empty when the file is missing or not a cache. */
function readCache(file) {
  try {
    return readCacheBytes(readFileSync(file));
  } catch {
    return { modules: new Map(), resolutions: new Map() };
  }
}

function readCacheBytes(bytes) {
  const empty = () => ({ modules: new Map(), resolutions: new Map() });
  try {
    const cache = v8.deserialize(bytes);
    if (!cache || !(cache.modules instanceof Map) || !(cache.resolutions instanceof Map)) return empty();
    for (const [filename, entry] of cache.modules) {
      if (typeof filename !== 'string' || !entry || typeof entry.sha256 !== 'string' || !(entry.data instanceof Uint8Array)) return empty();
    }
    for (const [request, filename] of cache.resolutions) if (typeof request !== 'string' || typeof filename !== 'string') return empty();
    if (cache.packages !== undefined && typeof cache.packages !== 'string') return empty();
    return cache;
  } catch {
    return empty();
  }
}

/**
 * Compiles the modules loaded from now on through the code cache of `file` (none: the seed alone), and
 * rewrites the file when the process exits (`save: 'exit'`; `'manual'`: when the returned counters'
 * `flush()` is called) if a module was compiled, taken from the seed, or a require resolved without it.
 * A module the cache does not hold is looked up in `seed` ({ file, sha256, packages }: see readSeed).
 * Requires made by modules under one of `resolveWithin` (folders, with a trailing slash) may be answered
 * from the remembered resolutions, the cache's or, for one it lacks, the seed's when the seed was recorded
 * with the packages installed now (`packages`, packagesRecord; the cache written here records it too).
 * Returns counters for tests.
 */
function install(file, resolveWithin = [], { seed, save: saving = 'exit', packages } = {}) {
  const { modules, resolutions } = file === undefined ? { modules: new Map(), resolutions: new Map() } : readCache(file);
  const stats = { file, served: 0, seeded: 0, compiled: 0, rejected: 0, resolved: 0, searched: 0, seededResolutions: 0 };
  /** The seed's modules and resolutions, read at the first module or resolution the cache does not hold. */
  let seeded;
  const fromSeed = () => {
    seeded ??= seed === undefined ? { modules: new Map(), resolutions: new Map() } : readSeed(seed, packages);
    return seeded;
  };
  const seedEntry = (filename) => fromSeed().modules.get(filename);
  /** Modules compiled in this process without usable data: their Script, to serialize at exit. */
  const fresh = new Map();
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileCached(content, filename) {
    // A hashbang, a dynamic import() (which a vm.Script cannot serve on Node 20) or a non-JS extension's
    // transpiled output: Node's own path.
    if (!/\.c?js$/.test(filename) || content.startsWith('#!') || content.includes('import(')) return compile.call(this, content, filename);
    const sha256 = hash('sha256', content);
    let entry = modules.get(filename);
    let fromSeed = false;
    if (entry === undefined || entry.sha256 !== sha256) {
      const planted = seedEntry(filename);
      if (planted !== undefined && planted.sha256 === sha256) [entry, fromSeed] = [planted, true];
    }
    const cachedData = entry !== undefined && entry.sha256 === sha256 ? entry.data : undefined;
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (cachedData !== undefined && !script.cachedDataRejected) {
      stats.served++;
      if (fromSeed) {
        stats.seeded++;
        // Kept in the project's cache from now on, so the next command reads one file.
        modules.set(filename, entry);
        seededFresh = true;
      }
    } else {
      if (cachedData !== undefined) stats.rejected++;
      stats.compiled++;
      fresh.set(filename, { sha256, script });
    }
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, dirname(filename));
  };
  let searchedFresh = false;
  let seededFresh = false;
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function resolveCached(request, parent, isMain, options) {
    const from = parent && typeof parent.filename === 'string' ? dirname(parent.filename) : undefined;
    if (isMain || options !== undefined || from === undefined || !resolveWithin.some((dir) => `${from}/`.startsWith(dir))) return resolve.apply(this, arguments);
    const key = `${from}\u0000${request}`;
    const kept = resolutions.get(key);
    const known = kept ?? fromSeed().resolutions.get(key);
    if (known !== undefined && (Module._cache[known] !== undefined || statSync(known, { throwIfNoEntry: false })?.isFile())) {
      stats.resolved++;
      if (kept === undefined) {
        // Kept in the project's cache from now on, like a module taken from the seed.
        stats.seededResolutions++;
        resolutions.set(key, known);
        searchedFresh = true;
      }
      return known;
    }
    const filename = resolve.apply(this, arguments);
    stats.searched++;
    // Builtins (`require.resolve('fs')`) answer without a search.
    if (isAbsolute(filename)) {
      resolutions.set(key, filename);
      searchedFresh = true;
    }
    return filename;
  };
  /** Writes the cache when something was compiled, searched or taken from the seed since it was read or last written. */
  const flush = () => {
    if (file === undefined || (fresh.size === 0 && !searchedFresh && !seededFresh)) return;
    for (const [filename, { sha256, script }] of fresh) modules.set(filename, { sha256, data: script.createCachedData() });
    fresh.clear();
    searchedFresh = seededFresh = false;
    save(file, packages === undefined ? { modules, resolutions } : { modules, resolutions, packages });
  };
  if (saving === 'exit') process.once('exit', flush);
  installed = stats;
  // The counters are for tests; flush() is for a caller that saves when it chooses (save: 'manual').
  return Object.defineProperty(stats, 'flush', { value: flush });
}

/** The counters of the cache installed in this thread (tests ask the helper thread for them). */
let installed;
function installedStats() {
  return installed === undefined ? undefined : { ...installed };
}

/**
 * The modules and resolutions of a build's seed (`{ file, sha256 }`, from the sealed build stamp), or none
 * when the file is missing, is not a cache, or does not hash to the stamp's digest (altered after the
 * build). Its resolutions only when it was recorded with the packages installed now (`packages`).
 */
function readSeed({ file, sha256 }, packages) {
  const none = { modules: new Map(), resolutions: new Map() };
  try {
    const bytes = readFileSync(file);
    if (typeof sha256 !== 'string' || hash('sha256', bytes) !== sha256) return none;
    const cache = readCacheBytes(bytes);
    return { modules: cache.modules, resolutions: packages !== undefined && cache.packages === packages ? cache.resolutions : new Map() };
  } catch {
    return none;
  }
}

/** The `require` a module receives, as Node builds it (makeRequireFunction). */
function requireFor(module) {
  const require = (id) => module.require(id);
  require.resolve = (request, options) => Module._resolveFilename(request, module, false, options);
  require.resolve.paths = (request) => Module._resolveLookupPaths(request, module);
  require.main = process.mainModule;
  require.extensions = Module._extensions;
  require.cache = Module._cache;
  return require;
}

/** Writes the cache whole (a reader never sees half a file) and drops the caches of other builds. */
function save(file, cache) {
  try {
    const directory = dirname(file);
    mkdirSync(directory, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, v8.serialize(cache));
    renameSync(partial, file);
    for (const other of readdirSync(directory)) {
      // Other builds' caches (named as codeCacheFile names them), not a seed being recorded beside this one.
      if (/^[0-9a-f]{64}\.bin$/.test(other) && join(directory, other) !== file) rmSync(join(directory, other), { force: true });
    }
  } catch {
    // A read-only project or a full disk: the next command compiles again.
  }
}

/** The commands that only read the project and report, which the code cache may serve. */
const READING_COMMANDS = ['start', 'synth', 'check', 'validate', 'reach', 'schedule', 'diff', 'help', '--help', '-h', '--version', '-V'];

/**
 * Whether the command line `argv` (after `ndc`) may be served from the code cache: a reading command (or
 * none), without --no-cache. Never deploy, destroy, plan, approve, the ledger, key, reviewer, evidence
 * and unlock commands: what runs where the gate decides or a record is signed is compiled from dist/.
 */
function servesCommand(argv) {
  return !argv.includes('--no-cache') && (argv.length === 0 || READING_COMMANDS.includes(argv[0]));
}

module.exports = { FORMAT, codeCacheFile, install, installedStats, packagesRecord, servesCommand };
