import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EnvironmentInput } from '../environments/schema';

/**
 * `ndc diff` as a reviewer runs it (a fresh `node bin/ndc.js diff` process) against the approved state, after
 * one flow was added to one system and the environment synthesized again: prod, and a generated cloud of
 * 1,000 systems per region (NDC_BENCH_DIFF_SIZES=100,1000 to choose). Targets: prod under 1 s, 1,000 per
 * region under 15 s. `node bin/run-ts.js scripts/bench-diff.ts`, or `bench()` from scripts/bench.ts.
 */
const REPO = join(__dirname, '..');

/** Loaded into each measured process (NODE_OPTIONS=--require): prints its CPU time on exit, which other load on the machine does not inflate as it does wall time. */
const CPU_REPORTER = "process.on('exit', () => { const c = process.cpuUsage(); process.stderr.write('\\nNDC_BENCH_CPU ' + (c.user + c.system) / 1000 + '\\n'); });\n";

function ndc(root: string, args: string[]): { ms: number; cpuMs: number; stdout: string } {
  const reporter = join(root, '.bench-cpu.js');
  writeFileSync(reporter, CPU_REPORTER);
  const start = performance.now();
  const child = spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), ...args], { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NDC_ROOT: root, NDC_LEDGER_URL: '', NODE_OPTIONS: `--require ${reporter}` } });
  const ms = performance.now() - start;
  if (child.status !== 0) throw new Error(`ndc ${args.join(' ')} exited ${child.status}: ${child.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  const cpuMs = Number(/NDC_BENCH_CPU ([0-9.]+)/.exec(child.stderr)?.[1] ?? NaN);
  return { ms, cpuMs, stdout: child.stdout };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** A project root holding one environment as JSON (so the benchmark can change it), node_modules and the Pulumi files linked. */
function projectWith(name: string, env: EnvironmentInput): string {
  const root = mkdtempSync(join(tmpdir(), `ndc-bench-diff-${name}-`));
  mkdirSync(join(root, 'environments'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  symlinkSync(join(REPO, 'stacks'), join(root, 'stacks'), 'dir');
  writeFileSync(join(root, 'environments', `${name}.json`), JSON.stringify(env));
  return root;
}

/** Synthesizes, records the approved state, adds a flow on port 9090 to the first level-2 system, synthesizes again, then times ndc diff. */
interface Figures {
  readonly label: string;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly load: number;
}

function measure(label: string, name: string, env: EnvironmentInput, runs: number): Figures {
  const root = projectWith(name, env);
  try {
    const synth = ndc(root, ['synth', '--env', name]);
    const approved = spawnSync(process.execPath, [join(REPO, 'bin/run-ts.js'), join(REPO, 'scripts/bench-diff-child.ts'), root, name], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (approved.status !== 0) throw new Error(`recording the approved state: ${approved.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    const changed = structuredClone(env);
    const systems = changed.systems ?? [];
    const system = systems.find((s) => s.level === 2) ?? systems[0];
    system.flows = [...(system.flows ?? []), { from: 'internet', to: 'dmz', protocol: 'tcp', ports: 9090 }];
    writeFileSync(join(root, 'environments', `${name}.json`), JSON.stringify(changed));
    const resynth = ndc(root, ['synth', '--env', name]);
    const timings = Array.from({ length: runs }, () => ndc(root, ['diff', '--env', name, '--format', 'json']));
    const result = JSON.parse(timings[0].stdout) as { scopes: { id: string; counts: Record<string, number> }[]; unchanged: string[] };
    const scopes = result.scopes.map((s) => `${s.id} +${s.counts.added} -${s.counts.removed} ~${s.counts.changed}`).join(', ');
    const seconds = (ms: number) => `${(ms / 1000).toFixed(2).padStart(7)} s`;
    console.log(`${label.padEnd(24)} ${String(env.systems?.length ?? 0).padStart(7)} ${seconds(median(timings.map((t) => t.ms)))} ${seconds(Math.min(...timings.map((t) => t.ms)))} ${seconds(median(timings.map((t) => t.cpuMs)))}   (synth ${(synth.ms / 1000).toFixed(1)} s, after the change ${(resynth.ms / 1000).toFixed(1)} s; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`);
    console.log(`${''.padEnd(24)} ${result.unchanged.length} scopes unchanged; changed: ${scopes}`);
    return { label, wallMs: median(timings.map((t) => t.ms)), cpuMs: median(timings.map((t) => t.cpuMs)), load: loadavg()[0] };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** The verdict on one case against its target, by wall time and by CPU time, with the load it ran under. */
function verdict(f: Figures, targetMs: number): string {
  const judged = (ms: number) => `${(ms / 1000).toFixed(2)} s ${ms < targetMs ? 'met' : 'MISSED'}`;
  return `${f.label}: target < ${targetMs / 1000} s: wall ${judged(f.wallMs)}, CPU ${judged(f.cpuMs)} (load average ${f.load.toFixed(1)} on ${cpus().length} cores)`;
}

export async function bench(): Promise<void> {
  const runs = Number(process.env.BENCH_DIFF_RUNS ?? 3);
  const sizes = (process.env.NDC_BENCH_DIFF_SIZES ?? '1000').split(',').filter((s) => s.trim() !== '').map(Number);
  console.log(`ndc diff --env E against the approved state after one added flow, fresh process per run (wall median and min of ${runs}; CPU: user+system of the process, median):`);
  console.log(`${'case'.padEnd(24)} ${'systems'.padStart(7)} ${'median'.padStart(9)} ${'min'.padStart(9)} ${'CPU'.padStart(9)}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const prod = structuredClone((require('../environments/prod') as { default: EnvironmentInput }).default);
  const verdicts = [verdict(measure('prod', 'prod', prod, runs), 1000)];
  for (const size of sizes) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { generateEnvironment } = require('./generate-cloud') as typeof import('./generate-cloud');
    const figures = measure(`generated ${size}/region`, 'generated', generateEnvironment(size), runs);
    if (size === 1000) verdicts.push(verdict(figures, 15_000));
  }
  console.log('Targets: prod < 1 s; 1,000 systems/region < 15 s. On a loaded machine CPU time is the fairer figure: both are judged.');
  for (const line of verdicts) console.log(line);
}

// Run directly (node bin/run-ts.js scripts/bench-diff.ts puts this file in argv[1]), not when bench.ts requires it.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === __filename) {
  bench().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
