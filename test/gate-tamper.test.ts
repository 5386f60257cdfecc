/**
 * Issue 11, tried as a change author who can edit any file in the repository and in out/ but holds no
 * reviewer key: each attack goes through the `ndc` executable (fake tofu and pulumi on PATH recording
 * argv, cwd and the files they could load) and must be refused with one line naming what was tampered with,
 * or must change nothing that is applied.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256, stableJson } from '../core/canonical-json';
import { SqliteLedger } from '../ledger/sqlite';
import { digestsOf, readManifest, type Manifest } from '../stacks/manifest';
import { fakeEngines, type Engines } from './deploy/fixture';
import { REPO, tempProject } from './helpers';

const NODE_DIR = join(process.execPath, '..');

interface Project {
  root: string;
  engines: Engines;
  ndc: (args: string[], extra?: NodeJS.ProcessEnv) => { status: number | null; stdout: string; stderr: string };
  /** The manifest the reviewer approved. */
  approved: Manifest;
}

/** dev synthesized, a pinned trust store with one security-unit reviewer, and (unless told otherwise) their deploy approval. */
function project(approveArgs: string[] | false = []): Project {
  const root = tempProject('ndc-tamper-');
  const engines = fakeEngines(['tofu', 'pulumi']);
  const base: NodeJS.ProcessEnv = { PATH: `${engines.dir}:${NODE_DIR}`, HOME: root, FAKE_LOG: engines.log, NDC_ACTOR: 'ci:e2e', CI: 'true', NDC_ENGINE_ENV: 'FAKE_*', KUBECONFIG: join(engines.dir, '.kube', 'config') };
  let trusted: NodeJS.ProcessEnv = {};
  const ndc = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const run = spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...base, ...trusted, ...extra } });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  };
  expect(ndc(['synth', '--env', 'dev']).status).toBe(0);
  expect(ndc(['keys', 'generate', '--id', 'sec-officer', '--out', 'keys']).status).toBe(0);
  const agencies = 'Ministry of Science and Technology,Government Office';
  expect(ndc(['reviewers', 'add', '--env', 'dev', '--id', 'sec-officer', '--public-key', 'keys/sec-officer.pub', '--roles', 'security-unit', '--agencies', agencies]).status).toBe(0);
  // e-document-exchange is level 3: its owner approves too (the Decree 85 floor dev asks for).
  expect(ndc(['keys', 'generate', '--id', 'gov-owner', '--out', 'keys']).status).toBe(0);
  expect(ndc(['reviewers', 'add', '--env', 'dev', '--id', 'gov-owner', '--public-key', 'keys/gov-owner.pub', '--roles', 'system-owner', '--agencies', 'Government Office']).status).toBe(0);
  trusted = { NDC_TRUST_ROOT: (JSON.parse(ndc(['reviewers', 'list', '--env', 'dev', '--json']).stdout) as { rootHash: string }).rootHash };
  if (approveArgs !== false) {
    // gov-owner approves only the Government Office's systems: not needed when the approval names others.
    for (const reviewer of approveArgs.includes('--systems') ? ['sec-officer'] : ['sec-officer', 'gov-owner']) {
      const approved = ndc(['approve', '--env', 'dev', '--key', `keys/${reviewer}.key`, '--as', reviewer, ...approveArgs]);
      expect(approved.stderr).toBe('');
      expect(approved.status).toBe(0);
    }
  }
  return { root, engines, ndc, approved: readManifest(root, 'dev')! };
}

/** Writes a manifest as an author would: with the digests recomputed so it is consistent with itself. */
function writeConsistentManifest(root: string, manifest: Manifest): void {
  writeFileSync(join(root, 'out/dev/manifest.json'), stableJson({ ...manifest, ...digestsOf(manifest, manifest.artifacts) }));
}

const oneLine = (text: string) => text.trim().split('\n');

