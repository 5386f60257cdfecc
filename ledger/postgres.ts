import type { Client, ClientConfig } from 'pg';
import { InputError } from '../core/errors';
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
import { redactUrl, redactUrls } from './url';

/**
 * What `ndc ledger init` installs, once, as the owner of the schema. Everyday connections never run DDL:
 * they need only SELECT and INSERT on ledger and SELECT on ledger_head (see `grants`), so neither they nor
 * anyone holding their credentials can update, delete, truncate or switch off the triggers. The head row
 * is advanced by a SECURITY DEFINER trigger, so the everyday role needs no UPDATE right on it either.
 */
const TABLES = (s: string) => `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.ledger (
  seq BIGINT PRIMARY KEY, prev_hash TEXT NOT NULL, hash TEXT NOT NULL, kind TEXT NOT NULL, env TEXT NOT NULL,
  actor TEXT NOT NULL, digest TEXT, at TEXT NOT NULL, result TEXT NOT NULL, details TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_env_kind ON ${s}.ledger (env, kind, seq);
CREATE TABLE IF NOT EXISTS ${s}.ledger_head (id INTEGER PRIMARY KEY CHECK (id = 1), seq BIGINT NOT NULL, hash TEXT NOT NULL);
CREATE OR REPLACE FUNCTION ${s}.ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the ledger is append-only'; END $$;
CREATE OR REPLACE FUNCTION ${s}.ledger_advance_head() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  INSERT INTO ${s}.ledger_head (id, seq, hash) VALUES (1, NEW.seq, NEW.hash) ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash;
  RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS ledger_append_only ON ${s}.ledger;
CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ${s}.ledger FOR EACH ROW EXECUTE FUNCTION ${s}.ledger_append_only();
DROP TRIGGER IF EXISTS ledger_no_truncate ON ${s}.ledger;
CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON ${s}.ledger FOR EACH STATEMENT EXECUTE FUNCTION ${s}.ledger_append_only();
DROP TRIGGER IF EXISTS ledger_head_advance ON ${s}.ledger;
CREATE TRIGGER ledger_head_advance AFTER INSERT ON ${s}.ledger FOR EACH ROW EXECUTE FUNCTION ${s}.ledger_advance_head();
REVOKE ALL ON ${s}.ledger, ${s}.ledger_head FROM PUBLIC;
`;

/** The everyday role's rights: read everything, add records; nothing else. */
export function grants(schema: string, role: string): string {
  return `GRANT USAGE ON SCHEMA ${schema} TO ${role};
GRANT SELECT, INSERT ON ${schema}.ledger TO ${role};
GRANT SELECT ON ${schema}.ledger_head TO ${role};`;
}

/** Serialises every writer of the same database on one advisory lock, so seq numbers never race. */
const ADVISORY_KEY = 0x6e6463; // 'ndc'

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export interface PgLedgerOptions {
  readonly url: string;
  /** PostgreSQL schema holding the ledger tables (default `ndc`). */
  readonly schema?: string;
  /** Which ledger this is (checkpoints are kept per ledger id). */
  readonly id?: string;
  /** The variable the URL came from, named in connection errors. */
  readonly variable?: string;
}

/** The shared ledger for CI and shared environments: NDC_LEDGER_URL=postgres://... */
export class PgLedger implements Ledger {
  readonly id: string;
  readonly location: string;
  private readonly schema: string;
  private readonly variable: string;
  private readonly client: Client;
  private ready: Promise<void> | undefined;
  /** One transaction at a time on this connection. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: PgLedgerOptions) {
    this.schema = options.schema ?? 'ndc';
    if (!IDENTIFIER.test(this.schema)) throw new InputError('ledger schema', `${JSON.stringify(this.schema)}: must be a lower-case PostgreSQL identifier`);
    this.location = redactUrl(options.url);
    this.id = options.id ?? 'postgres';
    this.variable = options.variable ?? 'NDC_LEDGER_URL';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const pg = require('pg') as { Client: new (config: ClientConfig) => Client };
    this.client = new pg.Client({ connectionString: withoutSslModeAlias(options.url), application_name: 'ndc-ledger' });
    // A dropped connection is reported by the next query; without a listener it would crash the process.
    this.client.on('error', () => undefined);
  }

  private async latestLock(env: string): Promise<LedgerRecord | undefined> {
    const rows = await this.client.query<LedgerRow>(`SELECT * FROM ${this.schema}.ledger WHERE env = $1 AND kind = 'lock' ORDER BY seq DESC LIMIT 1`, [env]);
    return rows.rows[0] && recordFromRow(rows.rows[0]);
  }

  /** Decides on the latest lock record and appends what the decision says, under the advisory lock. */
  private lockTransaction<T>(env: string, decide: (latest: LedgerRecord | undefined) => LockChange<T>): Promise<T> {
    return this.transaction(async () => {
      const change = decide(await this.latestLock(env));
      if (change.append) await this.appendInTransaction(change.append);
      return change.answer;
    });
  }

