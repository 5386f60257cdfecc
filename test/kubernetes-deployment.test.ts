/**
 * How the Kubernetes stacks are deployed: stack names, DIY backends, the stack config files in the
 * repository. Nothing here runs the Pulumi CLI (it cannot be installed on the build machines).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { buildCloud } from '../constructs';
import { loadEnvironment } from '../environments/load';
import { pulumiBackendUrl, pulumiInvocation, stackConfigFile } from '../stacks/kubernetes/deployment';
import { expectedStackConfigs } from '../scripts/pulumi-stacks';

const REPO = resolve(__dirname, '..');

describe('Kubernetes stack deployment', () => {
  it('has a stack config file for every environment and cluster that gets an artifact, matching the environments', () => {
    const expected = expectedStackConfigs(REPO);
    const stacks = ['dev-north', 'prod-central', 'prod-north', 'prod-south', 'staging-central', 'staging-north', 'staging-south'];
    expect(expected.map((e) => e.file.slice(REPO.length + 1)).sort()).toEqual(
      stacks.flatMap((s) => [`stacks/kubernetes/Pulumi.${s}-prerequisites.yaml`, `stacks/kubernetes/Pulumi.${s}.yaml`]).sort(),
    );
    // If this fails: node bin/run-ts.js scripts/pulumi-stacks.ts
    for (const { file, content } of expected) expect(readFileSync(file, 'utf8')).toBe(content);
  });

  it('stack config names the artifact the program reads and the kube context, and holds no secret', () => {
    const { env } = loadEnvironment(REPO, 'prod');
    const cloud = buildCloud(env);
    const { content } = stackConfigFile(REPO, cloud, env, cloud.cluster('central'));
    expect(parse(content)).toEqual({ config: { 'ndc-kubernetes:artifact': '../../out/prod/kubernetes/central.yaml', 'kubernetes:context': 'ndc-prod-central' } });
    expect(content).not.toMatch(/secure:|passphrase:|password|secret_key|AWS_SECRET_ACCESS_KEY=/i);
    const project = parse(readFileSync(join(REPO, 'stacks/kubernetes/Pulumi.yaml'), 'utf8')) as { name: string; main: string; runtime: { name: string; options: { typescript: boolean } } };
    expect(project).toMatchObject({ name: 'ndc-kubernetes', main: 'index.js', runtime: { name: 'nodejs', options: { typescript: false } } });
  });

  it('the entry point Pulumi.yaml names loads the TypeScript program with plain node (as the nodejs language host does)', () => {
    const child = spawnSync(process.execPath, ['-e', "const main = require('./stacks/kubernetes/index.js'); console.log(typeof main, main.name)"], { cwd: REPO, encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('function main');
  });

  it('uses a file:// backend for dev and the shared-services object store for shared environments', () => {
    const dev = loadEnvironment(REPO, 'dev').env;
    expect(pulumiBackendUrl('/srv/ndc', buildCloud(dev), dev)).toBe('file:///srv/ndc/.ndc/state/dev/pulumi');
    const prod = loadEnvironment(REPO, 'prod').env;
    expect(pulumiBackendUrl('/srv/ndc', buildCloud(prod), prod)).toBe('s3://ndc-prod-pulumi-state?endpoint=backup.north.prod.cloud.gov.vn:443&s3ForcePathStyle=true&region=north');
  });

  it('describes the pulumi invocation the deploy step runs, with secrets only from the environment', () => {
    const prod = loadEnvironment(REPO, 'prod').env;
    const cloud = buildCloud(prod);
    const run = pulumiInvocation('/srv/ndc', cloud, prod, cloud.cluster('south'));
    expect(run.steps).toEqual([
      ['stack', 'select', '--create', '--secrets-provider', 'passphrase', 'prod-south'],
      ['up', '--stack', 'prod-south', '--yes', '--non-interactive', '--skip-preview'],
    ]);
    expect(run.cwd).toBe('/srv/ndc/stacks/kubernetes');
    expect(run.env.PULUMI_BACKEND_URL).toMatch(/^s3:\/\/ndc-prod-pulumi-state\?/);
    expect(run.requiredEnv).toEqual(['PULUMI_CONFIG_PASSPHRASE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY']);
  });
});
