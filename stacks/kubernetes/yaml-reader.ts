import { writesPlain } from './yaml';

/**
 * A reader for exactly what yaml.ts writes (block maps and lists, two-space indents, plain or JSON-quoted
 * scalars) and toYaml's stream (header comments, then `---` before each document). It reads the
 * Kubernetes artifacts many times faster than a general YAML parser. Anything outside that grammar (a
 * hand-edited file, flow style, comments inside a document) returns undefined so the caller uses the
 * full YAML parser: this reader never guesses.
 */

/** Thrown inside the reader when a line is outside the writer's grammar; never escapes this module. */
class NotWritten extends Error {}

const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;

/** The documents of a stream written by toYaml, or undefined when the text is not in that form. */
export function readWrittenYaml(text: string): unknown[] | undefined {
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '') return undefined;
  lines.pop();
  let i = 0;
  while (i < lines.length && lines[i].startsWith('# ')) i++;
  const documents: unknown[] = [];
  try {
    while (i < lines.length) {
      if (lines[i] !== '---' || i + 1 >= lines.length) return undefined;
      const reader = new BlockReader(lines, i + 1);
      documents.push(reader.node(0));
      i = reader.at;
    }
  } catch (error) {
    if (error instanceof NotWritten) return undefined;
    throw error;
  }
  return documents;
}

class BlockReader {
  constructor(
    private readonly lines: string[],
    public at: number,
  ) {}

  /** The line at `at` when it belongs to a block at exactly `indent` spaces, else undefined. */
  private lineAt(indent: number): string | undefined {
    const line = this.lines[this.at];
    if (line === undefined || line === '---') return undefined;
    for (let k = 0; k < indent; k++) if (line.charCodeAt(k) !== 32) return undefined;
    return line.charCodeAt(indent) === 32 ? undefined : line;
  }

  node(indent: number): unknown {
    const line = this.lineAt(indent);
    if (line === undefined) throw new NotWritten();
    if (line[indent] === '-' && (line.length === indent + 1 || line[indent + 1] === ' ')) return this.list(indent);
    const key = keyOf(line, indent);
    if (key !== undefined) return this.map(indent);
    this.at++;
    return leaf(line.slice(indent));
  }

  private map(indent: number): Record<string, unknown> {
    const map: Record<string, unknown> = {};
    let line: string | undefined;
    while ((line = this.lineAt(indent)) !== undefined) {
      if (line[indent] === '-') break;
      const key = keyOf(line, indent);
      if (key === undefined || Object.prototype.hasOwnProperty.call(map, key.name)) throw new NotWritten();
      this.at++;
      const rest = line.slice(key.end);
      const value = rest === '' ? this.node(indent + 2) : rest.startsWith(' ') ? leaf(rest.slice(1)) : fail();
      Object.defineProperty(map, key.name, { value, enumerable: true, writable: true, configurable: true });
    }
    return map;
  }

  private list(indent: number): unknown[] {
    const list: unknown[] = [];
    let line: string | undefined;
    while ((line = this.lineAt(indent)) !== undefined && line[indent] === '-') {
      if (line.length === indent + 1) {
        this.at++;
        list.push(this.node(indent + 2));
      } else if (line[indent + 1] !== ' ') {
        throw new NotWritten();
      } else if (keyOf(line, indent + 2) !== undefined) {
        // `- key: ...` opens a map whose other keys sit two spaces further in, as if the dash were a space.
        this.lines[this.at] = `${' '.repeat(indent + 2)}${line.slice(indent + 2)}`;
        list.push(this.map(indent + 2));
      } else {
        this.at++;
        list.push(leaf(line.slice(indent + 2)));
      }
    }
    return list;
  }
}

function fail(): never {
  throw new NotWritten();
}

/** The key of a `key: value` or `key:` line starting at `indent`, and where the text after its colon starts. */
function keyOf(line: string, indent: number): { name: string; end: number } | undefined {
  if (line[indent] === '"') {
    const close = closingQuote(line, indent);
    if (close === undefined || line[close + 1] !== ':') return undefined;
    const name = JSON.parse(line.slice(indent, close + 1)) as string;
    if (writesPlain(name)) throw new NotWritten();
    return { name, end: close + 2 };
  }
  const colon = line.indexOf(':', indent);
  if (colon < 0 || (colon + 1 < line.length && line[colon + 1] !== ' ')) return undefined;
  const name = line.slice(indent, colon);
  if (!writesPlain(name)) throw new NotWritten();
  return { name, end: colon + 1 };
}

/** The index of the quote closing a JSON string opened at `open`. */
function closingQuote(line: string, open: number): number | undefined {
  for (let k = open + 1; k < line.length; k++) {
    const c = line[k];
    if (c === '\\') k++;
    else if (c === '"') return k;
  }
  return undefined;
}

function leaf(token: string): unknown {
  switch (token) {
    case 'null':
      return null;
    case 'true':
      return true;
    case 'false':
      return false;
    case '[]':
      return [];
    case '{}':
      return {};
  }
  if (token.startsWith('"')) {
    if (closingQuote(token, 0) !== token.length - 1) throw new NotWritten();
    const value = JSON.parse(token) as string;
    if (writesPlain(value)) throw new NotWritten();
    return value;
  }
  if (NUMBER.test(token)) return Number(token);
  if (writesPlain(token)) return token;
  throw new NotWritten();
}
