import { canonicalJson, sha256 } from '../core/canonical-json';

/**
 * The ledger: an append-only, hash-chained record of what the platform did (synth, check, approve, gate
 * decisions, deploy steps, locks). Each record's hash covers its contents and the previous record's hash,
 * so an edited, deleted or reordered record breaks the chain that `ndc ledger verify` walks.
 */
export const LEDGER_KINDS = ['synth', 'check', 'approve', 'gate', 'deploy-step', 'destroy-step', 'lock', 'trust-store', 'trust-accepted'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/** The hash before the first record. */
export const GENESIS_HASH = '0'.repeat(64);

export interface LedgerEntry {
  readonly kind: LedgerKind;
  readonly env: string;
  /** Who: a reviewer id, a CI job, `user@host`. */
  readonly actor: string;
  /** The manifest digest the action concerns, when there is one. */
  readonly digest?: string | null;
  readonly result: string;
  readonly details?: Record<string, unknown>;
  readonly at: Date;
}

export interface LedgerRecord {
  readonly seq: number;
  readonly prevHash: string;
  readonly hash: string;
  readonly kind: string;
  readonly env: string;
  readonly actor: string;
  readonly digest: string | null;
  /** ISO time. */
  readonly at: string;
  readonly result: string;
  readonly details: Record<string, unknown>;
}

/** A per-environment deploy lock: one holder at a time until its lease runs out. */
export interface LockLease {
  readonly env: string;
  readonly holder: string;
  readonly acquiredAt: string;
  readonly expiresAt: string;
}

export type LockOutcome =
  | { readonly acquired: true; readonly lease: LockLease; readonly takenOverFrom?: LockLease }
  | { readonly acquired: false; readonly heldBy: LockLease };

export interface LedgerVerification {
  readonly intact: boolean;
  readonly records: number;
  readonly headHash: string;
  readonly problems: string[];
}

export interface Ledger {
  /** Where it lives, for messages: a file path or a PostgreSQL URL without its password. */
  readonly location: string;
  append(entry: LedgerEntry): Promise<LedgerRecord>;
  /** All records in sequence order. */
  records(): Promise<LedgerRecord[]>;
  verify(): Promise<LedgerVerification>;
  /**
   * Takes the deploy lock of `env` for `leaseMs`. Refused while another holder's lease runs; an expired
   * lease is taken over, and the takeover is recorded in the ledger in the same transaction.
   */
  acquireLock(env: string, holder: string, leaseMs: number, now: Date): Promise<LockOutcome>;
  /** Gives the lock back; false when `holder` did not hold it. */
  releaseLock(env: string, holder: string, now: Date): Promise<boolean>;
  close(): Promise<void>;
}

/** A ledger record as both backends store it (snake_case columns, details as JSON text). */
export interface LedgerRow {
  /** PostgreSQL returns BIGINT as a string. */
  seq: string | number;
  prev_hash: string;
  hash: string;
  kind: string;
  env: string;
  actor: string;
  digest: string | null;
  at: string;
  result: string;
  details: string;
}

export function recordFromRow(row: LedgerRow): LedgerRecord {
  let details: Record<string, unknown>;
  try {
    details = JSON.parse(row.details) as Record<string, unknown>;
  } catch {
    // An edited, unparsable details column still has to show up as a broken hash, not a crash.
    details = { unparsable: row.details };
  }
  return { seq: Number(row.seq), prevHash: row.prev_hash, hash: row.hash, kind: row.kind, env: row.env, actor: row.actor, digest: row.digest, at: row.at, result: row.result, details };
}

export function recordHash(record: Omit<LedgerRecord, 'hash'>): string {
  return sha256(
    canonicalJson({
      seq: record.seq,
      prevHash: record.prevHash,
      kind: record.kind,
      env: record.env,
      actor: record.actor,
      digest: record.digest,
      at: record.at,
      result: record.result,
      details: record.details,
    }),
  );
}

/** The record that follows `last` (undefined: the first record). */
export function nextRecord(last: { seq: number; hash: string } | undefined, entry: LedgerEntry): LedgerRecord {
  if (!(LEDGER_KINDS as readonly string[]).includes(entry.kind)) throw new Error(`unknown ledger record kind ${entry.kind}`);
  const unhashed = {
    seq: (last?.seq ?? 0) + 1,
    prevHash: last?.hash ?? GENESIS_HASH,
    kind: entry.kind,
    env: entry.env,
    actor: entry.actor,
    digest: entry.digest ?? null,
    at: entry.at.toISOString(),
    result: entry.result,
    // Round-trip so the hash covers exactly what is stored and read back.
    details: JSON.parse(canonicalJson(entry.details ?? {})) as Record<string, unknown>,
  };
  return { ...unhashed, hash: recordHash(unhashed) };
}

/**
 * Walks the chain. `head` is the last (seq, hash) written, kept beside the chain so that cutting records off
 * the end is noticed too.
 */
export function verifyChain(records: readonly LedgerRecord[], head: { seq: number; hash: string } | undefined): LedgerVerification {
  const problems: string[] = [];
  let prev = GENESIS_HASH;
  records.forEach((record, index) => {
    const expectedSeq = index + 1;
    if (record.seq !== expectedSeq) problems.push(`record #${expectedSeq} has seq ${record.seq}: a record was deleted or reordered`);
    if (record.prevHash !== prev) problems.push(`record seq ${record.seq}: prevHash does not match the record before it (deleted or reordered)`);
    if (recordHash(record) !== record.hash) problems.push(`record seq ${record.seq}: contents do not match its hash (edited)`);
    prev = record.hash;
  });
  const last = records[records.length - 1];
  if (!head && last) problems.push('the ledger head is missing');
  if (head && (!last || head.seq !== last.seq || head.hash !== last.hash)) {
    problems.push(`the ledger head says seq ${head.seq} but the chain ends at seq ${last?.seq ?? 0}: records were cut off the end or the head was edited`);
  }
  return { intact: problems.length === 0, records: records.length, headHash: last?.hash ?? GENESIS_HASH, problems };
}

/** Common lock decision for both stores: what to do given the current row. */
export function decideLock(current: LockLease | undefined, env: string, holder: string, leaseMs: number, now: Date): LockOutcome {
  const lease: LockLease = { env, holder, acquiredAt: now.toISOString(), expiresAt: new Date(now.getTime() + leaseMs).toISOString() };
  if (!current) return { acquired: true, lease };
  if (Date.parse(current.expiresAt) > now.getTime()) return { acquired: false, heldBy: current };
  return { acquired: true, lease, takenOverFrom: current };
}

export function lockRecord(outcome: LockOutcome & { acquired: true }, now: Date): LedgerEntry {
  const { lease, takenOverFrom } = outcome;
  return {
    kind: 'lock',
    env: lease.env,
    actor: lease.holder,
    result: takenOverFrom ? 'taken-over' : 'acquired',
    details: takenOverFrom ? { expiresAt: lease.expiresAt, previousHolder: takenOverFrom.holder, previousExpiresAt: takenOverFrom.expiresAt } : { expiresAt: lease.expiresAt },
    at: now,
  };
}
