import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import {
  acquireChange,
  breakChange,
  currentLease,
  GENESIS_HASH,
  nextRecord,
  recordFromRow,
  releaseChange,
  renewChange,
  verifyChain,
  type Ledger,
  type LedgerEntry,
  type LedgerHead,
  type LedgerRecord,
  type LedgerRow,
  type LedgerSnapshot,
  type LedgerVerification,
  type LockLease,
  type LockChange,
  type LockOutcome,
} from './ledger';

// deploy_locks is no longer used (locks are ledger records); it stays so older ledger files still open.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger (
  seq INTEGER PRIMARY KEY, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, kind TEXT NOT NULL, env TEXT NOT NULL,
  actor TEXT NOT NULL, digest TEXT, at TEXT NOT NULL, result TEXT NOT NULL, details TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_env_kind ON ledger (env, kind, seq);
CREATE TABLE IF NOT EXISTS ledger_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
`;

/** The embedded ledger: one SQLite file (default `<root>/.ndc/ledger.sqlite`). */
export class SqliteLedger implements Ledger {
  readonly id: string;
  readonly location: string;
  private readonly db: BetterSqlite3.Database;

  constructor(file: string, id = 'local') {
    this.id = id;
    this.location = file;
    mkdirSync(dirname(file), { recursive: true });
    // Loaded on first use so commands that never touch the ledger do not load the native module.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Database = require('better-sqlite3') as typeof BetterSqlite3;
    this.db = new Database(file, { timeout: 10_000 });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
  }

  private latestLock(env: string): LedgerRecord | undefined {
    const row = this.db.prepare("SELECT * FROM ledger WHERE env = ? AND kind = 'lock' ORDER BY seq DESC LIMIT 1").get(env) as LedgerRow | undefined;
    return row && recordFromRow(row);
  }

  /** Decides on the latest lock record and appends what the decision says, in one immediate transaction. */
  private lockTransaction<T>(env: string, decide: (latest: LedgerRecord | undefined) => LockChange<T>): T {
    return this.db
      .transaction(() => {
        const change = decide(this.latestLock(env));
        if (change.append) this.appendInTransaction(change.append);
        return change.answer;
      })
      .immediate();
  }

  private appendInTransaction(entry: LedgerEntry): LedgerRecord {
    const last = this.db.prepare('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    const record = nextRecord(last, entry);
    this.db
      .prepare('INSERT INTO ledger (seq, prev_hash, hash, kind, env, actor, digest, at, result, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(record.seq, record.prevHash, record.hash, record.kind, record.env, record.actor, record.digest, record.at, record.result, JSON.stringify(record.details));
    this.db.prepare('INSERT INTO ledger_head (id, seq, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash').run(record.seq, record.hash);
    return record;
  }

  async append(entry: LedgerEntry): Promise<LedgerRecord> {
    return this.db.transaction(() => this.appendInTransaction(entry)).immediate();
  }

  async records(): Promise<LedgerRecord[]> {
    const rows = this.db.prepare('SELECT * FROM ledger ORDER BY seq').all() as LedgerRow[];
    return rows.map(recordFromRow);
  }

  async head(): Promise<LedgerHead> {
    const last = this.db.prepare('SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    return last ?? { seq: 0, hash: GENESIS_HASH };
  }

  async snapshot(): Promise<LedgerSnapshot> {
    return this.db
      .transaction(() => {
        const records = (this.db.prepare('SELECT * FROM ledger ORDER BY seq').all() as LedgerRow[]).map(recordFromRow);
        const storedHead = this.db.prepare('SELECT seq, hash FROM ledger_head WHERE id = 1').get() as { seq: number; hash: string } | undefined;
        return { records, storedHead };
      })
      .deferred();
  }

  async verify(): Promise<LedgerVerification> {
    const { records, storedHead } = await this.snapshot();
    return verifyChain(records, storedHead);
  }

  async acquireLock(env: string, holder: string, leaseMs: number, now: Date): Promise<LockOutcome> {
    return this.lockTransaction(env, (latest) => acquireChange(latest, env, holder, leaseMs, now));
  }

  async renewLock(env: string, holder: string, leaseMs: number, now: Date): Promise<boolean> {
    return this.lockTransaction(env, (latest) => renewChange(latest, env, holder, leaseMs, now));
  }

  async releaseLock(env: string, holder: string, now: Date): Promise<boolean> {
    return this.lockTransaction(env, (latest) => releaseChange(latest, env, holder, now));
  }

  async currentLock(env: string, now: Date): Promise<LockLease | undefined> {
    return currentLease(this.latestLock(env), now);
  }

  async breakLock(env: string, actor: string, reason: string, now: Date): Promise<LockLease | undefined> {
    return this.lockTransaction(env, (latest) => breakChange(latest, env, actor, reason, now));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
