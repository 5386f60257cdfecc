import { spawnSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { InputError } from '../core/errors';
import { SOURCE_ROOT } from '../core/source-root';

/**
 * An environment file is TypeScript: loading it runs whatever its author wrote. The commands that decide
 * the gate or hold a reviewer's key (deploy, destroy, plan, drift, approve, ...) must not run that code in
 * their own process, where it could replace the gate, the signing or the engines' invocation. They
 * evaluate the file here instead:
 * - esbuild bundles it with the project modules it imports (a transform: nothing of it runs);
 * - a child Node process evaluates the bundle and hands back its default export as JSON, which the caller
 *   validates as it would a `.json` environment file. The child gets no environment variables but `TZ`
 *   (no credentials, no `NDC_*` settings), and runs under Node's permission model: it may read only the
 *   installed packages and the project's `environments/`, and may not write files, start processes or
 *   threads. Node documents that model as a seat belt rather than a sandbox, so the boundary that matters
 *   is the process: whatever the file does, it does it away from the gate's memory.
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
  answer({ value: plain(value, '', new Set()) });
} catch (error) {
  answer({ error: String(error instanceof Error ? error.message : error) });
}
`;

/**
 * The default export of the environment module `file` (`source`: as shown, relative to `root`), evaluated
 * in a child process and returned as plain data. Every failure is an InputError naming the file.
 */
export function evaluateIsolated(root: string, file: string, source: string): unknown {
  const code = bundle(root, file, source);
  const real = (dirs: string[]) => [...new Set(dirs.filter((dir) => existsSync(dir)).map((dir) => realpathSync(dir)))];
  const packages = real([join(root, 'node_modules'), join(SOURCE_ROOT, 'node_modules')]);
  const readable = real([...packages, join(root, 'environments')]);
  const child = spawnSync(process.execPath, ['--no-warnings', '--experimental-permission', `--allow-fs-read=${readable.map((dir) => `${dir}/*`).join(',')}`, '-e', CHILD, file, ...packages], {
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
  for (const stream of [child.stdout, child.stderr]) if (stream) process.stderr.write(stream);
  if (child.error !== undefined || child.signal !== null) {
    const why = child.signal === 'SIGKILL' ? `did not finish evaluating within ${EVALUATION_LIMIT_MS / 1000} s` : `could not be evaluated (${child.error?.message ?? `signal ${child.signal}`})`;
    throw new InputError(source, why);
  }
  const answer = (child.output[3] as string | null) ?? '';
  let result: { value?: unknown; error?: string; shape?: string };
  try {
    result = JSON.parse(answer) as typeof result;
  } catch {
    throw new InputError(source, `gave no environment when evaluated (exit ${child.status})`);
  }
  if (result.error !== undefined) throw new InputError(source, `cannot be loaded: ${firstLine(result.error)}`);
  if (result.shape === 'no-object') throw new InputError(source, 'must export an environment object as its default export (export default defineEnvironment({...}))');
  return result.value;
}

/** The file and the project modules it imports as one CommonJS module (packages stay require()s). */
function bundle(root: string, file: string, source: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof import('esbuild');
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
    });
    return built.outputFiles[0].text;
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

function firstLine(message: string): string {
  return message.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown error';
}
