/**
 * Kubernetes layer figures (called by `npm run bench`; runs alone with
 * `node bin/run-ts.js scripts/bench-kubernetes.ts`): render time of every cluster's artifact on prod
 * (model already built), YAML parse time, and the kubernetes rule pack's evaluation time on the result.
 */
import { resolve } from 'node:path';
import { buildCloud } from '../constructs';
import { loadEnvironment } from '../environments/load';
import type { KubernetesObject } from '../policies/rule';
import { pack } from '../policies/rules/kubernetes';
import { parseKubernetesYaml } from '../stacks/kubernetes/artifact';
import { isPrerequisitesStack } from '../stacks/kubernetes/prerequisites';
import { kubernetesRenderer } from '../stacks/kubernetes/renderer';
import { buildManifest } from '../stacks/manifest';

const REPO = resolve(__dirname, '..');

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function time<T>(runs: number, fn: () => T): { ms: number; result: T } {
  let result = fn(); // warm-up: module loading and JIT are not the renderer's cost
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    result = fn();
    samples.push(performance.now() - start);
  }
  return { ms: median(samples), result };
}

export async function bench(): Promise<void> {
  console.log('Kubernetes layer (median of 20 runs after one warm-up, model built once):');
  for (const name of ['staging', 'prod']) {
    const { env } = loadEnvironment(REPO, name);
    const cloud = buildCloud(env);
    const render = time(20, () => kubernetesRenderer.render(cloud, env));
    // The system objects; each cluster's prerequisites (Velero CRDs, namespace, secrets) are reported apart.
    const artifacts = render.result.filter((a) => !isPrerequisitesStack(a.stack));
    const prerequisites = render.result.filter((a) => isPrerequisitesStack(a.stack));
    const objects = artifacts.reduce((n, a) => n + a.resources, 0);
    const bytes = artifacts.reduce((n, a) => n + Buffer.byteLength(a.content), 0);
    const parse = time(20, () => new Map(artifacts.map((a) => [a.stack, parseKubernetesYaml(a.content, a.path) as KubernetesObject[]])));
    const context = { env, cloud, manifest: buildManifest(cloud, artifacts), artifacts: { terraform: new Map(), kubernetes: parse.result, cloudformation: new Map(), text: new Map() }, asOf: new Date('2026-11-27T00:00:00Z'), evidence: [] };
    const rules = time(20, () => pack.flatMap((rule) => rule.check(context)));
    const failed = rules.result.filter((r) => r.status === 'fail').length;
    console.log(
      `  ${name.padEnd(8)} ${artifacts.length} clusters, ${objects} objects, ${(bytes / 1024).toFixed(1)} KiB YAML: render ${render.ms.toFixed(1)} ms, parse ${parse.ms.toFixed(1)} ms, ` +
        `rules NDC-K8S-001..005 ${rules.ms.toFixed(1)} ms (${rules.result.length} results, ${failed} failed); ` +
        `prerequisites ${prerequisites.reduce((n, a) => n + Buffer.byteLength(a.content), 0) >> 10} KiB YAML in ${prerequisites.length} artifacts`,
    );
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === __filename) {
  bench().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
