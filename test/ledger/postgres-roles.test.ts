import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { PgLedger } from '../../ledger/postgres';
import { REPO } from '../helpers';

// `ndc ledger init` runs once as the schema owner; everyday commands connect as a role that may only
// SELECT and INSERT, so ndc's own credentials cannot update, delete, truncate or switch off the triggers.

const pgUrl = process.env.NDC_TEST_PG_URL;

(pgUrl ? describe : describe.skip)('PostgreSQL roles', () => {
  const suffix = randomBytes(4).toString('hex');
  const schema = `r_${suffix}`;
  const role = `ndc_everyday_${suffix}`;
  let everydayUrl: string;
  let root: string;

  const admin = async (sql: string) => {
    const client = new Client({ connectionString: pgUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const asEveryday = async (sql: string) => {
    const client = new Client({ connectionString: everydayUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  const ndc = (args: string[], url: string) =>
    spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), ...args], { cwd: root, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: root, NDC_LEDGER_URL: url, NDC_LEDGER_SCHEMA: schema, NDC_ACTOR: 'ops' } });

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ndc-pg-roles-'));
    await admin(`CREATE ROLE ${role} LOGIN PASSWORD 'Everyday-Secret-31'`);
    const url = new URL(pgUrl!);
    url.username = role;
    url.password = 'Everyday-Secret-31';
    everydayUrl = url.toString();
  });
  afterAll(async () => {
    await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE; DROP OWNED BY ${role}; DROP ROLE IF EXISTS ${role}`);
    rmSync(root, { recursive: true, force: true });
  });

  it('an everyday connection before ndc ledger init says to run it, in one line, and creates nothing', async () => {
    const run = ndc(['ledger', 'verify'], everydayUrl);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ndc ledger verify: NDC_LEDGER_URL: postgres:\/\/\*\*\*@127\.0\.0\.1:\d+\/\S+: no ledger tables in schema r_[0-9a-f]+; run ndc ledger init once/)]);
    expect(run.stderr + run.stdout).not.toContain('Everyday-Secret-31');
  });

  it('ndc ledger init --grant gives the everyday role SELECT and INSERT only, and the triggers hold', async () => {
    const init = ndc(['ledger', 'init', '--grant', role], pgUrl!);
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    expect(init.stdout).toContain(`${role} may SELECT and INSERT only`);

    const ledger = new PgLedger({ url: everydayUrl, schema });
    try {
      for (let i = 0; i < 3; i++) await ledger.append({ kind: 'check', env: 'prod', actor: 'ci', result: 'ok', details: { i }, at: new Date(Date.UTC(2026, 10, 1, 0, i)) });
      const lock = await ledger.acquireLock('prod', 'job-1', 60_000, new Date(Date.UTC(2026, 10, 1, 1)));
      expect(lock.acquired).toBe(true);
      expect(await ledger.renewLock('prod', 'job-1', 60_000, new Date(Date.UTC(2026, 10, 1, 1, 0, 30)))).toBe(true);
      expect(await ledger.releaseLock('prod', 'job-1', new Date(Date.UTC(2026, 10, 1, 1, 1)))).toBe(true);
      // The head row moves with every insert although the everyday role cannot write it.
      expect(await ledger.verify()).toMatchObject({ intact: true, records: 6 });
    } finally {
      await ledger.close();
    }

    for (const sql of [
      `UPDATE ${schema}.ledger SET result = 'forged' WHERE seq = 1`,
      `DELETE FROM ${schema}.ledger WHERE seq = 3`,
      `TRUNCATE ${schema}.ledger`,
      `DROP TRIGGER ledger_append_only ON ${schema}.ledger`,
      `ALTER TABLE ${schema}.ledger DISABLE TRIGGER ledger_append_only`,
      `UPDATE ${schema}.ledger_head SET seq = 1`,
      `DELETE FROM ${schema}.ledger_head`,
      `CREATE TABLE ${schema}.shadow (x int)`,
    ]) {
      await expect(asEveryday(sql)).rejects.toMatchObject({ message: expect.stringMatching(/permission denied|must be owner/) });
    }
    // Even the owner's UPDATE, DELETE and TRUNCATE meet the triggers (they must be switched off first, which verify then exposes against a checkpoint).
    for (const sql of [`UPDATE ${schema}.ledger SET result = 'forged' WHERE seq = 1`, `DELETE FROM ${schema}.ledger`, `TRUNCATE ${schema}.ledger`]) {
      await expect(admin(sql)).rejects.toMatchObject({ message: expect.stringMatching(/append-only/) });
    }
    const verify = ndc(['ledger', 'verify', '--json'], everydayUrl);
    expect(verify.status).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ intact: true, records: 6 });
    expect(verify.stdout).not.toContain('Everyday-Secret-31');
    expect(verify.stdout).not.toContain(role);
  });
});
