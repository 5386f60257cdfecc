import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Client } from 'pg';
import type { Ledger } from '../../ledger/ledger';
import { PgLedger } from '../../ledger/postgres';
import { SqliteLedger } from '../../ledger/sqlite';

/** One ledger store under test plus raw access to its tables, to tamper with them as an attacker would. */
export interface LedgerBackend {
  /** A second, independent connection to the same store (another process, in effect). */
  open(): Ledger;
  /** Runs SQL directly on the store, as it is (the append-only triggers stay on). */
  raw(sql: string): Promise<void>;
  /** Runs SQL directly on the store with the append-only triggers switched off first, as an attacker would. */
  tamper(sql: string): Promise<void>;
  cleanup(): Promise<void>;
}

export interface BackendFactory {
  readonly name: string;
  /** Why it is skipped, when it is. */
  readonly skip?: string;
  create(): Promise<LedgerBackend>;
}

export const sqliteBackend: BackendFactory = {
  name: 'sqlite',
  async create() {
    const dir = mkdtempSync(join(tmpdir(), 'ndc-ledger-'));
    const file = join(dir, 'ledger.sqlite');
    const opened: Ledger[] = [];
    return {
      open() {
        const ledger = new SqliteLedger(file);
        opened.push(ledger);
        return ledger;
      },
      async raw(sql: string) {
        const db = new Database(file);
        try {
          db.exec(sql);
        } finally {
          db.close();
        }
      },
      async tamper(sql: string) {
        const db = new Database(file);
        try {
          db.exec('DROP TRIGGER IF EXISTS ledger_no_update; DROP TRIGGER IF EXISTS ledger_no_delete;');
          db.exec(sql);
        } finally {
          db.close();
        }
      },
      async cleanup() {
        for (const l of opened) await l.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

const pgUrl = process.env.NDC_TEST_PG_URL;

export const postgresBackend: BackendFactory = {
  name: 'postgres',
  skip: pgUrl ? undefined : 'NDC_TEST_PG_URL is not set (eval "$(bash .ci/start-postgres.sh)" first)',
  async create() {
    const url = pgUrl!;
    const schema = `t_${randomBytes(6).toString('hex')}`;
    const opened: Ledger[] = [];
    // What `ndc ledger init` does once, as the owner; the ledgers opened below never run DDL.
    const owner = new PgLedger({ url, schema });
    await owner.install();
    await owner.close();
    const raw = async (sql: string) => {
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`SET search_path TO ${schema}`);
        await client.query(sql);
      } finally {
        await client.end();
      }
    };
    return {
      open() {
        const ledger = new PgLedger({ url, schema });
        opened.push(ledger);
        return ledger;
      },
      raw,
      async tamper(sql: string) {
        await raw(`ALTER TABLE ledger DISABLE TRIGGER ledger_append_only; ALTER TABLE ledger DISABLE TRIGGER ledger_no_truncate; ${sql}`);
      },
      async cleanup() {
        for (const l of opened) await l.close();
        await raw(`DROP SCHEMA ${schema} CASCADE`);
      },
    };
  },
};

export const BACKENDS: readonly BackendFactory[] = [sqliteBackend, postgresBackend];
