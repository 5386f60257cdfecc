/**
 * Command benchmark (`bench()` is called by scripts/bench.ts): what a user waits for, as whole processes
 * measured in the same run as the floor they are compared with, `node -e "require('cdktf')"` (starting
 * node and loading the lightest engine library). Cases: prod synth + check (`ndc start`, what `npm start`
 * runs) with an empty synthesis cache and with a warm one (cold: no .ndc/ at all, as in a fresh clone
 * after `npm ci`, whose build leaves the code cache's seed in dist/; also shown without that seed); an
 * unchanged re-synth of prod; the same through `npm start` and `npx ndc`; the warm case again without the
 * code cache. Each figure is the median of NDC_BENCH_REPEAT runs (default 3).
 * Targets: warm within 3x the floor, cold within 5x, unchanged re-synth under 0.5 s plus the floor.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..');
const REPEAT = Number(process.env.NDC_BENCH_REPEAT ?? 3);

/** Wall time of one process, in ms; fails the benchmark when the command fails. */
function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): number {
  const start = performance.now();
  const child = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - start;
  if (child.status !== 0) throw new Error(`${command} ${args.join(' ')}: exit ${child.status}: ${(child.stderr || child.stdout).trim().split('\n').slice(-3).join(' | ')}`);
  return ms;
}

function median(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs `prepare` before each repetition (not timed) and the measured command REPEAT times. */
function measure(prepare: () => void, command: () => number): number {
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    prepare();
    times.push(command());
  }
  return median(times);
}

