import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preflight } from '../../deploy/deploy';
import { engineConfigurationProblems, missingToolMessage, resolveTool, which } from '../../deploy/engines';
import { buildWaves, stepsOf } from '../../deploy/waves';
import { loadEnvironment } from '../../environments/load';
import { fakeEngines, synthesizedProject } from './fixture';

/** An executable file (its content never runs here). */
function executable(file: string): string {
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, 0o755);
  return file;
}

describe('engine binaries come from the deploy machine, never from the project', () => {
  // `npx ndc deploy` puts <project>/node_modules/.bin first on PATH, and a change's author decides what
  // lands there (a dependency whose package declares a `tofu` bin) or anywhere else in the checkout.
  const root = mkdtempSync(join(tmpdir(), 'ndc-engines-project-'));
  const installed = mkdtempSync(join(tmpdir(), 'ndc-engines-installed-'));
  mkdirSync(join(root, 'node_modules/.bin'), { recursive: true });
  mkdirSync(join(root, 'tools'));
  for (const tool of ['tofu', 'pulumi', 'aws']) {
    executable(join(root, 'node_modules/.bin', tool));
    executable(join(root, tool));
    executable(join(installed, tool));
  }
  executable(join(root, 'tools/tofu'));

  it('skips PATH entries inside the project (and relative ones) and finds the installed engine', () => {
    const environment = { PATH: [join(root, 'node_modules/.bin'), '.', join(root, 'tools'), installed].join(':') };
    expect(resolveTool('terraform', environment, root).path).toBe(join(installed, 'tofu'));
    expect(resolveTool('pulumi', environment, root).path).toBe(join(installed, 'pulumi'));
    expect(which('aws', environment, root)).toBe(join(installed, 'aws'));
    expect(resolveTool('pulumi', { PATH: join(root, 'node_modules/.bin') }, root).path).toBeUndefined();
  });

  it('refuses NDC_TF_BIN naming a file in the project, saying why', () => {
    const found = resolveTool('terraform', { PATH: installed, NDC_TF_BIN: 'tools/tofu' }, root);
    expect(found.path).toBeUndefined();
    expect(missingToolMessage(found, ['terraform/national-core'])).toMatch(
      /^OpenTofu\/Terraform binary not found: looked for NDC_TF_BIN=tools\/tofu \(inside the project, whose files a change's author controls: install the engine outside it\) on PATH; needed by terraform\/national-core; /,
    );
    expect(resolveTool('terraform', { PATH: installed, NDC_TF_BIN: join(installed, 'tofu') }, root).path).toBe(join(installed, 'tofu'));
  });
});

describe('the engines\' own configuration comes from the deploy machine, never from the project', () => {
  const root = mkdtempSync(join(tmpdir(), 'ndc-engines-config-'));
  const outside = mkdtempSync(join(tmpdir(), 'ndc-engines-home-'));

  it('names each configuration variable that points into the project', () => {
    // A committed .terraformrc can install providers from a folder of the repository; a kubeconfig can run an exec credential plugin.
    const environment = {
      TF_CLI_CONFIG_FILE: join(root, '.terraformrc'),
      TF_PLUGIN_CACHE_DIR: '.ndc/plugin-cache',
      KUBECONFIG: `${join(outside, 'config')}:${join(root, 'kubeconfig')}`,
      PULUMI_HOME: join(outside, '.pulumi'),
      HOME: outside,
    };
    expect(engineConfigurationProblems(root, ['terraform', 'pulumi'], environment)).toEqual([
      `TF_CLI_CONFIG_FILE=${join(root, '.terraformrc')} is inside the project: the engines' configuration (provider installation, plugins, credentials helpers) would be what a change's author commits; keep it outside the checkout`,
      `TF_PLUGIN_CACHE_DIR=.ndc/plugin-cache is inside the project: the engines' configuration (provider installation, plugins, credentials helpers) would be what a change's author commits; keep it outside the checkout`,
      `KUBECONFIG=${join(root, 'kubeconfig')} is inside the project: the engines' configuration (provider installation, plugins, credentials helpers) would be what a change's author commits; keep it outside the checkout`,
    ]);
    // Only the engines that run are asked about: no cdk here.
    expect(engineConfigurationProblems(root, ['cdk'], environment)).toEqual([]);
  });

  it('names the configuration files found in a HOME inside the project', () => {
    writeFileSync(join(root, '.terraformrc'), 'provider_installation { filesystem_mirror { path = "providers" } }');
    mkdirSync(join(root, '.kube'));
    writeFileSync(join(root, '.kube', 'config'), 'apiVersion: v1');
    expect(engineConfigurationProblems(root, ['terraform', 'pulumi', 'cdk'], { HOME: root })).toEqual([
      `HOME=${root} is inside the project and holds .terraformrc: the engines' configuration (provider installation, plugins, credentials helpers) would be what a change's author commits; keep it outside the checkout`,
      `HOME=${root} is inside the project and holds .kube/config: the engines' configuration (provider installation, plugins, credentials helpers) would be what a change's author commits; keep it outside the checkout`,
    ]);
    expect(engineConfigurationProblems(root, ['terraform', 'pulumi', 'cdk'], { HOME: outside })).toEqual([]);
  });
});

it('deploy, plan and drift refuse before any engine runs when the Terraform CLI configuration is a file of the project', () => {
  const { root, manifest } = synthesizedProject('dev');
  const engines = fakeEngines(['tofu', 'pulumi']);
  const { env } = loadEnvironment(root, 'dev');
  const steps = stepsOf(buildWaves({ root, manifest, env, operation: 'deploy' }));
  const checks = preflight(root, env, manifest, steps, { PATH: engines.dir, HOME: engines.dir, TF_CLI_CONFIG_FILE: join(root, 'terraformrc') });
  expect(checks.problems).toEqual([`TF_CLI_CONFIG_FILE=${join(root, 'terraformrc')} is inside the project: the engines' configuration (provider installation, plugins, credentials helpers) would be what a change's author commits; keep it outside the checkout`]);
  expect(preflight(root, env, manifest, steps, { PATH: engines.dir, HOME: engines.dir }).problems).toEqual([]);
});
