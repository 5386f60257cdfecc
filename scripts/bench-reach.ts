/**
 * Reachability benchmark (`bench()` is called by scripts/bench.ts): what `ndc reach` costs after synthesis
 * (artifacts read back, model, one-hop reachability, attack paths, the NDC-NET rules) on prod and on
 * generated clouds of 10, 100 and 1,000 systems per region (NDC_BENCH_SIZES overrides). One process per
 * case. Targets: prod under 0.5 s; 1,000 systems per region under 30 s, with a per-system cost that stays flat.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateEnvironment } from './generate-cloud';

const REPO = resolve(__dirname, '..');

interface Figures {
  systems: number;
  endpoints: number;
  hops: number;
  paths: number;
  mandatoryFailures: number;
  loadMs: number;
  modelMs: number;
  pathsMs: number;
  rulesMs: number;
  peakMiB: number;
}

function measure(root: string, env: string): Figures {
  const child = spawnSync(process.execPath, [join(REPO, 'bin/run-ts.js'), join(REPO, 'scripts/bench-reach-child.ts'), root, env], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (child.status !== 0) throw new Error(`${env}: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Figures;
}

function project(env: string, content?: unknown): string {
  const root = mkdtempSync(join(tmpdir(), `ndc-bench-reach-${env}-`));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  if (content === undefined) symlinkSync(join(REPO, 'environments'), join(root, 'environments'), 'dir');
  else {
    mkdirSync(join(root, 'environments'));
    writeFileSync(join(root, 'environments', `${env}.json`), JSON.stringify(content));
  }
  return root;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function row(label: string, f: Figures): string {
  const total = f.loadMs + f.modelMs + f.pathsMs + f.rulesMs;
  return [
    label.padEnd(22),
    String(f.systems).padStart(7),
    String(f.endpoints).padStart(9),
    String(f.hops).padStart(9),
    String(f.mandatoryFailures).padStart(5),
    seconds(f.loadMs).padStart(8),
    seconds(f.modelMs).padStart(8),
    seconds(f.pathsMs).padStart(8),
    seconds(f.rulesMs).padStart(8),
    seconds(total).padStart(8),
    `${(total / f.systems).toFixed(2)} ms`.padStart(10),
    `${f.peakMiB.toFixed(0)} MiB`.padStart(9),
  ].join(' ');
}

export async function bench(): Promise<void> {
  const sizes = (process.env.NDC_BENCH_SIZES ?? '10,100,1000').split(',').map(Number);
  console.log('Reachability after synthesis (read artifacts, model + one-hop reachability, attack paths, NDC-NET rules), one process per row:');
  console.log(`${'case'.padEnd(22)} ${'systems'.padStart(7)} ${'endpoints'.padStart(9)} ${'hops'.padStart(9)} ${'fail'.padStart(5)} ${'read'.padStart(8)} ${'model'.padStart(8)} ${'paths'.padStart(8)} ${'rules'.padStart(8)} ${'total'.padStart(8)} ${'per system'.padStart(10)} ${'peak RSS'.padStart(9)}`);
  const prod = project('prod');
  console.log(row('prod', measure(prod, 'prod')));
  rmSync(prod, { recursive: true, force: true });
  for (const size of sizes) {
    const root = project('generated', generateEnvironment(size));
    console.log(row(`generated ${size}/region`, measure(root, 'generated')));
    rmSync(root, { recursive: true, force: true });
  }
  console.log('Targets: prod total < 0.5 s; 1,000 systems/region total < 30 s; per-system cost roughly constant (linear).');
}

if (require.main === module) {
  bench().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
