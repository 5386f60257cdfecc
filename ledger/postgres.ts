import type { Client, ClientConfig } from 'pg';
import { decideLock, lockRecord, nextRecord, recordFromRow, verifyChain, type Ledger, type LedgerRow, type LedgerEntry, type LedgerRecord, type LedgerVerification, type LockLease, type LockOutcome } from './ledger';

const TABLES = (schema: string) => `
CREATE SCHEMA IF NOT EXISTS ${schema};
CREATE TABLE IF NOT EXISTS ${schema}.ledger (
  seq BIGINT PRIMARY KEY, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, kind TEXT NOT NULL, env TEXT NOT NULL,
  actor TEXT NOT NULL, digest TEXT, at TEXT NOT NULL, result TEXT NOT NULL, details TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ${schema}.ledger_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ${schema}.deploy_locks (env TEXT PRIMARY KEY, holder TEXT NOT NULL, acquired_at TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE OR REPLACE FUNCTION ${schema}.ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the ledger is append-only'; END $$;
DROP TRIGGER IF EXISTS ledger_append_only ON ${schema}.ledger;
CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ${schema}.ledger FOR EACH ROW EXECUTE FUNCTION ${schema}.ledger_append_only();
`;

/** Serialises every writer of the same database on one advisory lock, so seq numbers never race. */
const ADVISORY_KEY = 0x6e6463; // 'ndc'

export interface PgLedgerOptions {
  readonly url: string;
  /** PostgreSQL schema holding the ledger tables (default `ndc`). */
  readonly schema?: string;
}

/** The shared ledger for CI and shared environments: NDC_LEDGER_URL=postgres://... */
export class PgLedger implements Ledger {
  readonly location: string;
  private readonly schema: string;
  private readonly client: Client;
  private ready: Promise<void> | undefined;
  /** One transaction at a time on this connection. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: PgLedgerOptions) {
    this.schema = options.schema ?? 'ndc';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.schema)) throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(this.schema)}`);
    this.location = redact(options.url);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pg = require('pg') as { Client: new (config: ClientConfig) => Client };
    this.client = new pg.Client({ connectionString: options.url, application_name: 'ndc-ledger' });
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      await this.client.connect();
      await this.client.query('SELECT pg_advisory_lock($1)', [ADVISORY_KEY]);
      try {
        await this.client.query(TABLES(this.schema));
      } finally {
        await this.client.query('SELECT pg_advisory_unlock($1)', [ADVISORY_KEY]);
      }
    })();
    return this.ready;
  }

  private transaction<T>(work: () => Promise<T>): Promise<T> {
    const run = async () => {
      await this.init();
      await this.client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      try {
        await this.client.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_KEY]);
        const result = await work();
        await this.client.query('COMMIT');
        return result;
      } catch (error) {
        await this.client.query('ROLLBACK');
        throw error;
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async appendInTransaction(entry: LedgerEntry): Promise<LedgerRecord> {
    const s = this.schema;
    const last = await this.client.query<{ seq: string; hash: string }>(`SELECT seq, hash FROM ${s}.ledger ORDER BY seq DESC LIMIT 1`);
    const previous = last.rows[0] ? { seq: Number(last.rows[0].seq), hash: last.rows[0].hash } : undefined;
    const record = nextRecord(previous, entry);
    await this.client.query(`INSERT INTO ${s}.ledger (seq, prev_hash, hash, kind, env, actor, digest, at, result, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, [
      record.seq,
      record.prevHash,
      record.hash,
      record.kind,
      record.env,
      record.actor,
      record.digest,
      record.at,
      record.result,
      JSON.stringify(record.details),
    ]);
    await this.client.query(`INSERT INTO ${s}.ledger_head (id, seq, hash) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash`, [record.seq, record.hash]);
    return record;
  }

  append(entry: LedgerEntry): Promise<LedgerRecord> {
    return this.transaction(() => this.appendInTransaction(entry));
  }

  private async readRecords(): Promise<LedgerRecord[]> {
    const rows = await this.client.query<LedgerRow>(`SELECT * FROM ${this.schema}.ledger ORDER BY seq`);
    return rows.rows.map(recordFromRow);
  }

  records(): Promise<LedgerRecord[]> {
    return this.transaction(() => this.readRecords());
  }

  verify(): Promise<LedgerVerification> {
    return this.transaction(async () => {
      const records = await this.readRecords();
      const head = await this.client.query<{ seq: string; hash: string }>(`SELECT seq, hash FROM ${this.schema}.ledger_head WHERE id = 1`);
      return verifyChain(records, head.rows[0] ? { seq: Number(head.rows[0].seq), hash: head.rows[0].hash } : undefined);
    });
  }

  acquireLock(env: string, holder: string, leaseMs: number, now: Date): Promise<LockOutcome> {
    return this.transaction(async () => {
      const s = this.schema;
      const row = await this.client.query<{ env: string; holder: string; acquired_at: string; expires_at: string }>(`SELECT * FROM ${s}.deploy_locks WHERE env = $1 FOR UPDATE`, [env]);
      const current: LockLease | undefined = row.rows[0] && { env: row.rows[0].env, holder: row.rows[0].holder, acquiredAt: row.rows[0].acquired_at, expiresAt: row.rows[0].expires_at };
      const outcome = decideLock(current, env, holder, leaseMs, now);
      if (!outcome.acquired) return outcome;
      await this.client.query(
        `INSERT INTO ${s}.deploy_locks (env, holder, acquired_at, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (env) DO UPDATE SET holder = EXCLUDED.holder, acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at`,
        [env, holder, outcome.lease.acquiredAt, outcome.lease.expiresAt],
      );
      await this.appendInTransaction(lockRecord(outcome, now));
      return outcome;
    });
  }

  releaseLock(env: string, holder: string, now: Date): Promise<boolean> {
    return this.transaction(async () => {
      const removed = await this.client.query(`DELETE FROM ${this.schema}.deploy_locks WHERE env = $1 AND holder = $2`, [env, holder]);
      if ((removed.rowCount ?? 0) === 0) return false;
      await this.appendInTransaction({ kind: 'lock', env, actor: holder, result: 'released', at: now });
      return true;
    });
  }

  async close(): Promise<void> {
    await this.queue;
    await this.client.end();
  }
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}