export async function bench(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { staleReason } = require('../bin/build-stamp') as { staleReason(root: string): string | undefined };
  const stale = staleReason(REPO);
  console.log(`Commands as users run them, one process each, median of ${REPEAT}; running ${stale ? `the sources through tsx (${stale})` : 'the compiled dist/'}.`);
  const root = mkdtempSync(join(tmpdir(), 'ndc-bench-commands-'));
  symlinkSync(join(REPO, 'environments'), join(root, 'environments'), 'dir');
  // The evidence records the interval and control rules read (without them prod fails its checks).
  symlinkSync(join(REPO, 'evidence'), join(root, 'evidence'), 'dir');
  mkdirSync(join(root, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(join(REPO, 'bin', 'ndc.js'), join(root, 'node_modules', '.bin', 'ndc'));
  writeFileSync(join(root, 'package.json'), `${JSON.stringify({ name: 'ndc-bench-project', private: true })}\n`);
  const ndc = (...args: string[]) => run(process.execPath, [join(REPO, 'bin/ndc.js'), ...args], root);
  const clean = () => {
    rmSync(join(root, 'out'), { recursive: true, force: true });
    rmSync(join(root, '.ndc'), { recursive: true, force: true });
  };
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  try {
    const floor = measure(() => undefined, () => run(process.execPath, ['-e', "require('cdktf')"], REPO));
    const cold = measure(clean, () => ndc('start', '--env', 'prod'));
    // The same without the build's code cache seed (dist/code-cache/): every module compiled from its source.
    const coldUnseeded = measure(clean, () => run(process.execPath, [join(REPO, 'bin/ndc.js'), 'start', '--env', 'prod'], root, { NDC_CODE_CACHE_SEED: '0' }));
    // The CPU a cold start spends on every thread (the helper thread runs beside the main one): on this
    // machine's cores no schedule can finish it in less than that CPU divided by the cores. Also with the
    // child processes the command waited for (the environment's evaluation, git), where /proc tells
    // (Linux: utime, stime, cutime, cstime of /proc/self/stat, in ticks of 10 ms).
    const reporter = join(root, '.bench-cpu.js');
    writeFileSync(
      reporter,
      [
        "process.on('exit', () => {",
        '  const c = process.cpuUsage();',
        "  let all = '';",
        "  try { const f = require('fs').readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' '); all = ' ' + (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * 10; } catch {}",
        "  process.stderr.write('\\nNDC_BENCH_CPU ' + (c.user + c.system) / 1000 + all + '\\n');",
        '});',
        '',
      ].join('\n'),
    );
    const cpuRuns = Array.from({ length: REPEAT }, () => {
      clean();
      const child = spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), 'start', '--env', 'prod'], { cwd: root, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: `--require ${reporter}` } });
      const match = /NDC_BENCH_CPU ([0-9.]+)(?: ([0-9.]+))?/.exec(child.stderr);
      return { threads: Number(match?.[1] ?? NaN), withChildren: Number(match?.[2] ?? NaN) };
    });
    const coldCpu = median(cpuRuns.map((r) => r.threads));
    const coldCpuAll = median(cpuRuns.map((r) => r.withChildren));
    const warm = measure(() => undefined, () => ndc('start', '--env', 'prod'));
    const warmUncached = measure(() => undefined, () => run(process.execPath, [join(REPO, 'bin/ndc.js'), 'start', '--env', 'prod'], root, { NDC_CODE_CACHE: '0' }));
    const resynth = measure(() => undefined, () => ndc('synth', '--env', 'prod'));
    const fresh = measure(() => undefined, () => ndc('synth', '--env', 'prod', '--no-cache'));
    const help = measure(() => undefined, () => ndc('--help'));
    // npm and npx from the repository, with the project root pointed at the benchmark's copy.
    const viaNpm = measure(() => undefined, () => run('npm', ['start', '--silent'], REPO, { NDC_ROOT: root }));
    // npx in a project whose node_modules/.bin/ndc is linked as `npm ci` links it (scripts/build.js);
    // --offline --no-install: never reach for the registry, fail instead.
    const viaNpx = measure(() => undefined, () => run('npx', ['--offline', '--no-install', 'ndc', '--help'], root));
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`.padStart(8);
    const x = (ms: number) => `${(ms / floor).toFixed(1)}x`.padStart(6);
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    console.log(`load average before: ${load}; after: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (2 cores: read the ratios)`);
    console.log(`${'case'.padEnd(52)} ${'wall'.padStart(8)} ${'/floor'.padStart(6)}  target`);
    console.log(`${"floor: node -e \"require('cdktf')\"".padEnd(52)} ${s(floor)} ${x(floor)}`);
    console.log(`${'ndc start --env prod (synth + check), cold cache'.padEnd(52)} ${s(cold)} ${x(cold)}  < 5x: ${verdict(cold < 5 * floor)}`);
    console.log(`${"  the same without the build's code cache seed".padEnd(52)} ${s(coldUnseeded)} ${x(coldUnseeded)}`);
    const cpuLine = (label: string, ms: number) => console.log(`${label.padEnd(52)} ${s(ms)} ${x(ms)}  ${s(ms / cpus().length).trim()} on ${cpus().length} cores = ${x(ms / cpus().length).trim()}`);
    cpuLine('  its CPU on all threads; / cores = least wall', coldCpu);
    if (Number.isFinite(coldCpuAll)) cpuLine('  the same with the child processes it waited for', coldCpuAll);
    console.log(`${'ndc start --env prod (synth + check), warm cache'.padEnd(52)} ${s(warm)} ${x(warm)}  < 3x: ${verdict(warm < 3 * floor)}`);
    console.log(`${'  the same without the code cache (NDC_CODE_CACHE=0)'.padEnd(52)} ${s(warmUncached)} ${x(warmUncached)}`);
    console.log(`${'ndc synth --env prod, unchanged (warm cache)'.padEnd(52)} ${s(resynth)} ${x(resynth)}  < floor + 0.5 s: ${verdict(resynth < floor + 500)}`);
    console.log(`${'ndc synth --env prod --no-cache'.padEnd(52)} ${s(fresh)} ${x(fresh)}`);
    console.log(`${'ndc --help (start-up alone)'.padEnd(52)} ${s(help)} ${x(help)}`);
    console.log(`${'npm start (ndc start --env prod), warm cache'.padEnd(52)} ${s(viaNpm)} ${x(viaNpm)}  npm adds ${s(viaNpm - warm).trim()}`);
    console.log(`${'npx ndc --help'.padEnd(52)} ${s(viaNpx)} ${x(viaNpx)}  npx adds ${s(viaNpx - help).trim()}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
