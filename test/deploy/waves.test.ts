import { loadEnvironment } from '../../environments/load';
import { InputError } from '../../core/errors';
import { buildWaves, stepsOf } from '../../deploy/waves';
import { lastRunFromRecords } from '../../deploy/ledger-view';
import { redact, secretValues } from '../../deploy/secrets';
import { synthesizedProject } from './fixture';

describe('deploy waves', () => {
  it('orders prod as national core, clusters, backup vaults, kubernetes prerequisites and objects per cluster, public edge', () => {
    const { root, manifest } = synthesizedProject('prod');
    const { env } = loadEnvironment(root, 'prod');
    const waves = buildWaves({ root, manifest, env, operation: 'deploy' });
    expect(waves.map((w) => [w.index, w.name, w.steps.map((s) => s.id)])).toEqual([
      [1, 'national core', ['terraform/national-core']],
      [2, 'regional clusters', ['terraform/cluster-central', 'terraform/cluster-north', 'terraform/cluster-south']],
      [3, 'backup vaults', ['terraform/backup-vaults']],
      [4, 'kubernetes prerequisites', ['kubernetes/central-prerequisites', 'kubernetes/north-prerequisites', 'kubernetes/south-prerequisites']],
      [5, 'kubernetes', ['kubernetes/central', 'kubernetes/north', 'kubernetes/south']],
      [6, 'public edge', ['cloudformation/public-edge-origin', 'cloudformation/public-edge-global']],
    ]);
    const byId = new Map(stepsOf(waves).map((s) => [s.id, s]));
    expect(byId.get('terraform/cluster-north')!.commands.map((c) => c.args[0])).toEqual(['init', 'plan', 'apply']);
    expect(byId.get('terraform/cluster-north')!.commands[0].cwd).toBe(`.ndc/terraform/${manifest.digest}/cluster-north`);
    expect(byId.get('kubernetes/north')!.commands[1].args).toEqual(
      expect.arrayContaining(['up', '--yes', '--stack', 'prod-north']),
    );
    expect(byId.get('kubernetes/north')!.commands[1].args).not.toContain('--config');
    expect(byId.get('kubernetes/north')!.commands[1].env).toMatchObject({ NDC_KUBERNETES_ARTIFACT: `../../.ndc/snapshots/${manifest.digest}/kubernetes/north.yaml` });
    expect(byId.get('cloudformation/public-edge-global')!.commands[0].args).toEqual(['deploy', '--app', '.', '--no-color', '--ci', '--require-approval', 'never', '--exclusively', 'public-edge-global']);
    expect(waves.map((w) => w.parallel)).toEqual([false, true, false, true, true, false]);
  });

  it('reverses the waves for destroy and plans a destroy before applying it', () => {
    const { root, manifest } = synthesizedProject('prod');
    const { env } = loadEnvironment(root, 'prod');
    const waves = buildWaves({ root, manifest, env, operation: 'destroy' });
    expect(waves.map((w) => w.index)).toEqual([6, 5, 4, 3, 2, 1]);
    const core = stepsOf(waves).find((s) => s.id === 'terraform/national-core')!;
    expect(core.commands.map((c) => c.args.slice(0, 2))).toEqual([
      ['init', '-input=false'],
      ['plan', '-destroy'],
      ['apply', '-input=false'],
    ]);
    expect(stepsOf(waves).find((s) => s.id === 'kubernetes/north')!.commands[1].args.slice(0, 2)).toEqual(['destroy', '--yes']);
    // The distribution goes before the bucket it logs into.
    expect(waves[0].steps.map((s) => s.id)).toEqual(['cloudformation/public-edge-global', 'cloudformation/public-edge-origin']);
  });

  it('leaves out the kubernetes and edge waves when there are no such artifacts', () => {
    const { root, manifest } = synthesizedProject('dev');
    const { env } = loadEnvironment(root, 'dev');
    const terraformOnly = { ...manifest, artifacts: manifest.artifacts.filter((a) => a.engine === 'terraform') };
    expect(buildWaves({ root, manifest: terraformOnly, env, operation: 'deploy' }).map((w) => w.index)).toEqual([1, 2, 3]);
  });

  it('refuses a terraform stack that belongs to no wave', () => {
    const { root, manifest } = synthesizedProject('dev');
    const { env } = loadEnvironment(root, 'dev');
    const odd = { ...manifest, artifacts: [...manifest.artifacts, { path: 'terraform/dns/cdk.tf.json', engine: 'terraform' as const, stack: 'dns', bytes: 2, sha256: '0'.repeat(64) }] };
    expect(() => buildWaves({ root, manifest: odd, env, operation: 'deploy' })).toThrow(InputError);
    expect(() => buildWaves({ root, manifest: odd, env, operation: 'deploy' })).toThrow(/"dns" belongs to no deploy wave/);
  });

  it('passes the pg connection by reference when the environment names another variable', () => {
    const { root, manifest } = synthesizedProject('prod');
    const { env } = loadEnvironment(root, 'prod');
    const custom = { ...env, state: { backend: 'pg' as const, schemaName: 'ndc_prod', connStrEnv: 'NDC_PROD_PG' } };
    const [core] = stepsOf(buildWaves({ root, manifest, env: custom, operation: 'deploy' }));
    expect(core.commands[0].envFrom).toEqual({ PG_CONN_STR: 'NDC_PROD_PG' });
    expect(JSON.stringify(core.commands)).not.toMatch(/postgres:\/\//);
  });
});

describe('lastRunFromRecords', () => {
  const step = (run: string, id: string, result: string) => ({ kind: 'deploy-step', env: 'prod', digest: 'd1', result, details: { scope: 'step', run, step: id } });
  it('reports the last run: steps done (including those taken over by a resume) and the first failure', () => {
    const records = [
      { kind: 'deploy-step', env: 'prod', digest: 'd1', result: 'started', details: { scope: 'run', run: 'r1', alreadyDone: [] } },
      step('r1', 'a', 'started'),
      step('r1', 'a', 'succeeded'),
      step('r1', 'b', 'failed'),
      { kind: 'deploy-step', env: 'prod', digest: 'd1', result: 'started', details: { scope: 'run', run: 'r2', alreadyDone: ['a'] } },
      step('r2', 'b', 'succeeded'),
      step('r2', 'c', 'failed'),
      { kind: 'deploy-step', env: 'staging', digest: 'd9', result: 'started', details: { scope: 'run', run: 'r3', alreadyDone: [] } },
    ];
    expect(lastRunFromRecords(records, 'prod')).toEqual({ digest: 'd1', completed: ['a', 'b'], failed: 'c' });
    expect(lastRunFromRecords(records, 'staging')).toEqual({ digest: 'd9', completed: [] });
    expect(lastRunFromRecords(records, 'dev')).toBeUndefined();
  });
});

describe('secret redaction', () => {
  it('finds credentials by variable name, and the password inside a connection URL', () => {
    const secrets = secretValues({ PG_CONN_STR: 'postgres://ndc:s3cr3t-pw@db:5432/ndc', OS_PASSWORD: 'hunter22', PATH: '/usr/bin', CI: 'true', STATE_URL: 'x' }, ['STATE_URL']);
    expect(secrets).toEqual(expect.arrayContaining(['postgres://ndc:s3cr3t-pw@db:5432/ndc', 's3cr3t-pw', 'hunter22']));
    expect(secrets).not.toContain('/usr/bin');
    expect(redact('dial postgres://ndc:s3cr3t-pw@db:5432/ndc failed; password s3cr3t-pw; hunter22', secrets)).toBe('dial *** failed; password ***; ***');
  });
});
