/**
 * Masking of secret values the secrets rules found: a report shows where a secret is, never the secret.
 * A finding's own message names only the kind and line, but the same value can reach a report through
 * anything else it quotes (a system name, a resource address, another rule's message).
 */

/** Values shorter than this are not masked: they match ordinary words, and masking them would garble the report. */
export const SHORTEST_MASKED_SECRET = 6;

/** `AKIAIOSFODNN7EXAMPLE` -> `AKIA****************`: enough to recognise which key, not enough to use it. */
export function maskSecret(value: string): string {
  const kept = value.length >= 12 ? 4 : 2;
  return `${value.slice(0, kept)}${'*'.repeat(value.length - kept)}`;
}

/** A deep copy of `value` with every occurrence of every secret in its strings (keys included) masked. */
export function maskSecrets<T>(value: T, secrets: Iterable<string>): T {
  // Longest first, so a secret that contains another is masked whole.
  const masked = [...new Set(secrets)].filter((s) => s.length >= SHORTEST_MASKED_SECRET).sort((a, b) => b.length - a.length);
  if (masked.length === 0) return value;
  const maskText = (text: string) => masked.reduce((out, secret) => (out.includes(secret) ? out.split(secret).join(maskSecret(secret)) : out), text);
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return maskText(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node !== null && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [maskText(k), walk(v)]));
    return node;
  };
  return walk(value) as T;
}

/**
 * Where a report keeps the masking of the secrets found in it, for text rendered beside it (the HTML
 * report's extra sections). A symbol key: shallow copies of the report keep it, serialisation never sees it.
 */
export const MASK_FOUND_SECRETS: unique symbol = Symbol('ndc.maskFoundSecrets');

interface MaskingCarrier {
  readonly [MASK_FOUND_SECRETS]?: (text: string) => string;
}

/** `report` with every found secret masked, carrying the masking for text rendered later; unchanged when none was found. */
export function withSecretsMasked<T extends object>(report: T, secrets: ReadonlySet<string>): T {
  if (secrets.size === 0) return report;
  const masked = maskSecrets(report, secrets);
  return Object.assign(masked, { [MASK_FOUND_SECRETS]: (text: string) => maskSecrets(text, secrets) });
}

/** `text` with the secrets found in `report` masked (rendered output, extra report sections). */
export function maskFoundSecrets(report: object, text: string): string {
  const mask = (report as MaskingCarrier)[MASK_FOUND_SECRETS];
  return mask ? mask(text) : text;
}
