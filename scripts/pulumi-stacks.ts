/**
 * Writes stacks/kubernetes/Pulumi.<env>-<cluster>.yaml and Pulumi.<env>-<cluster>-prerequisites.yaml for
 * every environment and every cluster that hosts a system (the clusters that get a Kubernetes artifact). `--check` only reports files that differ.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { buildCloud } from '../constructs';
import { listEnvironments, loadEnvironment } from '../environments/load';
import { stackConfigFile } from '../stacks/kubernetes/deployment';
import { placementsIn } from '../stacks/kubernetes/render';

export function expectedStackConfigs(root: string): { file: string; content: string }[] {
  const out: { file: string; content: string }[] = [];
  for (const name of listEnvironments(root)) {
    const { env } = loadEnvironment(root, name);
    const cloud = buildCloud(env);
    for (const cluster of cloud.clusters) {
      if (placementsIn(cloud, cluster).length > 0) out.push(stackConfigFile(root, cloud, env, cluster, 'prerequisites'), stackConfigFile(root, cloud, env, cluster));
    }
  }
  return out;
}

// Run directly (node bin/run-ts.js scripts/pulumi-stacks.ts), not when a test imports it.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === __filename) {
  const root = resolve(__dirname, '..');
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const { file, content } of expectedStackConfigs(root)) {
    const same = existsSync(file) && readFileSync(file, 'utf8') === content;
    if (same) continue;
    stale++;
    if (check) console.log(`stale: ${relative(root, file)}`);
    else {
      writeFileSync(file, content);
      console.log(`wrote ${relative(root, file)}`);
    }
  }
  if (check && stale > 0) process.exitCode = 1;
}
