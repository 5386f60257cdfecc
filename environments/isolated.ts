import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { cacheSeal } from '../core/cache-seal';
import { sha256 } from '../core/canonical-json';
import { InputError } from '../core/errors';
import { SOURCE_ROOT } from '../core/source-root';

/**
 * An environment file is TypeScript: loading it runs whatever its author wrote. No command may run that
 * code in its own process, where it could replace the gate, the signing, the engines' invocation or the
 * build a later deploy runs, or read a reviewer's key. Commands evaluate the file here instead:
 * - esbuild bundles it with the project modules (and JSON) it imports: a transform, nothing of it runs;
 * - a child Node process evaluates the bundle and hands back its default export as JSON, which the caller
 *   validates as it would a `.json` environment file. The child gets no environment variables but `TZ`
 *   (no credentials, no `NDC_*` settings), and runs under Node's permission model: it may read only the
 *   installed packages (not even the project: a symlink committed there could point at a key, and that
 *   model follows symlinks), and may not write files, start processes or threads. Node documents that
 *   model as a seat belt rather than a sandbox, so the boundary that matters is the process: whatever the
 *   file does, it does it away from the command's memory and with nothing secret to read.
 */

/** Far beyond any environment file's evaluation (milliseconds); a file that loops forever is stopped. */
const EVALUATION_LIMIT_MS = 120_000;

/** Evaluated in the child: the bundle from stdin, its default export checked to be plain data, as JSON on fd 3. */
const CHILD = String.raw`
const { writeSync } = require('node:fs');
const Module = require('node:module');
const [filename, ...packageDirs] = process.argv.slice(1);
const answer = (result) => { writeSync(3, JSON.stringify(result)); process.exit(0); };
const shown = (path) => path || 'the default export';
function plain(value, path, seen) {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(shown(path) + ' is ' + value + ', not a finite number');
    return value;
  }
  if (typeof value !== 'object') throw new Error(shown(path) + ' is a ' + typeof value + ', not data (write plain values)');
  if (seen.has(value)) throw new Error(shown(path) + ' refers back to itself');
  seen.add(value);
  let out;
  if (Array.isArray(value)) out = value.map((item, i) => plain(item, path + '[' + i + ']', seen));
  else {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) throw new Error(shown(path) + ' is not a plain object (a class instance); write plain object literals');
    out = {};
    for (const key of Object.keys(value)) {
      if (value[key] === undefined) continue;
      Object.defineProperty(out, key, { value: plain(value[key], path ? path + '.' + key : key, seen), enumerable: true, writable: true, configurable: true });
    }
  }
  seen.delete(value);
  return out;
}
try {
  const code = require('node:fs').readFileSync(0, 'utf8');
  const m = new Module(filename, null);
  m.filename = filename;
  // Packages only from the folders it may read (searching the folders above the file would be refused).
  m.paths = packageDirs;
  m._compile(code, filename);
  const exported = m.exports;
  const value = exported !== null && typeof exported === 'object' && 'default' in exported ? exported.default : exported;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) answer({ shape: 'no-object' });
  const data = plain(value, '', new Set());
  // A turn of the event loop first: a timer's throw or a rejection nobody awaited fails the load, as it
  // would a command that loaded the file in its own process.
  const late = (error) => answer({ late: String(error instanceof Error ? error.message : error) });
  process.on('uncaughtException', late);
  process.on('unhandledRejection', late);
  setTimeout(() => answer({ value: data }), 1);
} catch (error) {
  answer({ error: String(error instanceof Error ? error.message : error) });
}
`;

/**
 * The default export of the environment module `file` (`source`: as shown, relative to `root`), evaluated
 * in a child process and returned as plain data. Every failure is an InputError naming the file.
 */
export function evaluateIsolated(root: string, file: string, source: string, cached = false, print: (text: string) => void = (text) => process.stderr.write(text)): unknown {
  const kept = cached ? keptEvaluation(root, file) : undefined;
  if (kept !== undefined) return kept;
  const { code, inputs } = bundle(root, file, source);
  const real = (dirs: string[]) => [...new Set(dirs.filter((dir) => existsSync(dir)).map((dir) => realpathSync(dir)))];
  const packages = real([join(root, 'node_modules'), join(SOURCE_ROOT, 'node_modules')]);
  const readable = packages;
  // One flag per folder: Node 20 reads a comma-separated list as one path.
  const child = spawnSync(process.execPath, ['--no-warnings', '--experimental-permission', ...readable.map((dir) => `--allow-fs-read=${dir}/*`), '-e', CHILD, file, ...packages], {
    cwd: root,
    input: code,
    env: process.env.TZ !== undefined ? { TZ: process.env.TZ } : {},
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 1024 * 1024 * 1024,
    timeout: EVALUATION_LIMIT_MS,
    killSignal: 'SIGKILL',
  });
  // What the file printed while evaluated goes to stderr, as a warning would (stdout is the command's).
  for (const stream of [child.stdout, child.stderr]) if (stream) print(stream);
  if (child.error !== undefined || child.signal !== null) {
    const why = child.signal === 'SIGKILL' ? `did not finish evaluating within ${EVALUATION_LIMIT_MS / 1000} s` : `could not be evaluated (${child.error?.message ?? `signal ${child.signal}`})`;
    throw new InputError(source, why);
  }
  const answer = (child.output[3] as string | null) ?? '';
  let result: { value?: unknown; error?: string; late?: string; shape?: string };
  try {
    result = JSON.parse(answer) as typeof result;
  } catch {
    throw new InputError(source, `gave no environment when evaluated (exit ${child.status})`);
  }
  if (result.error !== undefined) throw new InputError(source, `cannot be loaded: ${firstLine(result.error)}`);
  if (result.late !== undefined) throw new InputError(source, `failed after loading: ${firstLine(result.late)}`);
  if (result.shape === 'no-object') throw new InputError(source, 'must export an environment object as its default export (export default defineEnvironment({...}))');
  if (cached) keepEvaluation(root, file, inputs, result.value);
  return result.value;
}

