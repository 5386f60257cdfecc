/**
 * The whole story through the `ndc` executable, as a platform engineer and a security reviewer run it:
 * synth, a reviewer key and trust store, a refused deploy, an approval, the deploy (against fake tofu
 * and pulumi executables on PATH that record their arguments: the real engines cannot be installed
 * here), the ledger, and a refused deploy once an artifact is edited after approval.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteLedger } from '../ledger/sqlite';
import { fakeEngines, type Engines } from './deploy/fixture';
import { addPlatformReviewers, PLATFORM_REVIEWERS, REPO, tempProject } from './helpers';

const NODE_DIR = join(process.execPath, '..');

function runner(root: string, engines: Engines) {
  const env: NodeJS.ProcessEnv = {
    // Only the fake engines and node itself: a real terraform may be installed on this machine.
    PATH: `${engines.dir}:${NODE_DIR}`,
    HOME: root,
    // The kube contexts deploy checks for (written by fakeEngines).
    KUBECONFIG: join(engines.dir, '.kube', 'config'),
    FAKE_LOG: engines.log,
    NDC_ENGINE_ENV: 'FAKE_*',
    NDC_ACTOR: 'ci:e2e',
    CI: 'true',
  };
  return (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const run = spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...env, ...extra } });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  };
}

describe('ndc end to end on dev', () => {
  it('deploys only what a trusted reviewer approved, records it, and refuses once the artifacts change', async () => {
    const root = tempProject('ndc-e2e-');
    const engines = fakeEngines(['tofu', 'pulumi']);
    const ndc = runner(root, engines);

    expect(ndc(['synth', '--env', 'dev']).status).toBe(0);
    expect(ndc(['keys', 'generate', '--id', 'sec-officer', '--out', 'keys']).status).toBe(0);
    const added = ndc(['reviewers', 'add', '--env', 'dev', '--id', 'sec-officer', '--public-key', 'keys/sec-officer.pub', '--roles', 'security-unit', '--agencies', 'Ministry of Science and Technology,Government Office']);
    expect(added.status).toBe(0);
    // e-document-exchange is level 3: its owner approves too (Decree 85 art. 12, the floor dev asks for).
    expect(ndc(['keys', 'generate', '--id', 'gov-owner', '--out', 'keys']).status).toBe(0);
    expect(ndc(['reviewers', 'add', '--env', 'dev', '--id', 'gov-owner', '--public-key', 'keys/gov-owner.pub', '--roles', 'system-owner', '--agencies', 'Government Office']).status).toBe(0);
    addPlatformReviewers((args) => ndc(args));
    const listed = JSON.parse(ndc(['reviewers', 'list', '--env', 'dev', '--json']).stdout) as { rootHash: string; pinned: boolean };
    expect(listed.pinned).toBe(false);
    const trusted = { NDC_TRUST_ROOT: listed.rootHash };

    // No approval yet: the gate is closed and no engine runs.
    const refused = ndc(['deploy', '--env', 'dev'], trusted);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/refused/);
    expect(refused.stdout + refused.stderr).toContain('open-data-portal (level 2): missing security-unit approval');
    expect(engines.calls()).toEqual([]);

    for (const reviewer of ['sec-officer', 'gov-owner', ...PLATFORM_REVIEWERS.map((r) => r.id)]) {
      const approved = ndc(['approve', '--env', 'dev', '--key', `keys/${reviewer}.key`, '--as', reviewer], trusted);
      expect(approved.stderr).toBe('');
      expect(approved.status).toBe(0);
    }
    expect(ndc(['approvals', '--env', 'dev'], trusted).status).toBe(0);

    const deployed = ndc(['deploy', '--env', 'dev'], trusted);
    expect(deployed.stderr).toBe('');
    expect(deployed.status).toBe(0);
    const calls = engines.calls();
    // Each Terraform stack runs in its work dir, on the approved digest's snapshot.
    const digest = (JSON.parse(readFileSync(join(root, 'out/dev/manifest.json'), 'utf8')) as { digest: string }).digest;
    expect(calls.filter((c) => c.tool === 'tofu').map((c) => `${c.cwd.slice(root.length + 1)} ${c.argv[0]}`)).toEqual(
      ['national-core', 'cluster-north', 'backup-vaults'].flatMap((stack) => ['init', 'plan', 'apply'].map((step) => `.ndc/terraform/${digest}/${stack} ${step}`)),
    );
    expect(calls.some((c) => c.tool === 'pulumi' && c.argv[0] === 'up' && c.argv.includes('dev-north'))).toBe(true);

    // The ledger holds the approval, the open gate and every deploy step, and its chain verifies.
    expect(ndc(['ledger', 'verify']).status).toBe(0);
    const ledger = new SqliteLedger(join(root, '.ndc/ledger.sqlite'));
    const kinds = (await ledger.records()).map((r) => `${r.kind}:${r.result}`);
    await ledger.close();
    expect(kinds).toEqual(expect.arrayContaining(['approve:signed', 'gate:open', 'deploy-step:succeeded']));

    // An artifact edited after approval: deploy refuses before any engine runs.
    const before = engines.calls().length;
    const file = join(root, 'out/dev/terraform/cluster-north/cdk.tf.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"c4.small"', '"c4.xlarge"'));
    const tampered = ndc(['deploy', '--env', 'dev'], trusted);
    expect(tampered.status).not.toBe(0);
    expect(tampered.stderr).toContain('terraform/cluster-north/cdk.tf.json');
    expect(engines.calls()).toHaveLength(before);
  });
});
