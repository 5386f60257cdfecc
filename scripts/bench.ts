/**
 * `npm run bench`: every benchmark (NDC_BENCH_ONLY=synth,policies,... picks some; NDC_BENCH_SIZES=10,100
 * the sizes). Synthesis: wall time and peak memory on prod and on generated clouds of 10, 100 and 1,000
 * information systems per region. Each measurement runs in its own
 * process so module loading is counted once and peak memory is that size's alone.
 * Targets on a 2-core machine: prod under 3 s wall; 1,000 per region under 60 s and 2 GiB, linear growth.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..');
const SIZES = (process.env.NDC_BENCH_SIZES ?? '10,100,1000').split(',').map(Number);

interface Figures {
  label: string;
  /** The whole command, node start-up and module loading included. */
  processMs: number;
  wallMs: number;
  peakMiB: number;
  resources: number;
  systems: number;
}

/** Runs one measurement in a child process and returns what it printed as JSON. */
function measure(label: string, root: string, env: string): Figures {
  const start = performance.now();
  const child = spawnSync(process.execPath, [join(REPO, 'bin/run-ts.js'), join(REPO, 'scripts/bench-synth-child.ts'), root, env, label], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`${label}: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const figures = JSON.parse(child.stdout.trim().split('\n').pop()!) as Omit<Figures, 'processMs'>;
  return { ...figures, processMs: performance.now() - start };
}

function generatedRoot(size: number): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { generateEnvironment, writeGeneratedEvidence } = require('./generate-cloud') as typeof import('./generate-cloud');
  const root = mkdtempSync(join(tmpdir(), `ndc-bench-${size}-`));
  mkdirSync(join(root, 'environments'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  const generated = generateEnvironment(size);
  writeFileSync(join(root, 'environments', 'generated.json'), JSON.stringify(generated));
  writeGeneratedEvidence(root, generated);
  return root;
}

function row(f: Figures, per?: number): string {
  const perSystem = per ? `${(f.wallMs / per).toFixed(2)} ms/system` : '';
  return `${f.label.padEnd(24)} ${String(f.systems).padStart(7)} ${String(f.resources).padStart(9)} ${(f.wallMs / 1000).toFixed(2).padStart(8)} s ${(f.processMs / 1000).toFixed(2).padStart(8)} s ${f.peakMiB.toFixed(0).padStart(8)} MiB  ${perSystem}`;
}

export async function benchSynth(): Promise<void> {
  console.log('Synthesis (load + validate + model + all renderers + write out/), one process per row;');
  console.log('"command" adds node start-up and module loading: what a user waits for.');
  console.log(`${'case'.padEnd(24)} ${'systems'.padStart(7)} ${'resources'.padStart(9)} ${'synth'.padStart(10)} ${'command'.padStart(10)} ${'peak RSS'.padStart(12)}`);
  const prodRoot = mkdtempSync(join(tmpdir(), 'ndc-bench-prod-'));
  symlinkSync(join(REPO, 'environments'), join(prodRoot, 'environments'), 'dir');
  symlinkSync(join(REPO, 'node_modules'), join(prodRoot, 'node_modules'), 'dir');
  console.log(row(measure('prod', prodRoot, 'prod')));
  rmSync(prodRoot, { recursive: true, force: true });
  for (const size of SIZES) {
    const root = generatedRoot(size);
    const figures = measure(`generated ${size}/region`, root, 'generated');
    console.log(row(figures, figures.systems));
    rmSync(root, { recursive: true, force: true });
  }
  console.log('Targets: prod < 3 s; 1,000 systems/region < 60 s and < 2,048 MiB; ms/system roughly constant (linear).');
}

/** Every benchmark of the project, in the order the layers run: synth, check, approvals, engines. */
async function main(): Promise<void> {
  const only = process.env.NDC_BENCH_ONLY?.split(',');
  const want = (name: string) => only === undefined || only.includes(name);
  const section = (title: string) => console.log(`\n== ${title}`);
  if (want('synth')) {
    section('synth');
    await benchSynth();
  }
  const modules: [string, string][] = [
    ['commands', './bench-commands'],
    ['policies', './bench-policies'],
    ['reach', './bench-reach'],
    ['kubernetes', './bench-kubernetes'],
    ['edge', './bench-edge'],
    ['validate', './bench-validate'],
    ['deploy', './bench-deploy'],
    ['ledger', './bench-ledger'],
  ];
  for (const [name, module] of modules) {
    if (!want(name)) continue;
    section(name);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    await (require(module) as { bench(): Promise<void> }).bench();
  }
  if (want('approvals')) {
    section('approvals');
    // A script of its own: the first gate evaluation in a fresh process is the figure that matters.
    const child = spawnSync(process.execPath, [join(REPO, 'bin/run-ts.js'), join(REPO, 'scripts/bench-approvals.ts')], { stdio: 'inherit' });
    if (child.status !== 0) process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
