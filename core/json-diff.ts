import { canonicalJson, sha256 } from './canonical-json';

/**
 * Attribute-level differences between two JSON documents (a resource as approved and as it is now), named
 * by JSON path so a reviewer sees exactly which field changed: `spec.ingress[1].ports[0].port`.
 */
export interface AttributeChange {
  /** Where, from the resource's top: `port_range_min`, `metadata.labels["ndc.gov.vn/system"]`, `spec.ingress[2]`. */
  readonly path: string;
  /** The value before, as canonical JSON (shortened when long); undefined when the attribute was absent. */
  readonly from?: string;
  /** The value after, the same way; undefined when the attribute is gone. */
  readonly to?: string;
}

/** Values whose JSON is longer than this are shown shortened, with their length and a hash to tell them apart. */
export const SHOWN_VALUE_LENGTH = 72;
/** How much of a long value is kept. */
const KEPT_PREFIX = 48;

/** Arrays longer than this are aligned by equal elements only (the alignment below is quadratic). */
const ALIGNED_ARRAY_LIMIT = 2_000;

/** A value as a reviewer reads it: its canonical JSON, shortened deterministically when long. */
export function shownValue(value: unknown): string {
  const text = canonicalJson(value) ?? 'null';
  if (text.length <= SHOWN_VALUE_LENGTH) return text;
  return `${text.slice(0, KEPT_PREFIX)}... (${text.length} chars, sha256 ${sha256(text).slice(0, 12)})`;
}

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/** `a.b`, `a["ndc.gov.vn/system"]`, `a[3]`. */
export function memberPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (PLAIN_KEY.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Every leaf of a value with its path (an empty object or list is a leaf), for resources added or removed whole. */
export function attributeLeaves(value: unknown, path = ''): { path: string; value: unknown }[] {
  const out: { path: string; value: unknown }[] = [];
  const walk = (v: unknown, p: string) => {
    if (Array.isArray(v) && v.length > 0) v.forEach((item, i) => walk(item, memberPath(p, i)));
    else if (isObject(v) && Object.keys(v).length > 0) for (const key of Object.keys(v).sort()) walk(v[key], memberPath(p, key));
    else out.push({ path: p, value: v });
  };
  walk(value, path);
  return out;
}

/** The attributes of a resource that appeared (`to` only) or disappeared (`from` only). */
export function wholeAttributes(value: unknown, side: 'from' | 'to'): AttributeChange[] {
  return attributeLeaves(value).map((leaf) => ({ path: leaf.path, [side]: shownValue(leaf.value) }));
}

/** The differences between `before` and `after`, in document order; empty when they are equal as canonical JSON. */
export function attributeChanges(before: unknown, after: unknown): AttributeChange[] {
  const out: AttributeChange[] = [];
  compare(before, after, '', out);
  return out;
}

function compare(before: unknown, after: unknown, path: string, out: AttributeChange[]): void {
  if (isObject(before) && isObject(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      const child = memberPath(path, key);
      if (!(key in after)) out.push(...prefixed(wholeAttributes(before[key], 'from'), child));
      else if (!(key in before)) out.push(...prefixed(wholeAttributes(after[key], 'to'), child));
      else compare(before[key], after[key], child, out);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    compareLists(before, after, path, out);
    return;
  }
  if (canonicalJson(before) !== canonicalJson(after)) out.push({ path, from: shownValue(before), to: shownValue(after) });
}

function prefixed(changes: AttributeChange[], path: string): AttributeChange[] {
  return changes.map((c) => ({ ...c, path: c.path === '' ? path : c.path.startsWith('[') ? `${path}${c.path}` : `${path}.${c.path}` }));
}

/**
 * Lists are aligned on their equal elements (longest common subsequence), so a rule inserted in the middle
 * shows as one element added, not as every later element changed. Elements left between two aligned ones
 * are compared pairwise in order; the surplus on either side is added or removed whole.
 */
function compareLists(before: readonly unknown[], after: readonly unknown[], path: string, out: AttributeChange[]): void {
  const a = before.map((v) => canonicalJson(v));
  const b = after.map((v) => canonicalJson(v));
  const pairs = a.length * b.length <= ALIGNED_ARRAY_LIMIT * ALIGNED_ARRAY_LIMIT ? commonSubsequence(a, b) : equalRuns(a, b);
  let i = 0;
  let j = 0;
  for (const [ai, bj] of [...pairs, [a.length, b.length] as const]) {
    const removed = ai - i;
    const added = bj - j;
    const paired = Math.min(removed, added);
    for (let k = 0; k < paired; k++) compare(before[i + k], after[j + k], memberPath(path, j + k), out);
    for (let k = paired; k < removed; k++) out.push(...prefixed(wholeAttributes(before[i + k], 'from'), memberPath(path, i + k)));
    for (let k = paired; k < added; k++) out.push(...prefixed(wholeAttributes(after[j + k], 'to'), memberPath(path, j + k)));
    i = ai + 1;
    j = bj + 1;
  }
}

/** Index pairs of a longest common subsequence of two lists of strings, in order. */
function commonSubsequence(a: readonly string[], b: readonly string[]): [number, number][] {
  const n = a.length;
  const m = b.length;
  const lengths: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let x = n - 1; x >= 0; x--) {
    for (let y = m - 1; y >= 0; y--) lengths[x][y] = a[x] === b[y] ? lengths[x + 1][y + 1] + 1 : Math.max(lengths[x + 1][y], lengths[x][y + 1]);
  }
  const pairs: [number, number][] = [];
  let x = 0;
  let y = 0;
  while (x < n && y < m) {
    if (a[x] === b[y]) {
      pairs.push([x++, y++]);
    } else if (lengths[x + 1][y] >= lengths[x][y + 1]) x++;
    else y++;
  }
  return pairs;
}

/** For very long lists: the common prefix and suffix only (linear), the middle compared pairwise. */
function equalRuns(a: readonly string[], b: readonly string[]): [number, number][] {
  const pairs: [number, number][] = [];
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) pairs.push([head, head++]);
  const tail: [number, number][] = [];
  let x = a.length - 1;
  let y = b.length - 1;
  while (x >= head && y >= head && a[x] === b[y]) tail.unshift([x--, y--]);
  return [...pairs, ...tail];
}
