import { canonicalJson, sha256 } from '../core/canonical-json';

/**
 * The ledger: an append-only, hash-chained record of what the platform did (synth, check, approve, gate
 * decisions, deploy steps, locks). Each record's hash covers its contents and the previous record's hash,
 * so an edited, deleted or reordered record breaks the chain that `ndc ledger verify` walks.
 */
export const LEDGER_KINDS = ['synth', 'check', 'plan', 'approve', 'gate', 'deploy-step', 'destroy-step', 'lock', 'trust-store', 'checkpoint', 'command', 'drift'] as const;
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

/**
 * A per-environment deploy lock: one holder at a time until its lease runs out. The lock lives in the
 * ledger itself (records of kind `lock`), so taking, renewing, releasing and breaking it are all
 * recorded, and the everyday database role needs no right to change or delete anything.
 */
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

/** The last record's position: what a checkpoint signs. */
export interface LedgerHead {
  readonly seq: number;
  readonly hash: string;
}

export interface LedgerSnapshot {
  readonly records: LedgerRecord[];
  /** The head row the store keeps beside the chain; undefined when missing. */
  readonly storedHead: LedgerHead | undefined;
}

export interface Ledger {
  /** Which ledger this is (names its checkpoints file): NDC_LEDGER_ID, `local`, or derived from the URL. */
  readonly id: string;
  /** Where it lives, for messages: a file path or a redacted PostgreSQL URL. */
  readonly location: string;
  append(entry: LedgerEntry): Promise<LedgerRecord>;
  /** All records in sequence order. */
  records(): Promise<LedgerRecord[]>;
  /** The last record (seq 0 and the genesis hash when empty). */
  head(): Promise<LedgerHead>;
  /** Every record and the stored head row, read together (one consistent view). */
  snapshot(): Promise<LedgerSnapshot>;
  verify(): Promise<LedgerVerification>;
  /**
   * Takes the deploy lock of `env` for `leaseMs`. Refused while another holder's lease runs; an expired
   * lease is taken over, and the takeover is recorded.
   */
  acquireLock(env: string, holder: string, leaseMs: number, now: Date): Promise<LockOutcome>;
  /** Extends `holder`'s lease to now + `leaseMs`; false when it no longer holds the lock (broken, taken over). */
  renewLock(env: string, holder: string, leaseMs: number, now: Date): Promise<boolean>;
  /** Gives the lock back; false when `holder` did not hold it. */
  releaseLock(env: string, holder: string, now: Date): Promise<boolean>;
  /** The lease in force, if any (an expired lease is not in force). */
  currentLock(env: string, now: Date): Promise<LockLease | undefined>;
  /** Breaks the lock in force, recording who, why and the previous holder; undefined when none was held. */
  breakLock(env: string, actor: string, reason: string, now: Date): Promise<LockLease | undefined>;
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

/** The lease the latest `lock` record of an environment leaves in place (expired or not), if any. */
export function leaseOf(latest: LedgerRecord | undefined): LockLease | undefined {
  if (!latest || !['acquired', 'taken-over', 'renewed'].includes(latest.result)) return undefined;
  const details = latest.details;
  const holder = typeof details.holder === 'string' ? details.holder : latest.actor;
  const acquiredAt = typeof details.acquiredAt === 'string' ? details.acquiredAt : latest.at;
  const expiresAt = typeof details.expiresAt === 'string' ? details.expiresAt : latest.at;
  return { env: latest.env, holder, acquiredAt, expiresAt };
}

function inForce(lease: LockLease | undefined, now: Date): lease is LockLease {
  return lease !== undefined && Date.parse(lease.expiresAt) > now.getTime();
}

/** Common lock decision for both stores, given the lease the ledger holds for `env`. */
export function decideLock(current: LockLease | undefined, env: string, holder: string, leaseMs: number, now: Date): LockOutcome {
  const lease: LockLease = { env, holder, acquiredAt: now.toISOString(), expiresAt: new Date(now.getTime() + leaseMs).toISOString() };
  if (!current) return { acquired: true, lease };
  if (inForce(current, now)) return { acquired: false, heldBy: current };
  return { acquired: true, lease, takenOverFrom: current };
}

export function lockRecord(outcome: LockOutcome & { acquired: true }, now: Date): LedgerEntry {
  const { lease, takenOverFrom } = outcome;
  const held = { holder: lease.holder, acquiredAt: lease.acquiredAt, expiresAt: lease.expiresAt };
  return {
    kind: 'lock',
    env: lease.env,
    actor: lease.holder,
    result: takenOverFrom ? 'taken-over' : 'acquired',
    details: takenOverFrom ? { ...held, previousHolder: takenOverFrom.holder, previousExpiresAt: takenOverFrom.expiresAt } : held,
    at: now,
  };
}

/**
 * The lock operations, each a decision over the latest `lock` record of the environment: what to answer
 * and which record to append. Each store runs them inside its serialising transaction, so two processes
 * never both see the lock free.
 */
export type LockChange<T> = { readonly answer: T; readonly append?: LedgerEntry };

export function acquireChange(latest: LedgerRecord | undefined, env: string, holder: string, leaseMs: number, now: Date): LockChange<LockOutcome> {
  const outcome = decideLock(leaseOf(latest), env, holder, leaseMs, now);
  return outcome.acquired ? { answer: outcome, append: lockRecord(outcome, now) } : { answer: outcome };
}

export function renewChange(latest: LedgerRecord | undefined, env: string, holder: string, leaseMs: number, now: Date): LockChange<boolean> {
  const current = leaseOf(latest);
  if (!current || current.holder !== holder) return { answer: false };
  // A lease that ran out and was not taken over is still this holder's: nobody else wanted it.
  const expiresAt = new Date(now.getTime() + leaseMs).toISOString();
  return { answer: true, append: { kind: 'lock', env, actor: holder, result: 'renewed', details: { holder, acquiredAt: current.acquiredAt, expiresAt }, at: now } };
}

export function releaseChange(latest: LedgerRecord | undefined, env: string, holder: string, now: Date): LockChange<boolean> {
  const current = leaseOf(latest);
  if (!current || current.holder !== holder) return { answer: false };
  return { answer: true, append: { kind: 'lock', env, actor: holder, result: 'released', details: { holder }, at: now } };
}

export function currentLease(latest: LedgerRecord | undefined, now: Date): LockLease | undefined {
  const current = leaseOf(latest);
  return inForce(current, now) ? current : undefined;
}

export function breakChange(latest: LedgerRecord | undefined, env: string, actor: string, reason: string, now: Date): LockChange<LockLease | undefined> {
  const current = currentLease(latest, now);
  if (!current) return { answer: undefined };
  return {
    answer: current,
    append: {
      kind: 'lock',
      env,
      actor,
      result: 'broken',
      details: { reason, previousHolder: current.holder, previousAcquiredAt: current.acquiredAt, previousExpiresAt: current.expiresAt },
      at: now,
    },
  };
}