/**
 * evaluateIsolated's outcome as data, for another thread to hand back: the value as JSON (parsed by the
 * receiver, so its objects are plain ones of the receiver's realm) or the InputError, and what the file
 * printed.
 */
export type IsolatedAnswer = { readonly printed: string } & ({ readonly json: string; readonly where?: undefined } | { readonly where: string; readonly reason: string });

/** evaluateIsolated, run on the helper thread (environments/load.ts evaluateAhead): never throws an InputError, returns it. */
export function evaluateIsolatedAnswer(root: string, file: string, source: string, cached: boolean): IsolatedAnswer {
  let printed = '';
  try {
    return { json: JSON.stringify(evaluateIsolated(root, file, source, cached, (text) => (printed += text))), printed };
  } catch (error) {
    if (error instanceof InputError) return { where: error.where, reason: error.reason, printed };
    throw error;
  }
}

/** Whether an evaluation of `file` is kept (sealed or not, current or not: evaluateIsolated decides that). */
export function hasKeptEvaluation(root: string, file: string): boolean {
  return existsSync(keptFile(root, file).path);
}

/** Bump when what is kept, or how the file is evaluated, changes. */
const KEPT_FORMAT = 1;

/** Where the evaluation of an environment file is kept: .ndc/cache/environments/<sha256 of its path>.json. */
function keptFile(root: string, file: string): { path: string; purpose: string } {
  // The packages the bundle requires (zod...) are not among its inputs: the install's record is in the key.
  const install = statSync(join(SOURCE_ROOT, 'node_modules', '.package-lock.json'), { throwIfNoEntry: false });
  const key = sha256(`${KEPT_FORMAT}\u0000${process.version}\u0000${install ? `${install.size}:${install.mtimeMs}` : 'none'}\u0000${relative(root, file)}`);
  return { path: join(root, '.ndc', 'cache', 'environments', `${key}.json`), purpose: `environment:${key}` };
}

/**
 * The data an earlier evaluation of `file` gave, when it was sealed on this machine (core/cache-seal.ts)
 * and every file the bundle was made of (as esbuild listed them) is unchanged; else undefined.
 */
function keptEvaluation(root: string, file: string): unknown {
  const { path, purpose } = keptFile(root, file);
  const text = cacheSeal.readSealed(path, purpose);
  if (text === undefined) return undefined;
  let kept: { inputs?: unknown; value?: unknown };
  try {
    kept = JSON.parse(text) as typeof kept;
  } catch {
    return undefined;
  }
  if (!Array.isArray(kept.inputs) || kept.inputs.length === 0 || kept.value === undefined) return undefined;
  for (const entry of kept.inputs as unknown[]) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'string') return undefined;
    try {
      if (sha256(readFileSync(join(root, entry[0]))) !== entry[1]) return undefined;
    } catch {
      return undefined;
    }
  }
  return kept.value;
}

/** Keeps an evaluation (sealed, written whole or not at all); a read-only project only means evaluating again. */
function keepEvaluation(root: string, file: string, inputs: readonly (readonly [string, string])[], value: unknown): void {
  const { path, purpose } = keptFile(root, file);
  cacheSeal.writeSealed(path, purpose, JSON.stringify({ inputs, value }));
}

/**
 * The file and the project modules it imports as one CommonJS module (packages stay require()s), with the
 * project files it was made of and their sha256 (what a kept evaluation is checked against).
 */
function bundle(root: string, file: string, source: string): { code: string; inputs: [string, string][] } {
  const esbuild = loadEsbuild();
  try {
    const built = esbuild.buildSync({
      entryPoints: [file],
      absWorkingDir: root,
      bundle: true,
      write: false,
      platform: 'node',
      format: 'cjs',
      target: `node${process.versions.node}`,
      packages: 'external',
      logLevel: 'silent',
      metafile: true,
    });
    const inputs = Object.keys(built.metafile.inputs)
      .sort()
      .map((input): [string, string] => [input, sha256(readFileSync(join(root, input)))]);
    return { code: built.outputFiles[0].text, inputs };
  } catch (error) {
    const first = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors?.[0];
    if (first === undefined) throw new InputError(source, `cannot be loaded: ${firstLine(error instanceof Error ? error.message : String(error))}`);
    if (!first.location) throw new InputError(source, `cannot be loaded: ${first.text}`);
    const at = isAbsolute(first.location.file) ? first.location.file : join(root, first.location.file);
    const inProject = relative(root, at);
    const where = `${inProject && !inProject.startsWith('..') ? inProject : at}:${first.location.line}:${first.location.column}`;
    const unresolved = /^Could not resolve/.test(first.text);
    throw new InputError(where, unresolved ? `cannot be loaded: ${first.text}` : `syntax error: ${first.text}`);
  }
}

/**
 * esbuild, with its synchronous calls made by running its binary once per call. By default its buildSync
 * first starts a worker thread of its own and a long-lived esbuild process (~30 ms before the first
 * bundle, while each later one takes ~3 ms); a command bundles one environment file, which then takes
 * ~10 ms in all. esbuild reads the setting once, when it is loaded, so it is set only around that.
 */
function loadEsbuild(): typeof import('esbuild') {
  const setting = 'ESBUILD_WORKER_THREADS';
  const previous = process.env[setting];
  process.env[setting] = '0';
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('esbuild') as typeof import('esbuild');
  } finally {
    if (previous === undefined) delete process.env[setting];
    else process.env[setting] = previous;
  }
}

function firstLine(message: string): string {
  return message.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown error';
}
