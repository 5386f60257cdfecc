import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { InputError, inputErrorLines } from '../../core/errors';
import { jsonDocument, jsonErrorDocument } from '../../core/json-output';
import type { CommandIO } from '../io';

/**
 * Runs a handler: bad input becomes `ndc <command>: where: reason` on stderr (and the error document on
 * stdout under --json) and exit 2, never a stack trace.
 */
export async function guarded(io: CommandIO, command: string, handler: () => Promise<number>): Promise<number> {
  try {
    return await handler();
  } catch (error) {
    if (error instanceof InputError) return printError(io, command, inputErrorLines(error), 2);
    throw error;
  }
}

/** Every command's error output: one line per problem prefixed `ndc <command>: `; under --json also the error document on stdout. */
export function printError(io: CommandIO, command: string, lines: readonly string[], exitCode: number): number {
  const prefix = command === '' ? 'ndc: ' : `ndc ${command}: `;
  for (const line of lines) io.err(`${prefix}${line}`);
  if (io.json) io.out(jsonErrorDocument(command, lines.join('; '), exitCode));
  return exitCode;
}

/** A command's refusal (exit 1): `ndc <command>: refused: reason`, and under --json its document (`body`). */
export function refusal(io: CommandIO, command: string, reason: string, body: object = { refused: reason }): number {
  if (io.json) printJson(io, command, body);
  io.err(`ndc ${command}: refused: ${reason}`);
  return 1;
}

/** Prints a command's --json document: `{"schema": "ndc/<command>/v1", ...}` (core/json-output.ts). */
export function printJson(io: CommandIO, command: string, value: object): void {
  io.out(jsonDocument(command, value));
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

/** Folders of the project that only ndc or its authors write: inputs, artifacts, approvals, the ledger, the code. */
export const PROTECTED_FOLDERS = ['environments', 'out', 'approvals', '.ndc', '.git', 'node_modules', 'dist', 'bin', 'cli', 'constructs', 'core', 'deploy', 'ledger', 'policies', 'scripts', 'stacks'] as const;

/** Files at the project root that configure the build and that a report must never replace. */
export const PROTECTED_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'cdktf.json', 'eslint.config.mjs', 'jest.config.js'] as const;

/**
 * Refuses an output path (a report, an export) that would land inside a protected folder or over a
 * protected file, judged on the path as written and on where its symlinks and `..` really lead.
 */
export function refuseProjectInput(root: string, path: string, flag: string): void {
  const written = resolve(root, path);
  const targets = [written, realLocation(written)];
  const realRoot = realLocation(resolve(root));
  const roots = [resolve(root), realRoot];
  for (const target of targets) {
    for (const base of roots) {
      for (const folder of PROTECTED_FOLDERS) {
        if (isInside(target, join(base, folder))) throw new InputError(flag, `${JSON.stringify(path)} is inside ${folder}/, which holds the project's inputs and artifacts; write the report elsewhere (for example reports/)`);
      }
      for (const file of PROTECTED_FILES) {
        if (target === join(base, file)) throw new InputError(flag, `${JSON.stringify(path)} would overwrite the project's ${file}; write the report elsewhere`);
      }
    }
    for (const folder of PROTECTED_FOLDERS) {
      const real = join(roots[0], folder);
      if (existsSync(real) && isInside(target, realLocation(real))) throw new InputError(flag, `${JSON.stringify(path)} leads into ${folder}/ (through a symlink), which holds the project's inputs and artifacts; write the report elsewhere`);
    }
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The path with every symlink of its existing part resolved (the rest, not yet created, appended as is). */
function realLocation(file: string): string {
  const rest: string[] = [];
  let existing = file;
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) return file;
    rest.unshift(basename(existing));
    existing = parent;
  }
  try {
    return join(realpathSync(existing), ...rest);
  } catch {
    return file;
  }
}
