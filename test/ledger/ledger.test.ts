import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { GENESIS_HASH, recordHash, type Ledger } from '../../ledger/ledger';
import type { SqliteLedger } from '../../ledger/sqlite';
import { BACKENDS, type LedgerBackend } from './backends';

const T0 = new Date('2026-11-01T08:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

async function appendSome(ledger: Ledger, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await ledger.append({ kind: i % 2 ? 'check' : 'synth', env: 'prod', actor: 'ci', digest: 'ab'.repeat(32), result: 'ok', details: { step: i, z: [1, 2], a: 'x' }, at: at(i) });
  }
}

// The same suite runs against both stores; PostgreSQL runs when NDC_TEST_PG_URL is set (CI sets it).
describe.each(BACKENDS.map((b) => [b.name, b] as const))('ledger on %s', (_name, factory) => {
  const run = factory.skip ? describe.skip : describe;
  run('', () => {
    let backend: LedgerBackend;
    let ledger: Ledger;
    beforeEach(async () => {
      backend = await factory.create();
      ledger = backend.open();
    });
    afterEach(async () => {
      await backend.cleanup();
    });

    it('starts empty and intact', async () => {
      const result = await ledger.verify();
      expect(result).toEqual({ intact: true, records: 0, headHash: GENESIS_HASH, problems: [] });
    });

    it('appends hash-chained records and reads them back in order', async () => {
      await appendSome(ledger, 5);
      const records = await ledger.records();
      expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(records[0].prevHash).toBe(GENESIS_HASH);
      for (let i = 1; i < records.length; i++) expect(records[i].prevHash).toBe(records[i - 1].hash);
      for (const r of records) expect(recordHash(r)).toBe(r.hash);
      expect(records[2]).toMatchObject({ kind: 'synth', env: 'prod', actor: 'ci', result: 'ok', at: at(2).toISOString(), details: { a: 'x', step: 2, z: [1, 2] } });
      const verification = await ledger.verify();
      expect(verification).toMatchObject({ intact: true, records: 5, headHash: records[4].hash, problems: [] });
    });

    it('survives reopening: a second connection sees and continues the same chain', async () => {
      await appendSome(ledger, 2);
      const other = backend.open();
      const third = await other.append({ kind: 'gate', env: 'prod', actor: 'ci', result: 'open', at: at(10) });
      expect(third.seq).toBe(3);
      expect(third.prevHash).toBe((await ledger.records())[1].hash);
      expect((await ledger.verify()).intact).toBe(true);
    });

    it('refuses updates and deletes through SQL (append-only triggers)', async () => {
      await appendSome(ledger, 2);
      await expect(ledger.append({ kind: 'nonsense' as never, env: 'prod', actor: 'x', result: 'x', at: T0 })).rejects.toThrow(/unknown ledger record kind/);
      // better-sqlite3's native module builds its errors in the realm that loaded it first, which under jest may
      // be another test file's: match the message rather than `instanceof Error` (what toThrow needs).
      await expect(backend.raw("UPDATE ledger SET result = 'forged' WHERE seq = 1")).rejects.toMatchObject({ message: expect.stringMatching(/append-only/) });
      await expect(backend.raw('DELETE FROM ledger WHERE seq = 2')).rejects.toMatchObject({ message: expect.stringMatching(/append-only/) });
      expect((await ledger.records()).map((r) => r.result)).toEqual(['ok', 'ok']);
    });

    it('detects an edited record', async () => {
      await appendSome(ledger, 4);
      await backend.tamper("UPDATE ledger SET result = 'failed' WHERE seq = 2");
      const result = await ledger.verify();
      expect(result.intact).toBe(false);
      expect(result.problems).toEqual(['record seq 2: contents do not match its hash (edited)']);
    });

    it('detects edited details, even unparsable ones', async () => {
      await appendSome(ledger, 3);
      await backend.tamper("UPDATE ledger SET details = '{not json' WHERE seq = 3");
      const result = await ledger.verify();
      expect(result.problems).toEqual(['record seq 3: contents do not match its hash (edited)']);
    });

    it('detects a deleted record in the middle', async () => {
      await appendSome(ledger, 5);
      await backend.tamper('DELETE FROM ledger WHERE seq = 3');
      const result = await ledger.verify();
      expect(result.intact).toBe(false);
      expect(result.problems).toContain('record #3 has seq 4: a record was deleted or reordered');
      expect(result.problems).toContain('record seq 4: prevHash does not match the record before it (deleted or reordered)');
    });

    it('detects records cut off the end', async () => {
      await appendSome(ledger, 5);
      await backend.tamper('DELETE FROM ledger WHERE seq >= 4');
      const result = await ledger.verify();
      expect(result.intact).toBe(false);
      expect(result.problems).toEqual(['the ledger head says seq 5 but the chain ends at seq 3: records were cut off the end or the head was edited']);
    });

    it('detects reordered records', async () => {
      await appendSome(ledger, 4);
      await backend.tamper('UPDATE ledger SET seq = 100 WHERE seq = 2; UPDATE ledger SET seq = 2 WHERE seq = 3; UPDATE ledger SET seq = 3 WHERE seq = 100;');
      const result = await ledger.verify();
      expect(result.intact).toBe(false);
      expect(result.problems).toEqual(
        expect.arrayContaining([
          'record seq 2: prevHash does not match the record before it (deleted or reordered)',
          'record seq 2: contents do not match its hash (edited)',
          'record seq 3: contents do not match its hash (edited)',
        ]),
      );
    });

    it('keeps one contiguous chain under concurrent writers', async () => {
      const a = backend.open();
      const b = backend.open();
      const writes: Promise<unknown>[] = [];
      for (let i = 0; i < 15; i++) {
        writes.push(a.append({ kind: 'deploy-step', env: 'prod', actor: 'a', result: 'ok', details: { i }, at: at(i) }));
        writes.push(b.append({ kind: 'deploy-step', env: 'prod', actor: 'b', result: 'ok', details: { i }, at: at(i) }));
      }
      await Promise.all(writes);
      const result = await ledger.verify();
      expect(result).toMatchObject({ intact: true, records: 30 });
      const records = await ledger.records();
      expect(records.filter((r) => r.actor === 'a')).toHaveLength(15);
    });

    describe('deploy lock', () => {
      it('refuses a second holder while the lease runs, and records acquire and release', async () => {
        const first = await ledger.acquireLock('prod', 'ci-job-1', 10 * 60_000, T0);
        expect(first).toEqual({ acquired: true, lease: { env: 'prod', holder: 'ci-job-1', acquiredAt: T0.toISOString(), expiresAt: at(10).toISOString() } });
        const second = await backend.open().acquireLock('prod', 'ci-job-2', 10 * 60_000, at(5));
        expect(second).toEqual({ acquired: false, heldBy: first.acquired ? first.lease : undefined });
        // Another environment has its own lock.
        expect((await ledger.acquireLock('staging', 'ci-job-2', 60_000, at(5))).acquired).toBe(true);
        expect(await ledger.releaseLock('prod', 'ci-job-2', at(6))).toBe(false);
        expect(await ledger.releaseLock('prod', 'ci-job-1', at(6))).toBe(true);
        expect((await ledger.acquireLock('prod', 'ci-job-2', 60_000, at(7))).acquired).toBe(true);
        const locks = (await ledger.records()).filter((r) => r.kind === 'lock').map((r) => `${r.env} ${r.actor} ${r.result}`);
        expect(locks).toEqual(['prod ci-job-1 acquired', 'staging ci-job-2 acquired', 'prod ci-job-1 released', 'prod ci-job-2 acquired']);
        expect((await ledger.verify()).intact).toBe(true);
      });

      it('lets exactly one of two concurrent acquirers win', async () => {
        const a = backend.open();
        const b = backend.open();
        const outcomes = await Promise.all([a.acquireLock('prod', 'a', 60_000, T0), b.acquireLock('prod', 'b', 60_000, T0)]);
        expect(outcomes.filter((o) => o.acquired)).toHaveLength(1);
        const loser = outcomes.find((o) => !o.acquired);
        const winner = outcomes.find((o) => o.acquired);
        expect(loser && !loser.acquired && loser.heldBy.holder).toBe(winner && winner.acquired && winner.lease.holder);
      });

      it('takes over an expired lease and records the takeover', async () => {
        await ledger.acquireLock('prod', 'crashed-job', 60_000, T0);
        const takeover = await backend.open().acquireLock('prod', 'rescue-job', 60_000, at(2));
        expect(takeover).toMatchObject({ acquired: true, lease: { holder: 'rescue-job' }, takenOverFrom: { holder: 'crashed-job', expiresAt: at(1).toISOString() } });
        const last = (await ledger.records()).at(-1)!;
        expect(last).toMatchObject({ kind: 'lock', actor: 'rescue-job', result: 'taken-over', details: { previousHolder: 'crashed-job', previousExpiresAt: at(1).toISOString() } });
        // The crashed job can no longer release what it lost.
        expect(await ledger.releaseLock('prod', 'crashed-job', at(3))).toBe(false);
      });
    });
  });
});

