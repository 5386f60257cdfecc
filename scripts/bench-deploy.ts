/**
 * Deploy figures (the lead's `npm run bench` calls `bench()`): what ndc itself costs around the engines,
 * measured with the fake engines of the tests (node scripts on PATH; the real engines cannot be
 * installed here), on prod as synthesized (13 stacks in 6 waves: Terraform, Kubernetes prerequisites and
 * objects, the edge).
 *   - building the waves from the manifest;
 *   - a full deploy with instant engines: process spawns, ledger records and bookkeeping;
 *   - wave parallelism: the same deploy with engines that take 300 ms per command, 1 vs 4 at a time.
 */
import { buildWaves, stepsOf } from '../deploy/waves';
import { deployEnvironment } from '../deploy/deploy';
import { loadEnvironment } from '../environments/load';
import { engineEnvironment, fakeEngines, fakePorts, synthesizedProject } from '../test/deploy/fixture';

const PG = 'postgres://bench:bench-password@127.0.0.1:5432/ndc_state';

async function timedDeploy(root: string, concurrency: number, sleepMs: number): Promise<{ ms: number; commands: number }> {
  const engines = fakeEngines();
  const ports = fakePorts();
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
  return { ms, commands: engines.calls().length };
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
