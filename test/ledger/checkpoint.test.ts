import { createPrivateKey } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerCheckpointCommand, ledgerVerifyCommand } from '../../cli/commands/ledger';
import { signCheckpoint, type CheckpointBody } from '../../ledger/checkpoint';
import { nextRecord, type Ledger, type LedgerRecord } from '../../ledger/ledger';
import { SqliteLedger } from '../../ledger/sqlite';
import { generateReviewerKeyPair } from '../../policies/approvals/keys';
import { versionHash, writeTrustStore, type TrustVersionBody } from '../../policies/approvals/trust-store';
import { keyOf, reviewerEntry } from '../approvals/fixture';
import { BACKENDS, sqliteBackend, type LedgerBackend } from './backends';

// An operator with the ledger database's credentials rewrites its tables; the signed checkpoints kept in the
// repository (outside the database) must still expose every such edit. Each case checks that the hash chain
// alone is fooled (what `ndc ledger verify` trusted before) and that the checkpoint is not.

const T0 = new Date('2026-11-20T09:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

interface Project {
  root: string;
  trustRoot: string;
  io: (json?: boolean) => { io: { root: string; json: boolean; out: (l: string) => void; err: (l: string) => void; now: () => Date }; out: string[]; err: string[] };
}

function project(): Project {
  const root = mkdtempSync(join(tmpdir(), 'ndc-checkpoint-'));
  const body: TrustVersionBody = {
    env: 'prod',
    version: 1,
    previous: null,
    threshold: 1,
    reviewers: [reviewerEntry('nca-1', ['national-authority'], ['*']), reviewerEntry('su-go', ['security-unit'], ['Government Office'])],
    revokedKeys: [],
  };
  writeTrustStore(root, 'prod', { versions: [{ body, signatures: [] }] });
  mkdirSync(join(root, 'keys'));
  for (const id of ['nca-1', 'su-go']) writeFileSync(join(root, 'keys', `${id}.key`), keyOf(id).privatePem, { mode: 0o600 });
  // Someone with a key the trust store does not list.
  writeFileSync(join(root, 'keys', 'intruder.key'), generateReviewerKeyPair().privatePem, { mode: 0o600 });
  return {
    root,
    trustRoot: versionHash(body),
    io(json = false) {
      const out: string[] = [];
      const err: string[] = [];
      return { io: { root, json, out: (l) => out.push(l), err: (l) => err.push(l), now: () => at(60) }, out, err };
    },
  };
}

async function history(ledger: Ledger): Promise<void> {
  const entries = [
    { kind: 'synth', result: 'ok' },
    { kind: 'gate', result: 'closed', details: { reasons: ['population-db (level 5): missing national-authority approval'] } },
    { kind: 'check', result: 'ok' },
    { kind: 'approve', result: 'signed', actor: 'nca-1' },
    { kind: 'gate', result: 'open' },
  ] as const;
  for (const [i, e] of entries.entries()) {
    await ledger.append({ kind: e.kind, env: 'prod', actor: 'actor' in e ? e.actor : 'ci:github:alice', digest: 'ab'.repeat(32), result: e.result, details: 'details' in e ? { ...e.details } : {}, at: at(i) });
  }
}

function sqlText(value: string | null): string {
  return value === null ? 'NULL' : `'${value.replace(/'/g, "''")}'`;
}

/** The whole chain replaced by `records`, hashes recomputed, head row moved: what a careful attacker does. */
function rewriteSql(records: readonly LedgerRecord[]): string {
  const rows = records.map(
    (r) =>
      `INSERT INTO ledger (seq, prev_hash, hash, kind, env, actor, digest, at, result, details) VALUES (${r.seq}, ${sqlText(r.prevHash)}, ${sqlText(r.hash)}, ${sqlText(r.kind)}, ${sqlText(r.env)}, ${sqlText(r.actor)}, ${sqlText(r.digest)}, ${sqlText(r.at)}, ${sqlText(r.result)}, ${sqlText(JSON.stringify(r.details))});`,
  );
  const last = records[records.length - 1];
  return `DELETE FROM ledger; ${rows.join(' ')} DELETE FROM ledger_head; ${last ? `INSERT INTO ledger_head (id, seq, hash) VALUES (1, ${last.seq}, ${sqlText(last.hash)});` : ''}`;
}

/** Re-chains records after dropping or adding some, as if they had always been so. */
function rechain(records: readonly Omit<LedgerRecord, 'seq' | 'prevHash' | 'hash'>[]): LedgerRecord[] {
  const chain: LedgerRecord[] = [];
  for (const r of records) chain.push(nextRecord(chain[chain.length - 1], { kind: r.kind as never, env: r.env, actor: r.actor, digest: r.digest, result: r.result, details: r.details, at: new Date(r.at) }));
  return chain;
}

describe.each(BACKENDS.map((b) => [b.name, b] as const))('signed checkpoints on %s', (_name, factory) => {
  const run = factory.skip ? describe.skip : describe;
  run('', () => {
    let backend: LedgerBackend;
    let ledger: Ledger;
    let p: Project;

    beforeEach(async () => {
      backend = await factory.create();
      ledger = backend.open();
      p = project();
      await history(ledger);
    });
    afterEach(async () => {
      await backend.cleanup();
      rmSync(p.root, { recursive: true, force: true });
    });

    const checkpoint = async (extra: { key?: string; as?: string; head?: string; print?: boolean } = {}) => {
      const c = p.io();
      const code = await ledgerCheckpointCommand({ key: 'keys/nca-1.key', as: 'nca-1', ledger, trustRoot: p.trustRoot, ...extra }, c.io);
      return { code, ...c };
    };
    const verify = async (extra: { head?: string; checkpoints?: string; json?: boolean } = {}) => {
      const c = p.io(extra.json);
      const code = await ledgerVerifyCommand({ ledger, trustRoot: p.trustRoot, head: extra.head, checkpoints: extra.checkpoints }, c.io);
      return { code, ...c };
    };

    it('signs the head into checkpoints/<ledger id>.jsonl, records it, and verifies against it', async () => {
      const before = await verify();
      expect(before.code).toBe(0);
      expect(before.out[1]).toMatch(/^not anchored: no signed checkpoint in checkpoints\/\S+\.jsonl/);
      const signed = await checkpoint();
      expect(signed.err).toEqual([]);
      expect(signed.code).toBe(0);
      const file = join(p.root, 'checkpoints', `${ledger.id}.jsonl`);
      const line = JSON.parse(readFileSync(file, 'utf8').trim()) as { body: { seq: number; head: string; signer: string; ledger: string } };
      const records = await ledger.records();
      expect(line.body).toMatchObject({ seq: 5, head: records[4].hash, signer: 'nca-1', ledger: ledger.id });
      expect(records[5]).toMatchObject({ kind: 'checkpoint', actor: 'nca-1', result: 'signed', details: { seq: 5, head: records[4].hash } });
      const after = await verify();
      expect(after.code).toBe(0);
      expect(after.out[1]).toBe(`anchored: 1 signed checkpoint(s) in checkpoints/${ledger.id}.jsonl, the latest at seq 5`);
      const printed = await checkpoint({ print: true });
      expect(printed.code).toBe(0);
      expect(JSON.parse(printed.out[0])).toMatchObject({ body: { seq: 6, signer: 'nca-1' } });
    });

    it('detects records cut off the end with the head row moved back', async () => {
      expect((await checkpoint()).code).toBe(0);
      await backend.tamper("DELETE FROM ledger WHERE seq > 3; UPDATE ledger_head SET seq = 3, hash = (SELECT hash FROM ledger WHERE seq = 3);");
      expect((await ledger.verify()).intact).toBe(true);
      const result = await verify();
      expect(result.code).toBe(1);
      expect(result.err[0]).toMatch(/^ledger TAMPERED: 1 problem\(s\) in 3 record\(s\)/);
      expect(result.err[1]).toMatch(/the ledger ends at seq 3 but checkpoints\/\S+ line 1 \(signed by nca-1 at .*\) says seq 5: records were cut off the end, or an older copy of the ledger was restored/);
    });

    it('detects a wiped ledger', async () => {
      expect((await checkpoint()).code).toBe(0);
      await backend.tamper('DELETE FROM ledger; DELETE FROM ledger_head;');
      expect((await ledger.verify()).intact).toBe(true);
      const result = await verify();
      expect(result.code).toBe(1);
      expect(result.err[1]).toMatch(/the ledger has 0 records but checkpoints\/\S+ line 1 .* says seq 5: the ledger was wiped or replaced/);
    });

    it('detects a rewritten chain with recomputed hashes (a "gate closed" removed, an "approve signed" forged)', async () => {
      expect((await checkpoint()).code).toBe(0);
      const records = await ledger.records();
      const kept = records.filter((r) => !(r.kind === 'gate' && r.result === 'closed'));
      const forged = { ...records[3], actor: 'owner-mps', at: at(3.5).toISOString() };
      const rewritten = rechain([...kept.slice(0, 3), forged, ...kept.slice(3)]);
      await backend.tamper(rewriteSql(rewritten));
      expect(await ledger.verify()).toMatchObject({ intact: true, records: rewritten.length });
      const result = await verify();
      expect(result.code).toBe(1);
      expect(result.err.slice(1).join('\n')).toMatch(/record seq 5 has hash [0-9a-f]{16}\.\.\. but checkpoints\/\S+ line 1 .* says [0-9a-f]{16}\.\.\.: the chain was rewritten/);
    });

    it('detects a forged or edited checkpoint, and one signed with a key the trust store does not list', async () => {
      expect((await checkpoint()).code).toBe(0);
      const file = join(p.root, 'checkpoints', `${ledger.id}.jsonl`);
      const good = readFileSync(file, 'utf8').trim();
      const parsed = JSON.parse(good) as { body: { seq: number; head: string }; signature: string };
      const records = await ledger.records();
      // Edited to anchor an earlier position of a chain the attacker rewrote: the signature no longer matches.
      writeFileSync(file, `${JSON.stringify({ ...parsed, body: { ...parsed.body, seq: 3, head: records[2].hash } })}\n`);
      let result = await verify();
      expect(result.code).toBe(1);
      expect(result.err[1]).toMatch(/line 1: checkpoint not trusted: the signature does not verify \(forged or edited\)/);

      // Signed with another key in a reviewer's name.
      writeFileSync(file, '');
      const intruder = await checkpoint({ key: 'keys/intruder.key' });
      expect(intruder.code).toBe(1);
      expect(intruder.err[0]).toMatch(/refused: nca-1 with key [0-9a-f]{16}\.\.\. is a reviewer in no trust store in force/);
      const stranger = generateReviewerKeyPair();
      const forged = signCheckpoint({ ...(parsed.body as CheckpointBody), keyId: stranger.keyId }, createPrivateKey(stranger.privatePem));
      writeFileSync(file, `${JSON.stringify(forged)}\n`);
      result = await verify();
      expect(result.code).toBe(1);
      expect(result.err[1]).toMatch(/checkpoint not trusted: key [0-9a-f]{16}\.\.\. is not nca-1's key in approvals\/prod\/trust-store.json/);

      // Not pinned: the trust store itself is not in force, so no checkpoint counts.
      writeFileSync(file, `${good}\n`);
      const c = p.io();
      expect(await ledgerVerifyCommand({ ledger, trustRoot: '' }, c.io)).toBe(1);
      expect(c.err[1]).toMatch(/checkpoint not trusted: the trust store it names is not in force \(approvals\/prod\/trust-store.json: version 1 .* is not pinned/);
    });

    it('checks a head kept elsewhere (--head SEQ:HASH)', async () => {
      const records = await ledger.records();
      expect((await verify({ head: `4:${records[3].hash}` })).code).toBe(0);
      const wrong = await verify({ head: `4:${records[2].hash}` });
      expect(wrong.code).toBe(1);
      expect(wrong.err[1]).toMatch(/record seq 4 has hash .* but --head says/);
      const beyond = await verify({ head: `9:${records[2].hash}` });
      expect(beyond.err[1]).toMatch(/the ledger ends at seq 5 but --head says seq 9/);
      expect((await verify({ head: '4:xyz' })).code).toBe(2);
    });

    it('refuses to sign a ledger that does not verify, or a head it does not have', async () => {
      await backend.tamper("UPDATE ledger SET result = 'open' WHERE seq = 2");
      const refused = await checkpoint();
      expect(refused.code).toBe(1);
      expect(refused.err[0]).toMatch(/^ndc ledger checkpoint: refused: the ledger does not verify, so its head must not be signed: record seq 2: contents do not match its hash \(edited\)/);
      expect(existsSync(join(p.root, 'checkpoints'))).toBe(false);
    });

    it('signs the position a deploy asked for (--head), not a later one', async () => {
      const records = await ledger.records();
      const signed = await checkpoint({ head: `3:${records[2].hash}` });
      expect(signed.code).toBe(0);
      const line = JSON.parse(readFileSync(join(p.root, 'checkpoints', `${ledger.id}.jsonl`), 'utf8').trim()) as { body: { seq: number } };
      expect(line.body.seq).toBe(3);
      expect((await checkpoint({ head: `3:${records[1].hash}` })).err[0]).toMatch(/refused: record seq 3 has hash/);
    });
  });
});

describe('a rolled-back SQLite file', () => {
  it('is detected: an older copy of the ledger put back in place', async () => {
    const backend = await sqliteBackend.create();
    const p = project();
    try {
      const ledger = backend.open() as SqliteLedger;
      await history(ledger);
      const file = ledger.location;
      // A copy taken after the first three records (WAL checkpointed into the main file first).
      const copyDir = mkdtempSync(join(tmpdir(), 'ndc-rollback-'));
      const early = new SqliteLedger(join(copyDir, 'ledger.sqlite'));
      for (const r of (await ledger.records()).slice(0, 3)) await early.append({ kind: r.kind as never, env: r.env, actor: r.actor, digest: r.digest, result: r.result, details: r.details, at: new Date(r.at) });
      await early.close();
      const c = p.io();
      expect(await ledgerCheckpointCommand({ key: 'keys/nca-1.key', as: 'nca-1', ledger, trustRoot: p.trustRoot }, c.io)).toBe(0);
      await ledger.close();
      for (const suffix of ['-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
      copyFileSync(join(copyDir, 'ledger.sqlite'), file);
      const restored = new SqliteLedger(file);
      try {
        expect((await restored.verify()).intact).toBe(true);
        const v = p.io();
        expect(await ledgerVerifyCommand({ ledger: restored, trustRoot: p.trustRoot }, v.io)).toBe(1);
        expect(v.err[1]).toMatch(/the ledger ends at seq 3 but .* says seq 5: records were cut off the end, or an older copy of the ledger was restored/);
      } finally {
        await restored.close();
        rmSync(copyDir, { recursive: true, force: true });
      }
    } finally {
      await backend.cleanup();
      rmSync(p.root, { recursive: true, force: true });
    }
  });
});
