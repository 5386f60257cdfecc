import type { AcceptedTrust } from './trust-store';

/**
 * The ledger's memory of the trust store: each time a gate or approval command accepts a trust-store
 * version newer than any before for an environment, a `trust-accepted` record holds its version and hash.
 * The highest one is the floor the next command holds the store to, so putting back an older file (which
 * would revive a revoked key) is refused. The ledger is reached through its append and query operations only.
 */
export const TRUST_ACCEPTED_KIND = 'trust-accepted';

/** The parts of a ledger record read here (ledger/ledger.ts LedgerRecord). */
export interface TrustLedgerRecord {
  readonly kind: string;
  readonly env: string;
  readonly at: string;
  readonly details: Record<string, unknown>;
}

/** What is needed of the ledger: its records, and appending one. */
export interface TrustLedger {
  records(): Promise<readonly TrustLedgerRecord[]>;
  append(entry: { kind: typeof TRUST_ACCEPTED_KIND; env: string; actor: string; result: string; details: Record<string, unknown>; at: Date }): Promise<unknown>;
}

/** The highest version accepted for `env`, with the first time it was. */
export function acceptedTrustFrom(records: readonly TrustLedgerRecord[], env: string): AcceptedTrust | undefined {
  let best: AcceptedTrust | undefined;
  for (const r of records) {
    if (r.kind !== TRUST_ACCEPTED_KIND || r.env !== env) continue;
    const { version, hash } = r.details;
    if (typeof version !== 'number' || typeof hash !== 'string') continue;
    if (!best || version > best.version) best = { version, hash, at: r.at };
  }
  return best;
}

export async function acceptedTrustOf(ledger: TrustLedger, env: string): Promise<AcceptedTrust | undefined> {
  return acceptedTrustFrom(await ledger.records(), env);
}

/** Records `trust` as accepted when it is newer than what the ledger held; returns whether it did. */
export async function recordAcceptedTrust(
  ledger: TrustLedger,
  env: string,
  trust: { readonly version: number; readonly hash: string; readonly rootHash: string } | { readonly error: string },
  accepted: AcceptedTrust | undefined,
  actor: string,
  now: Date,
): Promise<boolean> {
  if ('error' in trust || (accepted && trust.version <= accepted.version)) return false;
  await ledger.append({ kind: TRUST_ACCEPTED_KIND, env, actor, result: 'accepted', details: { version: trust.version, hash: trust.hash, rootHash: trust.rootHash, previous: accepted ? { version: accepted.version, hash: accepted.hash } : null }, at: now });
  return true;
}