  private connect(): Promise<void> {
    const ready = (this.ready ??= this.client.connect().then(
      () => undefined,
      (error: unknown) => {
        throw this.explain(error, true);
      },
    ));
    return ready;
  }

  /** A driver error as one line naming the variable and the redacted URL; undefined tables mean no `ndc ledger init` yet. */
  private explain(error: unknown, connecting = false): Error {
    if (error instanceof InputError) return error;
    const code = (error as { code?: unknown }).code;
    const message = redactUrls(error instanceof Error ? error.message : String(error)).split('\n')[0];
    const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
    if (sqlState === '42P01' || sqlState === '3F000') {
      return new InputError(this.variable, `${this.location}: no ledger tables in schema ${this.schema}; run ndc ledger init once with the schema owner's role (docs/ledger.md)`);
    }
    if (sqlState === '42501') return new InputError(this.variable, `${this.location}: ${message} (grant the everyday role what docs/ledger.md lists)`);
    const connection = connecting || sqlState?.startsWith('08') || sqlState?.startsWith('28') || (typeof code === 'string' && code.startsWith('E') && sqlState === undefined);
    if (connection) return new InputError(this.variable, `${this.location}: cannot use the ledger database (${message})`);
    if (sqlState) return new Error(`ledger ${this.location}: ${message}`);
    return error instanceof Error ? error : new Error(message);
  }

  private transaction<T>(work: () => Promise<T>): Promise<T> {
    const run = async () => {
      await this.connect();
      try {
        await this.client.query('BEGIN ISOLATION LEVEL READ COMMITTED');
      } catch (error) {
        throw this.explain(error);
      }
      try {
        await this.client.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_KEY]);
        const result = await work();
        await this.client.query('COMMIT');
        return result;
      } catch (error) {
        await this.client.query('ROLLBACK').catch(() => undefined);
        throw this.explain(error);
      }
    };
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** `ndc ledger init`: tables, index and triggers, and optionally the everyday role's grants. Owner only. */
  install(everydayRoles: readonly string[] = []): Promise<void> {
    for (const role of everydayRoles) if (!IDENTIFIER.test(role)) throw new InputError('--grant', `${JSON.stringify(role)}: must be a lower-case PostgreSQL role name`);
    return this.transaction(async () => {
      await this.client.query(TABLES(this.schema));
      for (const role of everydayRoles) await this.client.query(grants(this.schema, role));
    });
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

  head(): Promise<LedgerHead> {
    return this.transaction(async () => {
      const last = await this.client.query<{ seq: string; hash: string }>(`SELECT seq, hash FROM ${this.schema}.ledger ORDER BY seq DESC LIMIT 1`);
      return last.rows[0] ? { seq: Number(last.rows[0].seq), hash: last.rows[0].hash } : { seq: 0, hash: GENESIS_HASH };
    });
  }

  snapshot(): Promise<LedgerSnapshot> {
    return this.transaction(async () => {
      const records = await this.readRecords();
      const head = await this.client.query<{ seq: string; hash: string }>(`SELECT seq, hash FROM ${this.schema}.ledger_head WHERE id = 1`);
      return { records, storedHead: head.rows[0] ? { seq: Number(head.rows[0].seq), hash: head.rows[0].hash } : undefined };
    });
  }

  async verify(): Promise<LedgerVerification> {
    const { records, storedHead } = await this.snapshot();
    return verifyChain(records, storedHead);
  }

  acquireLock(env: string, holder: string, leaseMs: number, now: Date): Promise<LockOutcome> {
    return this.lockTransaction(env, (latest) => acquireChange(latest, env, holder, leaseMs, now));
  }

  renewLock(env: string, holder: string, leaseMs: number, now: Date): Promise<boolean> {
    return this.lockTransaction(env, (latest) => renewChange(latest, env, holder, leaseMs, now));
  }

  releaseLock(env: string, holder: string, now: Date): Promise<boolean> {
    return this.lockTransaction(env, (latest) => releaseChange(latest, env, holder, now));
  }

  currentLock(env: string, now: Date): Promise<LockLease | undefined> {
    return this.lockTransaction(env, (latest) => ({ answer: currentLease(latest, now) }));
  }

  breakLock(env: string, actor: string, reason: string, now: Date): Promise<LockLease | undefined> {
    return this.lockTransaction(env, (latest) => breakChange(latest, env, actor, reason, now));
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.ready) await this.client.end().catch(() => undefined);
  }
}

/**
 * pg 8 treats sslmode prefer, require and verify-ca as verify-full and prints a multi-line warning when it
 * meets them; saying verify-full explicitly keeps that behaviour and keeps ndc's errors to one line.
 */
export function withoutSslModeAlias(url: string): string {
  try {
    const parsed = new URL(url);
    const mode = parsed.searchParams.get('sslmode');
    if (mode === 'prefer' || mode === 'require' || mode === 'verify-ca') {
      if (parsed.searchParams.get('uselibpqcompat') === 'true') return url;
      parsed.searchParams.set('sslmode', 'verify-full');
      return parsed.toString();
    }
  } catch {
    // openLedger has checked the URL; anything else is reported by the driver
  }
  return url;
}
