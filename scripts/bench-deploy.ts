/**
 * Deploy figures (the lead's `npm run bench` calls `bench()`): what ndc itself costs around the engines,
 * measured with the fake engines of the tests (node scripts on PATH; the real engines cannot be
 * installed here), on prod as synthesized (13 stacks in 6 waves: Terraform, Kubernetes prerequisites and
 * objects, the edge).
 *   - building the waves from the manifest;
 *   - a full deploy with instant engines: process spawns, ledger records and bookkeeping;
 *   - wave parallelism: the same deploy with engines that take 300 ms per command, 1 vs 4 at a time;
 *   - the deploy snapshot (copy of the manifest's files, verified and sealed): its time alone, fresh and
 *     reused, and as a share of a whole deploy's wall time; target under 10 %.
 */
import { join } from 'node:path';
import { removeTree, takeSnapshot } from '../deploy/snapshot';
import { buildWaves, snapshotDir, stepsOf } from '../deploy/waves';
import { deployEnvironment } from '../deploy/deploy';
import { loadEnvironment } from '../environments/load';
import { engineEnvironment, fakeEngines, fakePorts, synthesizedProject } from '../test/deploy/fixture';

const PG = 'postgres://bench:bench-password@127.0.0.1:5432/ndc_state';

async function timedDeploy(root: string, concurrency: number, sleepMs: number): Promise<{ ms: number; commands: number; snapshotMs: number }> {
  const engines = fakeEngines();
  const ports = fakePorts();
  // Every deploy here makes its snapshot afresh (a repeated deploy of one digest only re-verifies it).
  removeTree(join(root, '.ndc', 'snapshots'));
  const start = performance.now();
  const code = await deployEnvironment({
    env: 'prod',
    operation: 'deploy',
    ports,
    concurrency,
    io: { root, json: false, out: () => {}, err: (l) => process.stderr.write(`${l}\n`), now: () => new Date() },
    environment: engineEnvironment(engines, { PG_CONN_STR: PG, FAKE_SLEEP_MS: String(sleepMs) }),
  });
  const ms = performance.now() - start;
  if (code !== 0) throw new Error(`bench deploy exited ${code}`);
  const run = ports.ledger.records.find((r) => r.details?.scope === 'run' && r.result === 'started');
  const snapshotMs = Number((run?.details?.snapshot as { ms?: number } | undefined)?.ms ?? NaN);
  return { ms, commands: engines.calls().length, snapshotMs };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function bench(): Promise<void> {
  const { root, manifest } = synthesizedProject('prod');
  const { env } = loadEnvironment(root, 'prod');
  const runs = 200;
  const start = performance.now();
  for (let i = 0; i < runs; i++) buildWaves({ root, manifest, env, operation: 'deploy' });
  const wavesMs = (performance.now() - start) / runs;
  const steps = stepsOf(buildWaves({ root, manifest, env, operation: 'deploy' }));
  console.log(`deploy: waves for prod (${steps.length} stacks): ${wavesMs.toFixed(3)} ms per build (mean of ${runs})`);

  const instant = await timedDeploy(root, 4, 0);
  console.log(`deploy: full prod deploy with instant fake engines: ${instant.ms.toFixed(0)} ms for ${instant.commands} engine commands (${(instant.ms / instant.commands).toFixed(1)} ms per command, spawn included)`);

  // The snapshot step alone: a fresh copy (read, write, hash in the copy, seal), and a reuse (verify only).
  const fresh: number[] = [];
  const reused: number[] = [];
  for (let i = 0; i < 20; i++) {
    removeTree(join(root, snapshotDir(manifest.digest)));
    let t = performance.now();
    takeSnapshot(root, manifest);
    fresh.push(performance.now() - t);
    t = performance.now();
    takeSnapshot(root, manifest);
    reused.push(performance.now() - t);
  }
  const kib = manifest.artifacts.reduce((n, a) => n + a.bytes, 0) / 1024;
  console.log(`deploy: snapshot of prod (${manifest.artifacts.length} files, ${kib.toFixed(0)} KiB): fresh ${median(fresh).toFixed(1)} ms, reused ${median(reused).toFixed(1)} ms (medians of 20)`);
  const shares: { ms: number; snapshotMs: number }[] = [];
  for (let i = 0; i < 5; i++) shares.push(await timedDeploy(root, 4, 0));
  const deployMs = median(shares.map((r) => r.ms));
  // The in-run figure (snapshot and Terraform work dirs, as the ledger records it) is what a deploy pays.
  const inRunMs = median(shares.map((r) => r.snapshotMs));
  const share = (inRunMs / deployMs) * 100;
  console.log(
    `deploy: snapshot step inside a prod deploy with instant fake engines (the worst case; real engines take minutes): ${inRunMs.toFixed(0)} of ${deployMs.toFixed(0)} ms wall = ${share.toFixed(1)} % (medians of 5 deploys); target < 10 %: ${share < 10 ? 'met' : 'MISSED'}`,
  );
  if (share >= 10) process.exitCode = 1;

  const serial = await timedDeploy(root, 1, 300);
  const parallel = await timedDeploy(root, 4, 300);
  console.log(
    `deploy: 300 ms per engine command: concurrency 1 ${(serial.ms / 1000).toFixed(2)} s, concurrency 4 ${(parallel.ms / 1000).toFixed(2)} s (x${(serial.ms / parallel.ms).toFixed(2)}; bounds: ${serial.commands} commands one by one = ${(serial.commands * 0.3).toFixed(1)} s, critical path 3+3+3+2+2+1 commands = 4.2 s)`,
  );
}

// Run on its own: node bin/run-ts.js scripts/bench-deploy.ts (run-ts requires the file, so check argv).
if (process.argv[1]?.endsWith('bench-deploy.ts')) {
  bench().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
