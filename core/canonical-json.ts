import { hash } from 'node:crypto';

/**
 * Canonical JSON: object keys sorted, no insignificant white space, `undefined` members dropped.
 * Hashes and signatures are computed over this form so they do not depend on key order.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortedMembers);
}

/** Pretty, key-sorted JSON with a trailing newline: the form of every JSON artifact ndc writes. */
export function stableJson(value: unknown): string {
  return `${JSON.stringify(value, sortedMembers, 2)}\n`;
}

/**
 * JSON.stringify replacer (values arrive after toJSON): each object is replaced by a copy with sorted
 * keys as it is written, so no sorted deep copy of a large document is ever held in memory at once.
 */
function sortedMembers(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError(`cannot encode ${value} in canonical JSON`);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = (value as Record<string, unknown>)[key];
  return sorted;
}

export function sha256(data: string | Uint8Array): string {
  // One-shot (Node 20.12+): about three times faster than createHash for the small inputs of Merkle trees and resources.
  return hash('sha256', data, 'hex');
}
