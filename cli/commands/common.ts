import { isAbsolute, relative, resolve } from 'node:path';
import { stableJson } from '../../core/canonical-json';
import { InputError } from '../../core/errors';
import type { CommandIO } from '../io';

/** Runs a handler: bad input becomes one `where: reason` line on stderr and exit 2, never a stack trace. */
export async function guarded(io: CommandIO, handler: () => Promise<number>): Promise<number> {
  try {
    return await handler();
  } catch (error) {
    if (error instanceof InputError) {
      io.err(error.message);
      return 2;
    }
    throw error;
  }
}

export function printJson(io: CommandIO, value: unknown): void {
  io.out(stableJson(value).trimEnd());
}

/** A path from the command line, relative to the project root unless absolute. */
export function resolvePath(io: CommandIO, path: string): { file: string; shown: string } {
  const file = isAbsolute(path) ? path : resolve(io.root, path);
  const rel = relative(io.root, file);
  return { file, shown: rel && !rel.startsWith('..') ? rel : file };
}

export const ID_PATTERN = /^[a-z][a-z0-9-]{0,39}$/;

export function requireId(flag: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new InputError(flag, 'is required');
  if (!ID_PATTERN.test(value)) throw new InputError(flag, `${JSON.stringify(value)}: must be lower-case letters, digits and dashes, starting with a letter, at most 40 characters`);
  return value;
}

/** Pads columns of a small text table (reports are read in terminals and in CI logs). */
export function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')}`.trimEnd());
}