describe('case 1: the gate takes systems and levels from the environment, not from out/<env>/manifest.json', () => {
  it('refuses a manifest whose level was lowered, naming the field, and no approval can be signed for it', () => {
    const p = project(false);
    const tampered = { ...p.approved, systems: p.approved.systems.map((s) => (s.id === 'e-document-exchange' ? { ...s, level: 1 } : s)) };
    writeConsistentManifest(p.root, tampered);
    // The reviewer's approve re-renders the environment, so a lowered manifest cannot even be signed.
    const approve = p.ndc(['approve', '--env', 'dev', '--key', 'keys/sec-officer.key', '--as', 'sec-officer']);
    expect(approve.status).toBe(2);
    expect(approve.stderr).toMatch(/^ndc approve: out\/dev\/manifest.json: digest [0-9a-f]{12}\.\.\. is not what environments\/dev.ts renders now \([0-9a-f]{12}\.\.\.: the manifest body \(systems, levels, approvals\)\)/);
    const deploy = p.ndc(['deploy', '--env', 'dev']);
    expect(deploy.status).toBe(1);
    expect(oneLine(deploy.stderr)).toHaveLength(1);
    expect(deploy.stderr).toContain('out/dev/manifest.json: systems[e-document-exchange].level is 1, but environments/dev.ts says 3');
    expect(p.engines.calls()).toEqual([]);
  });

  it('refuses a manifest that leaves out a system, whether or not the author recomputed its digests', () => {
    // The reviewer approved only open-data-portal; e-document-exchange has no approval at all.
    const p = project(['--systems', 'open-data-portal']);
    const withoutSystem = { ...p.approved, systems: p.approved.systems.filter((s) => s.id !== 'e-document-exchange') };
    writeFileSync(join(p.root, 'out/dev/manifest.json'), stableJson(withoutSystem));
    const edited = p.ndc(['deploy', '--env', 'dev']);
    expect(edited.status).toBe(1);
    expect(oneLine(edited.stderr)).toHaveLength(1);
    expect(edited.stderr).toContain('manifest.json (its body: env, stage, profile, systems or approvals was edited after synthesis; digests.body does not match)');

    writeConsistentManifest(p.root, withoutSystem);
    const recomputed = p.ndc(['deploy', '--env', 'dev']);
    expect(recomputed.status).toBe(1);
    expect(oneLine(recomputed.stderr)).toHaveLength(1);
    expect(recomputed.stderr).toContain('out/dev/manifest.json: systems: e-document-exchange (level 3) is missing, but environments/dev.ts deploys it');
    expect(p.engines.calls()).toEqual([]);
  });
});

describe('case 2: files next to the approved artifacts', () => {
  it('are reported by check, refused by deploy by name, and never seen by an engine', () => {
    const p = project();
    const extra = 'terraform/cluster-north/ssh-open.tf.json';
    const rule = { resource: { openstack_networking_secgroup_rule_v2: { ssh: { direction: 'ingress', port_range_min: 22, port_range_max: 22, remote_ip_prefix: '0.0.0.0/0' } } } };
    writeFileSync(join(p.root, 'out/dev', extra), JSON.stringify(rule));

    const check = p.ndc(['check', '--env', 'dev']);
    expect(check.status).toBe(1);
    expect(check.stdout).toContain(`MANDATORY out/dev/${extra}: not listed in out/dev/manifest.json`);

    const deploy = p.ndc(['deploy', '--env', 'dev']);
    expect(deploy.status).toBe(1);
    expect(oneLine(deploy.stderr)).toHaveLength(1);
    expect(deploy.stderr).toContain(`out/dev/ holds files its manifest does not list (${extra})`);
    expect(p.engines.calls()).toEqual([]);
  });
});

describe('case 3: a synth during a deploy', () => {
  it('changes nothing the later waves apply, and the ledger records the digest applied', async () => {
    const p = project();
    // Run from the first engine call (wave 1): the author changes the environment, synthesizes, and drops a file.
    const hook = join(p.root, 'synth-during-deploy.js');
    writeFileSync(
      hook,
      [
        "const { spawnSync } = require('node:child_process');",
        "const fs = require('node:fs');",
        `const root = ${JSON.stringify(p.root)};`,
        "const file = root + '/environments/dev.ts';",
        "fs.writeFileSync(file, fs.readFileSync(file, 'utf8').split(\"'c4.small'\").join(\"'c4.xlarge'\"));",
        `const run = spawnSync(${JSON.stringify(process.execPath)}, [${JSON.stringify(join(REPO, 'bin/ndc.js'))}, 'synth', '--env', 'dev'], { cwd: root, encoding: 'utf8' });`,
        "if (run.status !== 0) throw new Error('synth failed: ' + run.stderr);",
        "fs.writeFileSync(root + '/out/dev/terraform/backup-vaults/ssh-open.tf.json', '{}');",
      ].join('\n'),
    );
    const deploy = p.ndc(['deploy', '--env', 'dev'], { FAKE_HOOK: hook });
    expect(deploy.stderr).toBe('');
    expect(deploy.status).toBe(0);
    // The synth did happen: out/dev/ now holds another digest.
    expect(existsSync(`${hook}.done`)).toBe(true);
    const after = readManifest(p.root, 'dev')!;
    expect(after.digest).not.toBe(p.approved.digest);

    const sha = (path: string) => p.approved.artifacts.find((a) => a.path === path)!.sha256;
    const calls = p.engines.calls();
    for (const stack of ['cluster-north', 'backup-vaults']) {
      const tofu = calls.filter((c) => c.tool === 'tofu' && c.cwd.endsWith(`/${stack}`));
      expect(tofu.map((c) => c.argv[0])).toEqual(['init', 'plan', 'apply']);
      for (const call of tofu) expect(call.files).toEqual({ 'cdk.tf.json': sha(`terraform/${stack}/cdk.tf.json`) });
    }
    const up = calls.find((c) => c.tool === 'pulumi' && c.argv[0] === 'up')!;
    expect(up.cwd).toBe(join(p.root, `.ndc/snapshots/${p.approved.digest}/pulumi`));
    expect(up.files).toEqual(Object.fromEntries(p.approved.artifacts.filter((a) => a.path.startsWith('pulumi/')).map((a) => [a.path.slice('pulumi/'.length), a.sha256])));
    expect(sha256(readFileSync(join(up.cwd, '../kubernetes/north.yaml')))).toBe(sha('kubernetes/north.yaml'));

    const ledger = new SqliteLedger(join(p.root, '.ndc/ledger.sqlite'));
    const steps = (await ledger.records()).filter((r) => r.kind === 'deploy-step');
    await ledger.close();
    expect(steps.length).toBeGreaterThan(0);
    expect(new Set(steps.map((r) => r.digest))).toEqual(new Set([p.approved.digest]));
  });
});

