import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { ledgerVerifyCommand } from '../../cli/commands/ledger';
import { openLedger } from '../../ledger/open';
import { PgLedger } from '../../ledger/postgres';
import { redactUrl as redact } from '../../ledger/url';
import { SqliteLedger } from '../../ledger/sqlite';

const pgUrl = process.env.NDC_TEST_PG_URL;
let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ndc-open-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

it('defaults to SQLite at <root>/.ndc/ledger.sqlite', async () => {
  const ledger = openLedger(root, {});
  expect(ledger).toBeInstanceOf(SqliteLedger);
  expect(ledger.location).toBe(join(root, '.ndc', 'ledger.sqlite'));
  await ledger.append({ kind: 'synth', env: 'dev', actor: 'me', result: 'ok', at: new Date('2026-11-01T00:00:00.000Z') });
  await ledger.close();
  expect(existsSync(join(root, '.ndc', 'ledger.sqlite'))).toBe(true);
});

it('never shows a password in the location', () => {
  expect(redact('postgres://ndc:s3cret@db.example:5432/ndc')).toBe('postgres://***@db.example:5432/ndc');
  expect(new PgLedger({ url: 'postgres://ndc:s3cret@127.0.0.1:1/ndc' }).location).not.toContain('s3cret');
});

(pgUrl ? describe : describe.skip)('with NDC_LEDGER_URL (PostgreSQL)', () => {
  afterEach(async () => {
    const client = new Client({ connectionString: pgUrl });
    await client.connect();
    await client.query('DROP SCHEMA IF EXISTS ndc CASCADE');
    await client.end();
  });

  it('uses PostgreSQL, and ndc ledger verify reads it', async () => {
    const owner = new PgLedger({ url: pgUrl! });
    await owner.install();
    await owner.close();
    const ledger = openLedger(root, { NDC_LEDGER_URL: pgUrl });
    expect(ledger).toBeInstanceOf(PgLedger);
    await ledger.append({ kind: 'gate', env: 'prod', actor: 'ci', result: 'closed', details: { reasons: 2 }, at: new Date('2026-11-01T00:00:00.000Z') });
    await ledger.close();
    const out: string[] = [];
    const previous = process.env.NDC_LEDGER_URL;
    process.env.NDC_LEDGER_URL = pgUrl;
    try {
      const code = await ledgerVerifyCommand({}, { root, out: (l) => out.push(l), err: (l) => out.push(l), json: false, now: () => new Date() });
      expect(code).toBe(0);
    } finally {
      if (previous === undefined) delete process.env.NDC_LEDGER_URL;
      else process.env.NDC_LEDGER_URL = previous;
    }
    expect(out[0]).toMatch(/^ledger intact: 1 record\(s\), head [0-9a-f]{64} \(postgres:\/\/\*\*\*@127\.0\.0\.1:\d+\/ndc_test\)$/);
    expect(existsSync(join(root, '.ndc'))).toBe(false);
  });
});
