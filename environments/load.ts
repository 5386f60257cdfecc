import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { InputError } from '../core/errors';
import { parseJsonFile, prototypeKeyPath } from '../core/json';
import { loadEvidence, type LoadedEvidenceRecord } from './evidence';
import type { Environment } from './schema';
import { startEvaluationAhead, takeEvaluationAhead } from './ahead';
import { evaluateIsolated, type IsolatedAnswer } from './isolated';
import { environmentSourceMap, type SourceMap } from './source-map';
import { validateEnvironment } from './validate';

export interface LoadedEnvironment {
  readonly env: Environment;
  /** The file it came from, relative to the project root. */
  readonly source: string;
  /** Its evidence records (evidence/<env>/*.json), validated against it: loaded once, with the environment. */
  readonly evidence: readonly LoadedEvidenceRecord[];
  /** Where the file (and the modules it imports) defines each system and region: reports point findings there. */
  readonly locations: SourceMap;
}

/** Environment names available under `<root>/environments`. */
export function listEnvironments(root: string): string[] {
  const dir = join(root, 'environments');
  if (!existsSync(dir)) return [];
  const skip = new Set(['schema', 'validate', 'load', 'index', 'vocabulary', 'evidence', 'source-map', 'isolated', 'ahead', 'define']);
  return readdirSync(dir)
    .filter((f) => /^[a-z][a-z0-9-]*\.(ts|json)$/.test(f))
    .map((f) => f.replace(/\.(ts|json)$/, ''))
    .filter((name) => !skip.has(name))
    .sort();
}

/**
 * Loads `<root>/environments/<name>.ts` (default export) or `<name>.json` and validates it.
 * Every failure is an InputError naming the file.
 */
export function loadEnvironment(root: string, name: string): LoadedEnvironment {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new InputError('--env', `${JSON.stringify(name)} is not an environment name (lower-case letters, digits, dashes)`);
  const candidates = [`${name}.ts`, `${name}.json`].map((f) => join(root, 'environments', f));
  const file = candidates.find((f) => existsSync(f));
  if (!file) {
    const known = listEnvironments(root);
    throw new InputError(`environments/${name}.ts`, `no such environment file${known.length ? ` (known: ${known.join(', ')})` : ''}`);
  }
  const source = relative(root, file) || file;
  const raw = file.endsWith('.json') ? readJson(file, source) : isolated ? readIsolated(root, file, source) : readModule(root, file, source);
  const env = validateEnvironment(raw, source, name);
  return { env, source, evidence: loadEvidence(root, env), locations: environmentSourceMap(root, source) };
}

/** How environment modules are evaluated: in this process (`false`), or in a child process, afresh or kept. */
export type Isolation = false | 'fresh' | 'kept';

let isolated: Isolation = false;

/**
 * Whether environment modules are evaluated in a child process (environments/isolated.ts) rather than
 * required into this one. The command line always isolates them: `kept` (the commands that only read and
 * report, with the synthesis cache on) takes an earlier evaluation sealed on this machine when none of
 * the files it was made of changed; `fresh` (everything that decides the gate, runs engines or signs)
 * evaluates every time. Library callers load in-process. Returns the previous setting.
 */
export function isolateEnvironments(mode: Isolation): Isolation {
  const previous = isolated;
  isolated = mode;
  return previous;
}

/**
 * Starts evaluating environments/<name>.ts on the helper thread (./ahead.ts) when this process will
 * evaluate it afresh (no kept evaluation to take), so the caller can load what it needs next while the file
 * is bundled and evaluated in its child process; loadEnvironment then takes that evaluation. Returns
 * whether one is under way. Only the compiled command does (`always`: tests).
 */
export function evaluateAhead(root: string, name: string, always = false): boolean {
  return isolated !== false && startEvaluationAhead(root, name, isolated, always);
}

function readIsolated(root: string, file: string, source: string): unknown {
  const task = isolated === false ? undefined : takeEvaluationAhead(isolated, file);
  let answer: IsolatedAnswer | undefined;
  try {
    answer = task?.wait();
  } catch {
    // The helper thread failed (it did not start, or the task broke there): evaluate the file here.
    answer = undefined;
  }
  let value: unknown;
  if (answer === undefined) {
    value = evaluateIsolated(root, file, source, isolated === 'kept');
  } else {
    if (answer.printed !== '') process.stderr.write(answer.printed);
    if (answer.where !== undefined) throw new InputError(answer.where, answer.reason);
    value = JSON.parse(answer.json) as unknown;
  }
  const prototypePath = prototypeKeyPath(value);
  if (prototypePath !== undefined) throw new InputError(`${source}: ${prototypePath}`, 'is not a plain object (a __proto__ key, or a class instance); write plain object literals');
  return value;
}

function readJson(file: string, source: string): unknown {
  return parseJsonFile(readFileSync(file, 'utf8'), source);
}

/** Environment modules loaded by this process (absolute path -> path shown), to name them in late errors. */
const loadedModules = new Map<string, string>();

function readModule(root: string, file: string, source: string): unknown {
  let loaded: unknown;
  loadedModules.set(file, source);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(file);
  } catch (error) {
    const syntax = syntaxErrorOf(error, root, source);
    if (syntax) throw syntax;
    throw new InputError(source, `cannot be loaded: ${firstLine(error)}`);
  }
  const value = (loaded as { default?: unknown } | null)?.default ?? loaded;
  if (value === null || typeof value !== 'object') throw new InputError(source, 'must export an environment object as its default export (export default defineEnvironment({...}))');
  const prototypePath = prototypeKeyPath(value);
  if (prototypePath !== undefined) throw new InputError(`${source}: ${prototypePath}`, 'is not a plain object (a __proto__ key, or a class instance); write plain object literals');
  return value;
}

/**
 * The TypeScript transform's (esbuild's) error as `file:line:column: reason`: its message is a
 * "Transform failed" header with the location on the following lines.
 */
function syntaxErrorOf(error: unknown, root: string, source: string): InputError | undefined {
  if (!(error instanceof Error) || !/^Transform failed with \d+ errors?/.test(error.message)) return undefined;
  const located = error.message
    .split('\n')
    .map((line) => /^(.*):(\d+):(\d+): ERROR: (.*)$/.exec(line.trim()))
    .filter((m): m is RegExpExecArray => m !== null);
  if (located.length === 0) return new InputError(source, `has a syntax error: ${firstLine(error)}`);
  const [, at, line, column, reason] = located[0];
  const inProject = relative(root, at);
  const where = inProject && !inProject.startsWith('..') && !isAbsolute(inProject) ? inProject : at;
  const more = located.length > 1 ? ` (and ${located.length - 1} more syntax error${located.length > 2 ? 's' : ''})` : '';
  return new InputError(`${where}:${line}:${column}`, `syntax error: ${reason}${more}`);
}

/**
 * The environment file behind an error raised after loading (a timer's throw, a promise nobody awaited):
 * the loaded module its stack points into, or, for a rejection without a stack, the modules loaded.
 */
export function environmentFileBehind(error: unknown): string | undefined {
  if (loadedModules.size === 0) return undefined;
  const stack = error instanceof Error ? (error.stack ?? '') : undefined;
  if (stack === undefined) return [...loadedModules.values()].join(', ');
  for (const [file, source] of loadedModules) if (stack.includes(file)) return source;
  return undefined;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown error';
}