describe('case 4: destroy', () => {
  it('needs --yes off a terminal, destroy approvals from the same roles, and then tears down', () => {
    const p = project();
    const unconfirmed = p.ndc(['destroy', '--env', 'dev']);
    expect(unconfirmed.status).toBe(2);
    expect(unconfirmed.stderr).toMatch(/^ndc destroy: --yes: ndc destroy --env dev asks you to type dev on a terminal; stdin is not one \(CI\), so pass --yes to confirm\n$/);

    const onDeployApprovals = p.ndc(['destroy', '--env', 'dev', '--yes']);
    expect(onDeployApprovals.status).toBe(1);
    expect(oneLine(onDeployApprovals.stderr)).toHaveLength(1);
    expect(onDeployApprovals.stderr).toContain('the gate is closed for destroy of dev');
    expect(onDeployApprovals.stderr).toContain('does not count: approves deploy, not destroy (a destroy needs destroy approvals from the same roles)');
    expect(p.engines.calls()).toEqual([]);

    const approved = p.ndc(['approve', '--env', 'dev', '--key', 'keys/sec-officer.key', '--as', 'sec-officer', '--operation', 'destroy']);
    expect(approved.status).toBe(0);
    expect(approved.stdout).toContain('Approval to DESTROY dev by sec-officer');
    expect(p.ndc(['approve', '--env', 'dev', '--key', 'keys/gov-owner.key', '--as', 'gov-owner', '--operation', 'destroy']).status).toBe(0);
    const destroyed = p.ndc(['destroy', '--env', 'dev', '--yes']);
    expect(destroyed.stderr).toBe('');
    expect(destroyed.status).toBe(0);
    expect(p.engines.calls().some((c) => c.tool === 'tofu' && c.argv[0] === 'plan' && c.argv[1] === '-destroy')).toBe(true);
    // A destroy approval never deploys.
    const approvals = p.ndc(['approvals', '--env', 'dev', '--operation', 'destroy']);
    expect(approvals.status).toBe(0);
  });
});

describe('case 8: the Pulumi stack settings', () => {
  it('are applied from the approved snapshot, and changing kubernetes:context voids the approvals', () => {
    const p = project();
    const stackFile = join(p.root, 'stacks/kubernetes/Pulumi.dev-north.yaml');
    const approvedSettings = readFileSync(stackFile, 'utf8');
    expect(approvedSettings).toContain('kubernetes:context: ndc-dev-north');

    // Pulumi runs on the snapshot's copy of the approved project and stack files, never on stacks/kubernetes.
    expect(p.ndc(['deploy', '--env', 'dev']).status).toBe(0);
    const up = p.engines.calls().find((c) => c.tool === 'pulumi' && c.argv[0] === 'up')!;
    expect(up.cwd).toBe(join(p.root, `.ndc/snapshots/${p.approved.digest}/pulumi`));
    expect(readFileSync(join(up.cwd, 'Pulumi.dev-north.yaml'), 'utf8')).toBe(approvedSettings);

    // Pointed at another cluster: before a synth, deploy refuses because out/dev/ is no longer what the project renders.
    writeFileSync(stackFile, approvedSettings.replace('kubernetes:context: ndc-dev-north', 'kubernetes:context: someone-elses-cluster'));
    const before = p.engines.calls().length;
    const stale = p.ndc(['deploy', '--env', 'dev']);
    expect(stale.status).toBe(2);
    expect(oneLine(stale.stderr)).toHaveLength(1);
    expect(stale.stderr).toContain('pulumi/Pulumi.dev-north.yaml changed); run ndc synth --env dev');

    // Synthesized: the stack file is an artifact, so the digest changes and the approval no longer counts.
    expect(p.ndc(['synth', '--env', 'dev']).status).toBe(0);
    const changed = readManifest(p.root, 'dev')!;
    expect(changed.digest).not.toBe(p.approved.digest);
    expect(changed.artifacts.filter((a) => a.sha256 !== p.approved.artifacts.find((b) => b.path === a.path)?.sha256).map((a) => a.path)).toEqual(['pulumi/Pulumi.dev-north.yaml']);
    const refused = p.ndc(['deploy', '--env', 'dev']);
    expect(refused.status).toBe(1);
    expect(oneLine(refused.stderr)).toHaveLength(1);
    expect(refused.stderr).toContain(`approves digest ${p.approved.digest.slice(0, 12)}..., but the manifest digest is ${changed.digest.slice(0, 12)}...`);
    expect(p.engines.calls()).toHaveLength(before);
  });
});