describe('deploy lock across processes (SQLite file)', () => {
  it('refuses a second process while the first holds the lease', async () => {
    const backend = await BACKENDS[0].create();
    try {
      const ledger = backend.open() as SqliteLedger;
      expect((await ledger.acquireLock('prod', 'deploy-1', 10 * 60_000, T0)).acquired).toBe(true);
      const repo = join(__dirname, '..', '..');
      const script = `require('tsx/cjs');
        const { SqliteLedger } = require(${JSON.stringify(join(repo, 'ledger', 'sqlite.ts'))});
        const ledger = new SqliteLedger(${JSON.stringify(ledger.location)});
        ledger.acquireLock('prod', 'deploy-2', 60000, new Date(${JSON.stringify(at(1).toISOString())}))
          .then((o) => { console.log(JSON.stringify(o)); return ledger.close(); });`;
      const child = spawnSync(process.execPath, ['-e', script], { cwd: repo, encoding: 'utf8', timeout: 30_000 });
      expect(child.stderr).toBe('');
      expect(JSON.parse(child.stdout)).toEqual({ acquired: false, heldBy: { env: 'prod', holder: 'deploy-1', acquiredAt: T0.toISOString(), expiresAt: at(10).toISOString() } });
    } finally {
      await backend.cleanup();
    }
  });
});
