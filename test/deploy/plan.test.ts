import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { deployEnvironment } from '../../deploy/deploy';
import { planEnvironment } from '../../deploy/plan';
import { composeCommandLine } from '../../cli/composition';
import { captureIO, REPO } from '../helpers';
import { synthEnvironment } from '../../stacks/synth';
import { addArtifacts, engineEnvironment, fakeEngines, fakePorts, FakePolicy, synthesizedProject } from './fixture';

const PG = 'postgres://ndc:plan-secret-pw@db:5432/ndc';

describe('ndc plan', () => {
  it('shows policies, gate, waves with their commands, and summarises the engines own previews', async () => {
    const { root } = synthesizedProject('prod');
    const engines = fakeEngines();
    const ports = fakePorts();
    const { io, out } = captureIO(root);
    // Synthesis as the Kubernetes and edge renderers will do it: the terraform stacks plus their artifacts.
    const synthesize = (r: string, env: string) => {
      synthEnvironment(r, env);
      return addArtifacts(r, env, [
        { path: 'kubernetes/north.yaml', engine: 'kubernetes', stack: 'kubernetes-north', content: 'kind: Namespace\n' },
        { path: 'cloudformation/OpenDataEdge.template.json', engine: 'cloudformation', stack: 'public-edge', content: '{}\n' },
      ]);
    };
    expect(await planEnvironment({ env: 'prod', ports, io, synthesize, environment: engineEnvironment(engines, { PG_CONN_STR: PG }) })).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('Policies: 42 rules: 0 mandatory failures, 2 advisory');
    expect(text).toContain('Gate: open: ndc deploy would run');
    expect(text).toContain('  wave 2 regional clusters (3 stacks in parallel)');
    expect(text).toMatch(/\$ cd \.ndc\/terraform\/[0-9a-f]{64}\/national-core && .* tofu apply -input=false -no-color /);
    expect(text).toContain('      preview: Plan: 3 to add, 0 to change, 0 to destroy.');
    expect(text).toContain('      preview: 4 to create, 2 unchanged');
    expect(text).toContain('      preview: 2 resource changes');
    // Previews change nothing: tofu plan without a lock or saved plan, pulumi preview, cdk diff; no ledger.
    const calls = engines.calls();
    expect(new Set(calls.map((c) => `${c.tool} ${c.argv[0]}`))).toEqual(new Set(['tofu init', 'tofu plan', 'pulumi stack', 'pulumi preview', 'cdk diff']));
    expect(calls.find((c) => c.argv[0] === 'plan')!.argv).toEqual(['plan', '-input=false', '-no-color', '-lock=false', '-detailed-exitcode']);
    expect(ports.ledger.records).toEqual([]);
    expect(ports.ledger.lockCalls).toEqual([]);
  });

  it('exits 1 on mandatory policy failures and reports the closed gate; previews are skipped where no engine is installed', async () => {
    const { root } = synthesizedProject('dev');
    const ports = fakePorts({ policy: new FakePolicy({ mandatoryFailures: 2, summary: '42 rules: 2 mandatory failures' }) });
    ports.gate.decision = { open: false, reasons: ['policies: 2 mandatory failures'] };
    const { io, out } = captureIO(root, true);
    expect(await planEnvironment({ env: 'dev', ports, io, environment: { PATH: fakeEngines([]).dir } })).toBe(1);
    const report = JSON.parse(out[0]);
    expect(report.policy.mandatoryFailures).toBe(2);
    expect(report.gate).toEqual({ open: false, reasons: ['policies: 2 mandatory failures'] });
    expect(report.waves.map((w: { wave: number }) => w.wave)).toEqual([1, 2, 3, 4, 5]);
    expect(report.previews).toEqual([
      { id: 'terraform/national-core', status: 'skipped', summary: 'tofu is not installed' },
      { id: 'terraform/cluster-north', status: 'skipped', summary: 'tofu is not installed' },
      { id: 'terraform/backup-vaults', status: 'skipped', summary: 'tofu is not installed' },
      { id: 'kubernetes/north-prerequisites', status: 'skipped', summary: 'pulumi is not installed' },
      { id: 'kubernetes/north', status: 'skipped', summary: 'pulumi is not installed' },
    ]);
    expect(report.problems).toHaveLength(2);
    expect(report.problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^OpenTofu\/Terraform binary not found: looked for tofu or terraform on PATH/),
      expect.stringMatching(/^pulumi binary not found: looked for pulumi on PATH; needed by kubernetes\/north/),
    ]));
  });

  it('exits 1 when an engine preview fails', async () => {
    const { root } = synthesizedProject('dev');
    const engines = fakeEngines();
    const { io, out } = captureIO(root);
    expect(await planEnvironment({ env: 'dev', ports: fakePorts(), io, environment: engineEnvironment(engines, { FAKE_FAIL: 'cluster-north :: tofu plan' }) })).toBe(1);
    expect(out.join('\n')).toContain('preview: failed (exit 1): fake tofu: told to fail');
    // keep going: the other stacks were still previewed
    expect(engines.calls().filter((c) => c.argv[0] === 'plan')).toHaveLength(3);
  });
});

