import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError } from '../core/errors';
import type { Environment } from './schema';
import { validateEnvironment } from './validate';

export interface LoadedEnvironment {
  readonly env: Environment;
  /** The file it came from, relative to the project root. */
  readonly source: string;
}

/** Environment names available under `<root>/environments`. */
export function listEnvironments(root: string): string[] {
  const dir = join(root, 'environments');
  if (!existsSync(dir)) return [];
  const skip = new Set(['schema', 'validate', 'load', 'index', 'vocabulary']);
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
  const raw = file.endsWith('.json') ? readJson(file, source) : readModule(file, source);
  const env = validateEnvironment(raw, source);
  if (env.name !== name) throw new InputError(`${source}: name`, `${JSON.stringify(env.name)}: must equal the file name ${JSON.stringify(name)}`);
  return { env, source };
}

function readJson(file: string, source: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(source, `is not valid JSON: ${firstLine(error)}`);
  }
}

function readModule(file: string, source: string): unknown {
  let loaded: unknown;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require(file);
  } catch (error) {
    throw new InputError(source, `cannot be loaded: ${firstLine(error)}`);
  }
  const value = (loaded as { default?: unknown } | null)?.default ?? loaded;
  if (value === null || typeof value !== 'object') throw new InputError(source, 'must export an environment object as its default export (export default defineEnvironment({...}))');
  return value;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown error';
}
