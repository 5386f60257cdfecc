import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** A place in a project file: path relative to the project root, 1-based line. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}

/**
 * Where an environment defines each thing with an id (systems, regions, tiers...): the first `id: '<x>'`
 * (or JSON `"id": "<x>"`) literal in the environment file, then in the project modules it imports,
 * followed transitively in import order. Reports point findings there (prod's systems are defined in
 * environments/shared/national.ts, not in prod.ts). Read as text, so it works the same from dist/.
 */
export interface SourceMap {
  /** The environment file itself. */
  readonly file: string;
  /** The line of its top-level `<key>:` (systems, regions, policy...), where one is written. */
  readonly keys: Readonly<Record<string, SourceLocation>>;
  /** Every id literal's first definition. */
  readonly ids: Readonly<Record<string, SourceLocation>>;
}

const ID_LITERAL = /\bid["']?\s*:\s*(['"`])([^'"`\n]+)\1/g;
const KEY_LINE = /^\s*["']?([A-Za-z][A-Za-z0-9]*)["']?\s*:/;
const IMPORT = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm;
const EXTENSIONS = ['', '.ts', '.js', '.json', '/index.ts', '/index.js'];

/** The source map of the environment file `source` (relative to `root`). Files that cannot be read are skipped. */
export function environmentSourceMap(root: string, source: string): SourceMap {
  const ids: Record<string, SourceLocation> = {};
  const keys: Record<string, SourceLocation> = {};
  const seen = new Set<string>();
  const visit = (file: string, top: boolean) => {
    if (seen.has(file)) return;
    seen.add(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return;
    }
    const shown = relative(root, file).split('\\').join('/');
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      for (const m of line.matchAll(ID_LITERAL)) if (!(m[2] in ids)) ids[m[2]] = { file: shown, line: i + 1 };
      const key = top ? KEY_LINE.exec(line) : null;
      if (key && !(key[1] in keys)) keys[key[1]] = { file: shown, line: i + 1 };
    });
    for (const m of text.matchAll(IMPORT)) {
      const target = resolveImport(root, file, m[2]);
      if (target) visit(target, false);
    }
  };
  visit(resolve(root, source), true);
  return { file: source, keys, ids };
}

/** A relative import to a project file (never outside the root, never node_modules). */
function resolveImport(root: string, from: string, specifier: string): string | undefined {
  const base = join(dirname(from), specifier);
  const inside = relative(root, base);
  if (inside.startsWith('..') || isAbsolute(inside) || inside.split(/[\\/]/).includes('node_modules')) return undefined;
  for (const ext of EXTENSIONS) {
    const candidate = `${base}${ext}`;
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Where a system is defined; else where the environment lists its systems; else the file's first line. */
export function systemLocation(map: SourceMap, systemId: string): SourceLocation {
  return map.ids[systemId] ?? map.keys.systems ?? { file: map.file, line: 1 };
}

/** Where a region (cluster) is defined; else where the environment lists its regions; else the file's first line. */
export function regionLocation(map: SourceMap, regionId: string): SourceLocation {
  return map.ids[regionId] ?? map.keys.regions ?? { file: map.file, line: 1 };
}