describe('progress display', () => {
  it('redraws a task list on a terminal, and prints plain lines when CI=true', async () => {
    const { root } = synthesizedProject('dev');
    const written: string[] = [];
    const terminal = { write: (t: string) => written.push(t), columns: () => 100 };
    const tty = captureIO(root);
    expect(await deployEnvironment({ env: 'dev', operation: 'deploy', ports: fakePorts(), io: tty.io, terminal, environment: engineEnvironment(fakeEngines()) })).toBe(0);
    const screen = written.join('');
    expect(screen).toContain('\x1b[2K');
    expect(screen).toMatch(new RegExp(`${String.fromCharCode(27)}\\[\\d+A`)); // cursor up: a redraw
    expect(screen).toContain('\u2714 terraform/backup-vaults');
    expect(tty.out.join('\n')).not.toContain('[terraform/');

    const ci: string[] = [];
    const plain = captureIO(root);
    expect(
      await deployEnvironment({ env: 'dev', operation: 'deploy', ports: fakePorts(), io: plain.io, terminal: { write: (t) => ci.push(t), columns: () => 100 }, environment: engineEnvironment(fakeEngines(), { CI: 'true' }) }),
    ).toBe(0);
    expect(ci).toEqual([]);
    expect(plain.out).toContain('wave 2 regional clusters: terraform/cluster-north');
    expect(plain.out).toContain('[terraform/cluster-north] tofu apply ok');
    expect(plain.out.join('\n')).not.toContain('\x1b[');
  });
});

describe('wiring (the real gate, ledger and policy engine)', () => {
  it('the gate stays closed without approvals and says why; the ledger lock and policy outcome are real', async () => {
    const { root, manifest } = synthesizedProject('dev');
    const ports = composeCommandLine({ root, out: () => undefined, err: () => undefined, json: false, now: () => new Date() }, {}).deployPorts();
    try {
      const decision = await ports.gate.evaluate('dev', manifest.digest, 'deploy');
      expect(decision.open).toBe(false);
      expect(decision.reasons).toEqual(expect.arrayContaining(['open-data-portal (level 2): missing security-unit approval (0 of 1 valid)']));
      expect(await ports.gate.evaluate('dev', 'f'.repeat(64), 'deploy')).toEqual({ open: false, reasons: [expect.stringMatching(/^out\/dev\/manifest.json: digest [0-9a-f]{12}\.\.\. is not the f{12}\.\.\. being deployed$/)] });
      expect(await ports.policy.evaluate('dev')).toEqual({ mandatoryFailures: 0, summary: expect.stringMatching(/^\d+ rules \(vn-2016 [^)]+\): 0 mandatory failures, \d+ advisory, 3 waived$/) });
      expect(await ports.ledger.acquireLock('dev', 'run-a', 60_000)).toEqual({ acquired: true, takenOver: false });
      expect(await ports.ledger.acquireLock('dev', 'run-b', 60_000)).toEqual({ acquired: false, heldBy: expect.stringMatching(/^run-a \(lease until /) });
      await ports.ledger.releaseLock('dev', 'run-a');
      expect(await ports.ledger.acquireLock('dev', 'run-b', 60_000)).toMatchObject({ acquired: true });
    } finally {
      await ports.close();
    }
  });

  it('ndc deploy refuses with the gate reasons; --dry-run lists the commands with the gate shown closed', () => {
    const { root } = synthesizedProject('dev');
    const run = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NDC_ROOT: root, CI: 'true', PATH: `${fakeEngines().dir}:${join(process.execPath, '..')}` } });
    const deploy = run('deploy', '--env', 'dev');
    expect(deploy.status).toBe(1);
    expect(deploy.stderr).toMatch(/^ndc deploy: refused: the gate is closed/);
    const dry = run('deploy', '--env', 'dev', '--dry-run');
    expect(dry.status).toBe(1);
    expect(dry.stdout).toMatch(/# gate: closed/);
    expect(dry.stdout).toContain('init -input=false -no-color');
    expect(run('deploy', '--env', 'dev', '--concurrency', 'many').stderr).toMatch(/^ndc deploy: --concurrency: "many": must be a whole number from 1 to 64/);
  });
});
