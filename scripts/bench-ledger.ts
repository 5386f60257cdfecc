/**
 * `ndc ledger verify` on a large ledger: 100,000 records in the embedded SQLite file (NDC_BENCH_LEDGER_RECORDS
 * changes the count), checked against a signed checkpoint at its head, through the real executable (node
 * start-up included: what an auditor or CI waits for). Target: under 5 s on a 2-core machine.
 */
import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { appendCheckpoint, checkpointsShown, signCheckpoint } from '../ledger/checkpoint';
import { nextRecord, type LedgerRecord } from '../ledger/ledger';
import { SqliteLedger } from '../ledger/sqlite';
import { generateReviewerKeyPair } from '../policies/approvals/keys';
import { versionHash, writeTrustStore, type TrustVersionBody } from '../policies/approvals/trust-store';

const REPO = resolve(__dirname, '..');
const RECORDS = Number(process.env.NDC_BENCH_LEDGER_RECORDS ?? 100_000);
const KINDS = ['synth', 'check', 'gate', 'deploy-step', 'deploy-step', 'deploy-step', 'lock', 'approve'] as const;

/** Fills the ledger in one transaction (appending one by one would measure fsync, not verification). */
async function fill(file: string): Promise<LedgerRecord> {
  await new SqliteLedger(file).close();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Database = require('better-sqlite3') as typeof BetterSqlite3;
  const db = new Database(file);
  const insert = db.prepare('INSERT INTO ledger (seq, prev_hash, hash, kind, env, actor, digest, at, result, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  let last: LedgerRecord | undefined;
  const t0 = Date.UTC(2026, 0, 1);
  db.transaction(() => {
    for (let i = 0; i < RECORDS; i++) {
      const kind = KINDS[i % KINDS.length];
      const details = kind === 'deploy-step' ? { scope: 'step', run: `run-${Math.floor(i / 40)}`, step: `terraform/cluster-${i % 3}`, wave: 2, durationMs: i % 9000 } : { command: kind, exitCode: 0 };
      last = nextRecord(last, { kind, env: i % 2 ? 'prod' : 'staging', actor: `ci:github:user-${i % 17}`, digest: 'ab'.repeat(32), result: 'ok', details, at: new Date(t0 + i * 60_000) });
      insert.run(last.seq, last.prevHash, last.hash, last.kind, last.env, last.actor, last.digest, last.at, last.result, JSON.stringify(last.details));
    }
    db.prepare('INSERT OR REPLACE INTO ledger_head (id, seq, hash) VALUES (1, ?, ?)').run(last!.seq, last!.hash);
  })();
  db.close();
  return last!;
}

export async function bench(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'ndc-bench-ledger-'));
  try {
    const head = await fill(join(root, '.ndc', 'ledger.sqlite'));
    // A reviewer, a pinned trust store and a checkpoint at the head, as a real audit would have.
    const key = generateReviewerKeyPair();
    const body: TrustVersionBody = {
      env: 'prod',
      version: 1,
      previous: null,
      threshold: 1,
      reviewers: [{ id: 'auditor', publicKey: key.publicPem, keyId: key.keyId, roles: ['national-authority'], agencies: ['*'], systems: [], notBefore: '2026-01-01', notAfter: '2030-12-31' }],
      revokedKeys: [],
    };
    writeTrustStore(root, 'prod', { versions: [{ body, signatures: [] }] });
    const checkpoint = signCheckpoint({ ledger: 'local', seq: head.seq, head: head.hash, at: '2026-06-01T00:00:00.000Z', signer: 'auditor', keyId: key.keyId, trustStore: 'prod' }, createPrivateKey(key.privatePem));
    appendCheckpoint(join(root, checkpointsShown('local')), checkpoint);

    // The command's own CPU time as well as its wall time: on a shared machine the wall time includes waiting for a core.
    const cpuFile = join(root, 'cpu.json');
    const preload = join(root, 'cpu-usage.js');
    writeFileSync(preload, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(cpuFile)}, JSON.stringify(process.cpuUsage())));`);
    const start = performance.now();
    const run = spawnSync(process.execPath, ['--require', preload, join(REPO, 'bin/ndc.js'), 'ledger', 'verify'], { cwd: root, encoding: 'utf8', env: { ...process.env, NDC_LEDGER_URL: '', NDC_TRUST_ROOT: versionHash(body) } });
    const ms = performance.now() - start;
    const cpu = JSON.parse(readFileSync(cpuFile, 'utf8')) as { user: number; system: number };
    const cpuMs = (cpu.user + cpu.system) / 1000;
    if (run.status !== 0) throw new Error(`ndc ledger verify exited ${run.status}: ${run.stderr.trim()}`);
    if (!run.stdout.includes('anchored: 1 signed checkpoint(s)')) throw new Error(`ndc ledger verify did not check the checkpoint: ${run.stdout.trim()}`);
    const inProcess = new SqliteLedger(join(root, '.ndc', 'ledger.sqlite'));
    const t = performance.now();
    const result = await inProcess.verify();
    const chainMs = performance.now() - t;
    await inProcess.close();
    if (!result.intact) throw new Error('the benchmark ledger does not verify');
    console.log(
      `ndc ledger verify, SQLite, ${RECORDS.toLocaleString('en-US')} records + 1 signed checkpoint: ${(ms / 1000).toFixed(2)} s wall, ${(cpuMs / 1000).toFixed(2)} s CPU (command, node start-up included); chain walk alone ${(chainMs / 1000).toFixed(2)} s (${((chainMs * 1000) / RECORDS).toFixed(1)} us/record)`,
    );
    console.log(`Target: < 5 s for 100,000 records: ${ms < 5000 ? 'met' : 'NOT met'}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

// Run on its own: node bin/run-ts.js scripts/bench-ledger.ts (bench.ts imports it instead).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === __filename) {
  bench().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
