'use strict';
// A V8 code cache for the compiled command (Node 20 has no module.enableCompileCache): the bytecode of
// every JavaScript module a command loaded is kept in one file under <project>/.ndc/cache/code/, so the
// next command deserializes it instead of compiling the modules again (about a tenth of a warm `ndc start`).
// - The file is named by a sha256 of this format, the Node and V8 versions, the architecture and the
//   build's digest of dist/, so a new build or Node never reads another's bytecode.
// - Each module's entry carries the sha256 of the source it was compiled from; an edited module (an
//   npm install in between) is compiled from its source, as is every module when the file is unreadable,
//   truncated or not a cache at all, or when V8 rejects the data.
// - It is code, so bin/ndc.js installs it only for the commands that read and report (start, synth,
//   check, ...), never for deploy, destroy, approve or the ledger and key commands, nor with --no-cache:
//   nothing planted in .ndc/ runs where the gate decides.
const { createHash, hash } = require('node:crypto');
const { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const Module = require('node:module');
const { dirname, join } = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');

/** Bump when the file layout or the way modules are compiled below changes. */
const FORMAT = 1;

/** The file holding the code cache of the command built as `buildDigest`, for the project at `project`. */
function codeCacheFile(project, buildDigest) {
  const key = createHash('sha256')
    .update([FORMAT, process.version, process.versions.v8, process.arch, buildDigest].join('\u0000'))
    .digest('hex');
  return join(project, '.ndc', 'cache', 'code', `${key}.bin`);
}

/** The cache's entries (filename -> { sha256, data }), or an empty map when the file is missing or not a cache. */
function readEntries(file) {
  try {
    const entries = v8.deserialize(readFileSync(file));
    if (!(entries instanceof Map)) return new Map();
    for (const [filename, entry] of entries) {
      if (typeof filename !== 'string' || !entry || typeof entry.sha256 !== 'string' || !(entry.data instanceof Uint8Array)) return new Map();
    }
    return entries;
  } catch {
    return new Map();
  }
}

/**
 * Compiles the modules loaded from now on through the code cache of `file`, and rewrites the file when
 * the process exits if a module was compiled without cached data. Returns counters for tests and the bench.
 */
function install(file) {
  const entries = readEntries(file);
  const stats = { file, served: 0, compiled: 0, rejected: 0 };
  /** Modules compiled in this process without usable data: their Script, to serialize at exit. */
  const fresh = new Map();
  const compile = Module.prototype._compile;
  Module.prototype._compile = function compileCached(content, filename) {
    // A hashbang, a dynamic import() (which a vm.Script cannot serve on Node 20) or a non-JS extension's
    // transpiled output: Node's own path.
    if (!/\.c?js$/.test(filename) || content.startsWith('#!') || content.includes('import(')) return compile.call(this, content, filename);
    const sha256 = hash('sha256', content);
    const entry = entries.get(filename);
    const cachedData = entry !== undefined && entry.sha256 === sha256 ? entry.data : undefined;
    const script = new vm.Script(Module.wrap(content), { filename, cachedData });
    if (cachedData !== undefined && !script.cachedDataRejected) {
      stats.served++;
    } else {
      if (cachedData !== undefined) stats.rejected++;
      stats.compiled++;
      fresh.set(filename, { sha256, script });
    }
    const wrapper = script.runInThisContext({ displayErrors: true });
    return wrapper.call(this.exports, this.exports, requireFor(this), this, filename, dirname(filename));
  };
  process.once('exit', () => {
    if (fresh.size === 0) return;
    for (const [filename, { sha256, script }] of fresh) entries.set(filename, { sha256, data: script.createCachedData() });
    save(file, entries);
  });
  return stats;
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
function save(file, entries) {
  try {
    const directory = dirname(file);
    mkdirSync(directory, { recursive: true });
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, v8.serialize(entries));
    renameSync(partial, file);
    for (const other of readdirSync(directory)) {
      if (other.endsWith('.bin') && join(directory, other) !== file) rmSync(join(directory, other), { force: true });
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

module.exports = { FORMAT, codeCacheFile, install, servesCommand };
