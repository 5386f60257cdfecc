import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { decideLock, lockRecord, nextRecord, recordFromRow, verifyChain, type Ledger, type LedgerRow, type LedgerEntry, type LedgerRecord, type LedgerVerification, type LockLease, type LockOutcome } from './ledger';

interface LockRow {
  env: string;
  holder: string;
  acquired_at: string;
  expires_at: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger (
  seq INTEGER PRIMARY KEY, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, kind TEXT NOT NULL, env TEXT NOT NULL,
  actor TEXT NOT NULL, digest TEXT, at TEXT NOT NULL, result TEXT NOT NULL, details TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deploy_locks (env TEXT PRIMARY KEY, holder TEXT NOT NULL, acquired_at TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE TRIGGER IF NOT EXISTS ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;
`;

/** The embedded ledger: one SQLite file (default `<root>/.ndc/ledger.sqlite`). */
export class SqliteLedger implements Ledger {
  readonly location: string;
  private readonly db: BetterSqlite3.Database;

  constructor(file: string) {
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

  async verify(): Promise<LedgerVerification> {
    return this.db
      .transaction(() => {
        const records = (this.db.prepare('SELECT * FROM ledger ORDER BY seq').all() as LedgerRow[]).map(recordFromRow);
        const head = this.db.prepare('SELECT seq, hash FROM ledger_head WHERE id = 1').get() as { seq: number; hash: string } | undefined;
        return verifyChain(records, head);
      })
      .deferred();
  }

  async acquireLock(env: string, holder: string, leaseMs: number, now: Date): Promise<LockOutcome> {
    return this.db
      .transaction(() => {
        const row = this.db.prepare('SELECT * FROM deploy_locks WHERE env = ?').get(env) as LockRow | undefined;
        const outcome = decideLock(row && lockFromRow(row), env, holder, leaseMs, now);
        if (!outcome.acquired) return outcome;
        this.db
          .prepare('INSERT INTO deploy_locks (env, holder, acquired_at, expires_at) VALUES (?, ?, ?, ?) ON CONFLICT (env) DO UPDATE SET holder = excluded.holder, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at')
          .run(env, holder, outcome.lease.acquiredAt, outcome.lease.expiresAt);
        this.appendInTransaction(lockRecord(outcome, now));
        return outcome;
      })
      .immediate();
  }

  async releaseLock(env: string, holder: string, now: Date): Promise<boolean> {
    return this.db
      .transaction(() => {
        const removed = this.db.prepare('DELETE FROM deploy_locks WHERE env = ? AND holder = ?').run(env, holder).changes > 0;
        if (removed) this.appendInTransaction({ kind: 'lock', env, actor: holder, result: 'released', at: now });
        return removed;
      })
      .immediate();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function lockFromRow(row: LockRow): LockLease {
  return { env: row.env, holder: row.holder, acquiredAt: row.acquired_at, expiresAt: row.expires_at };
}
