/** Shared by the secrets rules: find literal values in artifact text, never echoing the secret itself. */

export interface Hit {
  readonly line: number;
  readonly what: string;
  /** The secret value itself, for masking; never printed. */
  readonly value?: string;
}

/** The secret values among hits, for RuleResult.secrets. */
export function secretsOf(hits: readonly Hit[]): string[] {
  return [...new Set(hits.map((h) => h.value).filter((v): v is string => v !== undefined && v !== ''))];
}

/** A value that is a reference resolved at deploy time, not a literal secret. */
export function isReference(value: string): boolean {
  return value === '' || /^\$\{[^}]+\}$/.test(value) || /^\{\{\s*resolve:/.test(value) || /^(arn|projects)\//.test(value);
}

/** Literal values of keys matching `keys`, in JSON (`"key": "value"`) and YAML (`key: value`). */
export function literalValues(text: string, keys: RegExp): Hit[] {
  const hits: Hit[] = [];
  // Most artifacts name no such key at all: one linear scan settles them.
  if (!new RegExp(keys.source, 'i').test(text)) return hits;
  const json = new RegExp(`"([A-Za-z0-9_.-]*(?:${keys.source})[A-Za-z0-9_.-]*)"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`, 'gi');
  const yaml = new RegExp(`^\\s*-?\\s*([A-Za-z0-9_.-]*(?:${keys.source})[A-Za-z0-9_.-]*)\\s*:\\s*["']?([^"'#\\n{][^"'#\\n]*)["']?\\s*$`, 'gim');
  for (const re of [json, yaml]) {
    for (const m of text.matchAll(re)) {
      const value = m[2].trim();
      if (isReference(value)) continue;
      hits.push({ line: lineOf(text, m.index ?? 0), what: `literal value for "${m[1]}"`, value });
    }
  }
  return hits;
}

export function patternHits(text: string, patterns: readonly { name: string; re: RegExp }[]): Hit[] {
  const hits: Hit[] = [];
  for (const { name, re } of patterns) {
    for (const m of text.matchAll(new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`))) hits.push({ line: lineOf(text, m.index ?? 0), what: name, value: m[0] });
  }
  return hits;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

export function describeHits(hits: readonly Hit[]): string {
  const shown = hits.slice(0, 5).map((h) => `line ${h.line}: ${h.what}`);
  return `${shown.join('; ')}${hits.length > 5 ? `; and ${hits.length - 5} more` : ''}`;
}
