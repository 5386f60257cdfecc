import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * `ndc validate --env prod` as a user runs it (a fresh `node bin/ndc.js` process: start-up, module loading,
 * the inputs hash, reading out/prod/ and every validator), in a throw-away root; the first run renders and
 * synthesizes, the others find the inputs unchanged and out/prod/ current. Then where the time goes.
 * Target: under 2 s wall. `node bin/run-ts.js scripts/bench-validate.ts`, or `bench()` from scripts/bench.ts.
 */

const REPO = join(__dirname, '..');

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function run(root: string): { ms: number; status: number | null; last: string } {
  const start = performance.now();
  const child = spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), 'validate', '--env', 'prod'], { cwd: root, encoding: 'utf8', env: { ...process.env, NDC_ROOT: root } });
  const ms = performance.now() - start;
  return { ms, status: child.status, last: (child.stdout.trim().split('\n').pop() ?? '') || child.stderr.trim() };
}

export async function bench(): Promise<void> {
  const runs = Number(process.env.BENCH_VALIDATE_RUNS ?? 5);
  const root = mkdtempSync(join(tmpdir(), 'ndc-bench-validate-'));
  try {
    symlinkSync(join(REPO, 'environments'), join(root, 'environments'), 'dir');
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
    const first = run(root);
    if (first.status !== 0 && first.status !== 1) throw new Error(`ndc validate --env prod exited ${first.status}: ${first.last}`);
    const warm = Array.from({ length: runs }, () => run(root));
    console.log(`ndc validate --env prod: ${first.last}`);
    console.log(`  first run (synthesizes out/prod/)   ${(first.ms / 1000).toFixed(2)} s`);
    console.log(`  out/prod/ current, median of ${runs}     ${(median(warm.map((r) => r.ms)) / 1000).toFixed(2)} s   (min ${(Math.min(...warm.map((r) => r.ms)) / 1000).toFixed(2)} s)`);
    // The same path the command takes when out/prod/ is current: the model (no render), then the artifacts.
    const script = `require('tsx/cjs');
      const { performance } = require('node:perf_hooks');
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const { loadEnvironment } = require('./environments/load.ts');
      const { buildCloud } = require('./constructs/index.ts');
      const { readManifest } = require('./stacks/manifest.ts');
      const { loadArtifactSet } = require('./policies/artifacts.ts');
      const { validateArtifacts } = require('./policies/validation/index.ts');
      const t1 = performance.now();
      const cloud = buildCloud(loadEnvironment(${JSON.stringify(root)}, 'prod').env);
      const t2 = performance.now();
      const manifest = readManifest(${JSON.stringify(root)}, 'prod');
      const artifacts = loadArtifactSet(${JSON.stringify(root)}, manifest);
      const t3 = performance.now();
      const findings = validateArtifacts({ artifacts, manifest, systems: cloud.systems });
      const t4 = performance.now();
      const cpu = process.cpuUsage(cpu0);
      process.stdout.write(JSON.stringify({ load: t1 - t0, model: t2 - t1, read: t3 - t2, validate: t4 - t3, cpu: (cpu.user + cpu.system) / 1000, findings: findings.length }));`;
    const parts = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: REPO, encoding: 'utf8' })) as Record<string, number>;
    console.log(`  in one process: modules ${parts.load.toFixed(0)} ms, model ${parts.model.toFixed(0)} ms, read out/prod/ ${parts.read.toFixed(0)} ms, validators ${parts.validate.toFixed(0)} ms; CPU ${parts.cpu.toFixed(0)} ms for all of it`);
    console.log("  Wall figures grow with the machine's load (2 shared cores); the CPU figure much less.");
    console.log('Target: ndc validate --env prod < 2 s wall with out/prod/ current.');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  bench().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
