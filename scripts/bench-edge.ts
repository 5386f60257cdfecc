import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * Public-edge figures, each measured in a fresh Node process (module loading is the point):
 * - rendering an environment without edge systems (dev): must not load aws-cdk-lib;
 * - the module-load cost that laziness saves (aws-cdk-lib + cdk-nag + the edge stacks);
 * - rendering prod: the edge renderer's share, first synth in the process, and a second (warm) synth.
 * `node bin/run-ts.js scripts/bench-edge.ts`, or `bench()` from scripts/bench.ts.
 */

const ROOT = join(__dirname, '..');
/** Renders as the command line composes them (cli/composition.ts): scope digests cover reachability. */
const INSTALL_REACH = "require('./stacks/reach.ts').installScopeReachability(require('./policies/network/scope-reach.ts').scopeReachLines);";

interface Probe {
  readonly renderMs?: number;
  readonly edgeMs?: number;
  readonly warmEdgeMs?: number;
  readonly loadMs?: number;
  readonly packMs?: number;
  readonly results?: number;
  readonly cdkLoaded: boolean;
}

/** Runs `body` in a fresh process with tsx; it must print one JSON object. */
function probe(body: string): Probe {
  const script = `require('tsx/cjs');
    const { performance } = require('node:perf_hooks');
    const loaded = () => Object.keys(require.cache).some((k) => k.includes('/node_modules/aws-cdk-lib/'));
    ${body}`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' })) as Probe;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function bench(): Promise<void> {
  const runs = Number(process.env.BENCH_EDGE_RUNS ?? 3);
  const dev: Probe[] = [];
  const load: Probe[] = [];
  const prod: Probe[] = [];
  for (let i = 0; i < runs; i++) {
    dev.push(
      probe(`${INSTALL_REACH} const { renderEnvironment } = require('./stacks/synth.ts');
        const t0 = performance.now(); renderEnvironment(process.cwd(), 'dev');
        process.stdout.write(JSON.stringify({ renderMs: performance.now() - t0, cdkLoaded: loaded() }));`),
    );
    load.push(
      probe(`const t0 = performance.now(); require('./stacks/public-edge/app.ts');
        process.stdout.write(JSON.stringify({ loadMs: performance.now() - t0, cdkLoaded: loaded() }));`),
    );
    prod.push(
      probe(`${INSTALL_REACH} const { loadEnvironment } = require('./environments/load.ts');
        const { buildCloud } = require('./constructs/index.ts');
        const { renderEnvironment } = require('./stacks/synth.ts');
        const { publicEdgeRenderer } = require('./stacks/public-edge/renderer.ts');
        const { env } = loadEnvironment(process.cwd(), 'prod');
        const cloud = buildCloud(env);
        const t0 = performance.now(); publicEdgeRenderer.render(cloud, env); const edgeMs = performance.now() - t0;
        const t1 = performance.now(); publicEdgeRenderer.render(cloud, env); const warmEdgeMs = performance.now() - t1;
        const t2 = performance.now(); const r = renderEnvironment(process.cwd(), 'prod'); const renderMs = performance.now() - t2;
        const { pack } = require('./policies/rules/public-edge/index.ts');
        const text = new Map(r.artifacts.map((a) => [a.path, a.content]));
        const cloudformation = new Map(r.artifacts.filter((a) => a.engine === 'cloudformation').map((a) => [a.stack, JSON.parse(a.content)]));
        const context = { env: r.env, cloud: r.cloud, manifest: r.manifest, artifacts: { terraform: new Map(), kubernetes: new Map(), cloudformation, text }, asOf: new Date() };
        const t3 = performance.now(); const results = pack.flatMap((rule) => rule.check(context)).length; const packMs = performance.now() - t3;
        process.stdout.write(JSON.stringify({ renderMs, edgeMs, warmEdgeMs, packMs, results, cdkLoaded: loaded() }));`),
    );
  }
  if (dev.some((p) => p.cdkLoaded)) throw new Error('bench-edge: rendering dev loaded aws-cdk-lib: the edge renderer is no longer lazy');
  const ms = (n: number) => `${Math.round(n)} ms`;
  const devMs = median(dev.map((p) => p.renderMs!));
  const loadMs = median(load.map((p) => p.loadMs!));
  const edgeMs = median(prod.map((p) => p.edgeMs!));
  const warmMs = median(prod.map((p) => p.warmEdgeMs!));
  const prodMs = median(prod.map((p) => p.renderMs!));
  const line = (label: string, value: number, note: string) => console.log(`  ${label.padEnd(52)}${ms(value).padStart(9)}  ${note}`);
  console.log(`public edge (median of ${runs} fresh processes):`);
  line('render dev (no edge systems)', devMs, 'aws-cdk-lib not loaded');
  line('load aws-cdk-lib + cdk-nag + edge stacks', loadMs, 'what dev would pay if the renderer were not lazy');
  line('edge renderer, first in the process (prod)', edgeMs, 'module load + 2 stacks + cdk-nag');
  line('edge renderer, second time (prod)', warmMs, '2 stacks + cdk-nag, modules warm');
  line('render prod after that (terraform + edge)', prodMs, '');
  line('public-edge pack on prod (model and templates)', median(prod.map((p) => p.packMs!)), `${prod[0].results} rule results`);
}

if (process.argv[1] !== undefined && process.argv[1].endsWith('bench-edge.ts')) {
  bench().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
