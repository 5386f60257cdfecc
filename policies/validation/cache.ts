import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SOURCE_ROOT } from '../../core/source-root';

/**
 * A cache of data derived from vendored inputs (parsed CRD schemas, the specification entries in use),
 * under node_modules/.cache/ndc/ and keyed by what it was derived from, so a later run skips the costly
 * parse. Losing it costs time only; it never changes a result.
 */
const CACHE_DIR = join(SOURCE_ROOT, 'node_modules', '.cache', 'ndc');

export function readCache<T>(name: string): T | undefined {
  try {
    return JSON.parse(readFileSync(join(CACHE_DIR, name), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Writes whole or not at all (a temporary sibling renamed into place); a read-only location is ignored. */
export function writeCache(name: string, value: unknown): void {
  const file = join(CACHE_DIR, name);
  const temporary = `${file}.tmp-${process.pid}`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temporary, JSON.stringify(value));
    renameSync(temporary, file);
  } catch {
    rmSync(temporary, { force: true });
  }
}
