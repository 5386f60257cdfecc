import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployEnvironment } from '../../deploy/deploy';
import { captureIO } from '../helpers';
import { engineEnvironment, fakeEngines, fakePorts, synthesizedProject } from './fixture';

// What ndc cannot create is checked once the gate is open, before any engine runs a stack, each missing
// piece on one line. The fakes answer `pulumi stack ls` and `aws ssm get-parameter` (FAKE_FAIL makes one fail).

const PG = 'postgres://ndc:pg-Secret-1@state.db.gov.vn:5432/ndc_state';
const { root } = synthesizedProject('prod');

async function deploy(tools?: string[], extra: NodeJS.ProcessEnv = {}, unset: string[] = []) {
  const engines = fakeEngines(tools);
  const environment = engineEnvironment(engines, { PG_CONN_STR: PG, ...extra });
  for (const name of unset) delete environment[name];
  const ports = fakePorts();
  const capture = captureIO(root);
  const code = await deployEnvironment({ env: 'prod', operation: 'deploy', ports, environment, io: capture.io });
  return { code, engines, ports, ...capture };
}

describe('deploy checks what it cannot create before running any stack', () => {
  it('asks the Pulumi state backend and the bootstrap version of both edge regions, with the right keys, then deploys', async () => {
    const run = await deploy(undefined, {
      NDC_STATE_SECRET_ACCESS_KEY: 'state-secret-1',
      NDC_EDGE_AWS_SECRET_ACCESS_KEY: 'edge-secret-1',
      FAKE_RECORD_ENV: 'AWS_SECRET_ACCESS_KEY,PULUMI_BACKEND_URL',
    });
    expect(run.err).toEqual([]);
    expect(run.code).toBe(0);
    const checks = run.engines.checks();
    const ls = checks.filter((c) => c.tool === 'pulumi');
    expect(ls.map((c) => c.argv)).toEqual([['stack', 'ls', '--json', '--non-interactive']]);
    // Where pulumi will run: the snapshot's copy of the approved project.
    expect(ls[0].cwd).toMatch(/\.ndc\/snapshots\/[0-9a-f]{64}\/pulumi$/);
    expect(ls[0].env).toEqual({ AWS_SECRET_ACCESS_KEY: 'state-secret-1', PULUMI_BACKEND_URL: 's3://ndc-test-pulumi-state?endpoint=objects.test.gov.vn' });
    const ssm = checks.filter((c) => c.tool === 'aws');
    expect(ssm.map((c) => c.argv[c.argv.indexOf('--region') + 1])).toEqual(['ap-southeast-1', 'us-east-1']);
    expect(ssm.map((c) => c.argv.slice(0, 4))).toEqual(Array(2).fill(['ssm', 'get-parameter', '--name', '/cdk-bootstrap/hnb659fds/version']));
    for (const call of ssm) expect(call.env.AWS_SECRET_ACCESS_KEY).toBe('edge-secret-1');
    expect(run.engines.calls().length).toBeGreaterThan(0);
  });

  it.each([
    ['a kube context', (dir: string) => ({ KUBECONFIG: writeKubeconfig(dir, ['ndc-prod-north', 'ndc-prod-central']) }), [], /^ndc deploy: kube context ndc-prod-south not found in .*config-partial: the Kubernetes stacks of south apply to it/],
    ['a backup vault key', () => ({}), ['NDC_BACKUP_CENTRAL_SECRET_ACCESS_KEY'], /^ndc deploy: NDC_BACKUP_CENTRAL_SECRET_ACCESS_KEY is not set: kubernetes\/(north|south)-prerequisites fills secret velero\/ndc-backup-central/],
    ['the Pulumi backend URL', () => ({}), ['PULUMI_BACKEND_URL'], /^ndc deploy: PULUMI_BACKEND_URL is not set: the Kubernetes stacks of prod keep their state in the object-store bucket ndc-prod-pulumi-state/],
    ['the Pulumi state bucket', () => ({ FAKE_FAIL: 'pulumi stack ls' }), [], /^ndc deploy: Pulumi state backend s3:\/\/ndc-test-pulumi-state\?endpoint=objects\.test\.gov\.vn did not answer pulumi stack ls \(fake pulumi: told to fail\): create the bucket ndc-prod-pulumi-state/],
    ['cdk bootstrap in us-east-1', () => ({ FAKE_FAIL: 'aws ssm get-parameter .* us-east-1' }), [], /^ndc deploy: cdk bootstrap missing in us-east-1 \(not bootstrapped; \/cdk-bootstrap\/hnb659fds\/version\): public-edge-global deploy there/],
    ['a recent enough cdk bootstrap', () => ({ FAKE_BOOTSTRAP_VERSION: '5' }), [], /^ndc deploy: cdk bootstrap missing in ap-southeast-1 \(bootstrap version 5, need 6;/],
  ] as const)('names %s that is missing, on one line, and runs no stack', async (_what, extra, unset, message) => {
    const engines = fakeEngines();
    const run = await deploy(undefined, { ...extra(engines.dir) }, [...unset]);
    expect(run.code).toBe(1);
    expect(run.err.length).toBeGreaterThan(0);
    expect(run.err.some((line) => message.test(line))).toBe(true);
    for (const line of run.err) expect(line).not.toContain('\n');
    expect(run.engines.calls()).toEqual([]);
    expect(run.ports.ledger.locks.size).toBe(0);
    expect(run.ports.ledger.records.at(-1)).toMatchObject({ result: 'refused', details: { scope: 'run' } });
  });

  it('names the AWS CLI when it is missing and the edge must be checked', async () => {
    const run = await deploy(['tofu', 'pulumi', 'cdk']);
    expect(run.code).toBe(1);
    expect(run.err).toEqual(['ndc deploy: aws binary not found on PATH: needed to check cdk bootstrap in ap-southeast-1, us-east-1 before deploying the edge; install the AWS CLI (https://docs.aws.amazon.com/cli/)']);
    expect(run.engines.calls()).toEqual([]);
  });
});

function writeKubeconfig(dir: string, contexts: string[]): string {
  const file = join(dir, 'config-partial');
  writeFileSync(file, `apiVersion: v1\nkind: Config\ncontexts:\n${contexts.map((c) => `  - name: ${c}\n    context: { cluster: ${c}, user: u }\n`).join('')}`);
  return file;
}
