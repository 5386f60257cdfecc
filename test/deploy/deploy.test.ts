import { existsSync, readdirSync, readFileSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildCloud } from '../../constructs';
import { loadEnvironment } from '../../environments/load';
import { pulumiBackendUrl } from '../../stacks/kubernetes/deployment';
import { readVerifiedArtifact } from '../../stacks/kubernetes/program';
import { sha256 } from '../../core/canonical-json';
import { deployEnvironment, type DeployRequest } from '../../deploy/deploy';
import { deployedLevelsFromRecords, deployedOwnersFromRecords, deployedRequirementsFromRecords } from '../../deploy/ledger-view';
import { synthEnvironment } from '../../stacks/synth';
import { captureIO } from '../helpers';
import { addArtifacts, engineEnvironment, fakeEngines, FakeGate, fakePorts, MemoryLedger, synthesizedProject, type FakeCall } from './fixture';

// These tests run the real runner against fake tofu/pulumi/cdk executables (node scripts written into a
// temp dir and put alone on PATH) that record argv, cwd, timing and chosen variables. The real engines
// cannot be installed on the build machines.

const PREREQUISITES = ['kubernetes/central-prerequisites', 'kubernetes/north-prerequisites', 'kubernetes/south-prerequisites'];

const PG = 'postgres://ndc_deployer:pg-Secret-7f3a@state.db.gov.vn:5432/ndc_state';

function request(root: string, ports: ReturnType<typeof fakePorts>, environment: NodeJS.ProcessEnv, extra: Partial<DeployRequest> = {}) {
  const capture = captureIO(root);
  const req: DeployRequest = { env: 'prod', operation: 'deploy', ports, environment, ...extra, io: capture.io };
  return { req, ...capture };
}

/** "<stack dir or cwd> <tool> <subcommand>" per call, in start order. */
function summary(calls: FakeCall[]): string[] {
  return [...calls].sort((a, b) => a.start - b.start).map((c) => `${c.cwd.split('/').slice(-1)[0]} ${c.tool} ${c.argv[0] === 'stack' ? 'stack-select' : c.argv[0]}`);
}

function stackOf(call: FakeCall): string {
  if (call.tool === 'tofu' || call.tool === 'terraform') return `terraform/${call.cwd.split('/').slice(-1)[0]}`;
  if (call.tool === 'pulumi') return `kubernetes/${call.argv[call.argv.indexOf('--stack') + 1].replace(/^prod-/, '')}`;
  return `cloudformation/${call.argv[call.argv.length - 1]}`;
}

describe('ndc deploy with fake engines', () => {
  it('runs the six waves in order, each terraform stack as init, plan -out and apply of the saved plan', async () => {
    const { root, manifest } = synthesizedProject('prod');
    const engines = fakeEngines();
    const ports = fakePorts();
    const { req, out, err } = request(root, ports, engineEnvironment(engines, { PG_CONN_STR: PG, FAKE_RECORD_ENV: 'TF_IN_AUTOMATION,TF_DATA_DIR,NDC_KUBERNETES_ARTIFACT' }));
    expect(await deployEnvironment(req)).toBe(0);
    expect(err).toEqual([]);
    // The run records each scope's level: a later lowering is judged at it (the gate's deployedLevels).
    expect(deployedLevelsFromRecords(ports.ledger.records, 'prod')).toEqual(new Map(manifest.scopes.map((s) => [s.id, s.level])));
    expect(deployedRequirementsFromRecords(ports.ledger.records, 'prod')).toEqual(manifest.approvals.levels);
    expect(deployedOwnersFromRecords(ports.ledger.records, 'prod')).toEqual(new Map(manifest.systems.map((s) => [s.id, s.owner])));
    const calls = engines.calls();
    const wave = (stack: string) =>
      stack.endsWith('-prerequisites') ? 4 : ['terraform/national-core', 'terraform/cluster', 'terraform/backup-vaults', '-', 'kubernetes/', 'cloudformation/'].findIndex((p) => stack.startsWith(p)) + 1;
    const waves = [...calls].sort((a, b) => a.start - b.start).map((c) => wave(stackOf(c)));
    expect(waves).toEqual([...waves].sort());
    // No call of a later wave starts before every call of the earlier wave ended.
    for (const later of calls) for (const earlier of calls.filter((c) => wave(stackOf(c)) < wave(stackOf(later)))) expect(later.start).toBeGreaterThanOrEqual(earlier.end);
    const core = calls.filter((c) => stackOf(c) === 'terraform/national-core');
    expect(core.map((c) => c.argv)).toEqual([
      ['init', '-input=false', '-no-color'],
      ['plan', '-input=false', '-no-color', '-out=ndc.tfplan'],
      ['apply', '-input=false', '-no-color', 'ndc.tfplan'],
    ]);
    // Terraform runs in a writable work dir whose one configuration file links to the snapshot's artifact.
    const sha = (path: string) => manifest.artifacts.find((a) => a.path === path)!.sha256;
    expect(core[0].cwd).toBe(join(root, `.ndc/terraform/${manifest.digest}/national-core`));
    expect(core.map((c) => c.files)).toEqual(core.map(() => ({ 'cdk.tf.json': sha('terraform/national-core/cdk.tf.json') })));
    expect(realpathSync(join(core[0].cwd, 'cdk.tf.json'))).toBe(join(realpathSync(root), `.ndc/snapshots/${manifest.digest}/terraform/national-core/cdk.tf.json`));
    expect(core[0].env).toMatchObject({ TF_IN_AUTOMATION: '1', TF_DATA_DIR: '.terraform' });
    // Pulumi runs in the snapshot's copy of the project and stack files, on the snapshot's artifact.
    const up = calls.find((c) => c.tool === 'pulumi' && c.argv[0] === 'up' && c.argv.includes('prod-north'))!;
    expect(up.cwd).toBe(join(root, `.ndc/snapshots/${manifest.digest}/pulumi`));
    const settings = manifest.artifacts.filter((a) => a.path.startsWith('pulumi/'));
    expect(up.files).toEqual(Object.fromEntries(settings.map((a) => [a.path.slice('pulumi/'.length), a.sha256])));
    expect(Object.keys(up.files)).toEqual(expect.arrayContaining(['Pulumi.yaml', 'Pulumi.prod-north.yaml', 'provider-versions.json']));
    expect(up.argv).toEqual(['up', '--yes', '--non-interactive', '--skip-preview', '--stack', 'prod-north']);
    // The program reads the artifact from this variable (no --config: it would rewrite the stack file),
    // resolved from its own folder: the snapshot's copy, which it checks against the snapshot's manifest.
    expect(up.env.NDC_KUBERNETES_ARTIFACT).toBe(`../../.ndc/snapshots/${manifest.digest}/kubernetes/north.yaml`);
    expect(readVerifiedArtifact(join(root, 'stacks/kubernetes', up.env.NDC_KUBERNETES_ARTIFACT!)).path).toBe('kubernetes/north.yaml');
    expect(calls.filter((c) => c.tool === 'pulumi' && c.argv.some((a) => a === '--config' || a.startsWith('--config='))).map((c) => c.argv)).toEqual([]);
    // The edge: the snapshot's cloud assembly, origin before global (the distribution logs into the origin's bucket).
    const cdk = calls.filter((c) => c.tool === 'cdk').sort((a, b) => a.start - b.start);
    const cdkArgs = (stack: string) => ['deploy', '--app', '.', '--no-color', '--ci', '--require-approval', 'never', '--exclusively', stack];
    expect(cdk.map((c) => c.argv)).toEqual([cdkArgs('public-edge-origin'), cdkArgs('public-edge-global')]);
    expect(cdk[0].cwd).toBe(join(root, `.ndc/snapshots/${manifest.digest}/cloudformation`));
    expect(cdk[1].start).toBeGreaterThanOrEqual(cdk[0].end);
    // Ledger: the gate decision, the run, every step started and succeeded, the lock given back.
    expect(ports.ledger.records[0]).toMatchObject({ kind: 'gate', env: 'prod', actor: 'test-runner', digest: manifest.digest, result: 'open' });
    expect(ports.ledger.steps('succeeded').sort()).toEqual(ports.ledger.steps('started').sort());
    expect(ports.ledger.steps('succeeded')).toHaveLength(13);
    expect(ports.ledger.records.at(-1)).toMatchObject({ kind: 'deploy-step', result: 'succeeded', details: { scope: 'run' } });
    expect(ports.ledger.locks.size).toBe(0);
    expect(ports.gate.calls).toEqual([{ env: 'prod', digest: manifest.digest, operation: 'deploy' }]);
    expect(out.at(-1)).toBe('Deployed prod: 13 stacks');
  });

  it('runs the stacks of a wave side by side, bounded by the concurrency', async () => {
    const { root } = synthesizedProject('prod');
    const overlaps = async (concurrency: number) => {
      const engines = fakeEngines();
      const { req } = request(root, fakePorts(), engineEnvironment(engines, { PG_CONN_STR: PG, FAKE_SLEEP_MS: '150' }), { concurrency });
      expect(await deployEnvironment(req)).toBe(0);
      const clusters = engines.calls().filter((c) => stackOf(c).startsWith('terraform/cluster-'));
      const spans = ['north', 'central', 'south'].map((r) => {
        const mine = clusters.filter((c) => c.cwd.endsWith(`cluster-${r}`));
        return [Math.min(...mine.map((c) => c.start)), Math.max(...mine.map((c) => c.end))];
      });
      let pairs = 0;
      for (let i = 0; i < spans.length; i++) for (let j = i + 1; j < spans.length; j++) if (spans[i][0] < spans[j][1] && spans[j][0] < spans[i][1]) pairs++;
      return pairs;
    };
    expect(await overlaps(3)).toBe(3);
    expect(await overlaps(1)).toBe(0);
  });

  it('stops at the first failing stack: the rest of its wave finishes, no later wave starts', async () => {
    const { root } = synthesizedProject('prod');
    const engines = fakeEngines();
    const ports = fakePorts();
    const { req, err } = request(root, ports, engineEnvironment(engines, { PG_CONN_STR: PG, FAKE_FAIL: 'cluster-central :: tofu apply', FAKE_SLEEP_MS: '50' }));
    expect(await deployEnvironment(req)).toBe(1);
    const stacks = new Set(engines.calls().map(stackOf));
    expect([...stacks].sort()).toEqual(['terraform/cluster-central', 'terraform/cluster-north', 'terraform/cluster-south', 'terraform/national-core']);
    expect(ports.ledger.steps('succeeded').sort()).toEqual(['terraform/cluster-north', 'terraform/cluster-south', 'terraform/national-core']);
    expect(ports.ledger.steps('failed')).toEqual(['terraform/cluster-central']);
    expect(ports.ledger.records.at(-1)).toMatchObject({ result: 'failed', details: { scope: 'run', failed: 'terraform/cluster-central' } });
    expect(err[0]).toMatch(/^ndc deploy: terraform\/cluster-central failed \(exit 1 from cd \.ndc\/terraform\/[0-9a-f]{64}\/cluster-central && .* tofu apply /);
    expect(err.join('\n')).toContain('fake tofu: told to fail');
    expect(err.at(-1)).toMatch(/run ndc deploy --env prod --resume/);
    expect(ports.ledger.locks.size).toBe(0);
  });

  it('--resume continues from the failed stack for the same digest, and refuses otherwise', async () => {
    const { root } = synthesizedProject('prod');
    const ledger = new MemoryLedger();
    const failing = fakeEngines();
    const first = request(root, fakePorts({ ledger }), engineEnvironment(failing, { PG_CONN_STR: PG, FAKE_FAIL: 'backup-vaults :: tofu plan' }));
    expect(await deployEnvironment(first.req)).toBe(1);

    const engines = fakeEngines();
    const resumed = request(root, fakePorts({ ledger }), engineEnvironment(engines, { PG_CONN_STR: PG }), { resume: true });
    expect(await deployEnvironment(resumed.req)).toBe(0);
    const stacks = [...new Set(engines.calls().sort((a, b) => a.start - b.start).map(stackOf))];
    // Waves 4 and 5 run their three clusters side by side, so only the waves' order is fixed.
    expect([stacks[0], ...stacks.slice(1, 4).sort(), ...stacks.slice(4, 7).sort(), ...stacks.slice(7)]).toEqual(['terraform/backup-vaults', ...PREREQUISITES, 'kubernetes/central', 'kubernetes/north', 'kubernetes/south', 'cloudformation/public-edge-origin', 'cloudformation/public-edge-global']);
    expect(resumed.out.join('\n')).toContain('resuming at terraform/backup-vaults');
    expect(resumed.out.at(-1)).toBe('Deployed prod: 9 stacks (4 already done before the resume)');

    const again = request(root, fakePorts({ ledger }), engineEnvironment(fakeEngines(), { PG_CONN_STR: PG }), { resume: true });
    expect(await deployEnvironment(again.req)).toBe(1);
    expect(again.err).toEqual(['ndc deploy: refused: nothing to resume: the last deploy of prod completed every stack']);

    // A failed run, then the content changes: resuming would mix two digests.
    const third = request(root, fakePorts({ ledger }), engineEnvironment(fakeEngines(), { PG_CONN_STR: PG, FAKE_FAIL: 'national-core :: tofu init' }));
    expect(await deployEnvironment(third.req)).toBe(1);
    addArtifacts(root, 'prod', [{ path: 'cloudformation/Extra.template.json', engine: 'cloudformation', stack: 'public-edge', content: '{}\n' }]);
    const changed = fakeEngines();
    const refused = request(root, fakePorts({ ledger }), engineEnvironment(changed, { PG_CONN_STR: PG }), { resume: true });
    expect(await deployEnvironment(refused.req)).toBe(1);
    expect(refused.err).toHaveLength(1);
    expect(refused.err[0]).toMatch(/^ndc deploy: refused: cannot resume: the last deploy of prod was of digest [0-9a-f]{12}, out\/prod\/ is now [0-9a-f]{12}; .*run a full ndc deploy --env prod/);
    expect(changed.calls()).toEqual([]);
  });

  it('an interrupt lets the running stacks finish, starts no new one, releases the lock, and can be resumed', async () => {
    const { root } = synthesizedProject('prod');
    const engines = fakeEngines();
    const ports = fakePorts();
    const controller = new AbortController();
    const { req, err } = request(root, ports, engineEnvironment(engines, { PG_CONN_STR: PG, FAKE_SLEEP_MS: '200' }), { signal: controller.signal });
    const running = deployEnvironment(req);
    // Interrupt during wave 2: as soon as a cluster stack has started (the fakes log each call as it starts).
    const poll = setInterval(() => {
      if (engines.calls().some((c) => stackOf(c).startsWith('terraform/cluster-'))) {
        clearInterval(poll);
        controller.abort();
      }
    }, 10);
    try {
      expect(await running).toBe(1);
    } finally {
      clearInterval(poll);
    }
    const stacks = [...new Set(engines.calls().map(stackOf))].sort();
    expect(stacks).toEqual(['terraform/cluster-central', 'terraform/cluster-north', 'terraform/cluster-south', 'terraform/national-core']);
    // the clusters that were running completed all three commands
    expect(engines.calls().filter((c) => c.cwd.endsWith('cluster-north')).map((c) => c.argv[0])).toEqual(['init', 'plan', 'apply']);
    expect(err[0]).toBe('ndc deploy: interrupted: stacks already running were let finish, no new stack was started');
    expect(ports.ledger.records.at(-1)).toMatchObject({ result: 'failed', details: { scope: 'run', failed: 'interrupted' } });
    expect(ports.ledger.locks.size).toBe(0);
    const resumed = fakeEngines();
    const again = request(root, fakePorts({ ledger: ports.ledger }), engineEnvironment(resumed, { PG_CONN_STR: PG }), { resume: true });
    expect(await deployEnvironment(again.req)).toBe(0);
    const resumedStacks = [...new Set(resumed.calls().map(stackOf))];
    expect([resumedStacks[0], ...resumedStacks.slice(1, 4).sort(), ...resumedStacks.slice(4, 7).sort(), ...resumedStacks.slice(7)]).toEqual(['terraform/backup-vaults', ...PREREQUISITES, 'kubernetes/central', 'kubernetes/north', 'kubernetes/south', 'cloudformation/public-edge-origin', 'cloudformation/public-edge-global']);
  });

  it('refuses while another run holds the deploy lock, running nothing', async () => {
    const { root } = synthesizedProject('dev');
    const engines = fakeEngines();
    const ledger = new MemoryLedger();
    ledger.locks.set('dev', 'ci:github:alice run 20261127T0300Z-abc123');
    const { req, err } = request(root, fakePorts({ ledger }), engineEnvironment(engines), { env: 'dev' });
    expect(await deployEnvironment(req)).toBe(1);
    expect(err).toEqual(['ndc deploy: refused: the deploy lock of dev is held by ci:github:alice run 20261127T0300Z-abc123; wait for it to finish or for its lease to run out, or break it with ndc unlock --env dev --reason "..."']);
    expect(engines.calls()).toEqual([]);
    expect(ledger.steps()).toEqual([]);
    expect(ledger.locks.get('dev')).toBe('ci:github:alice run 20261127T0300Z-abc123');
  });

  it('refuses when the gate is closed, records the decision, and takes no lock', async () => {
    const { root, manifest } = synthesizedProject('dev');
    const engines = fakeEngines();
    const ports = fakePorts({ gate: new FakeGate({ open: false, reasons: ['e-document-exchange: needs 2 approvals (system owner, security unit), has 0'] }) });
    const { req, err } = request(root, ports, engineEnvironment(engines), { env: 'dev' });
    expect(await deployEnvironment(req)).toBe(1);
    expect(err).toEqual([`ndc deploy: refused: the gate is closed for deploy of dev digest ${manifest.digest.slice(0, 12)}: e-document-exchange: needs 2 approvals (system owner, security unit), has 0`]);
    expect(engines.calls()).toEqual([]);
    expect(ports.ledger.records).toEqual([
      { kind: 'gate', env: 'dev', actor: 'test-runner', digest: manifest.digest, result: 'closed', details: { operation: 'deploy', reasons: ['e-document-exchange: needs 2 approvals (system owner, security unit), has 0'] } },
    ]);
    expect(ports.ledger.lockCalls).toEqual([]);
  });

  it('names a missing engine binary and how to install it before anything runs', async () => {
    const { root } = synthesizedProject('prod');
    const engines = fakeEngines(['tofu', 'cdk']);
    const ports = fakePorts();
    const { req, err } = request(root, ports, engineEnvironment(engines, { PG_CONN_STR: PG }));
    expect(await deployEnvironment(req)).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^ndc deploy: pulumi binary not found: looked for pulumi on PATH; needed by kubernetes\/central-prerequisites, kubernetes\/north-prerequisites, kubernetes\/south-prerequisites, kubernetes\/central, kubernetes\/north, kubernetes\/south; install the Pulumi CLI/);
    expect(engines.calls()).toEqual([]);
    expect(ports.gate.calls).toEqual([]);
    expect(ports.ledger.records).toEqual([]);

    // NDC_TF_BIN names the binary; when it is not there, that is what the message says.
    const none = fakeEngines(['pulumi', 'cdk']);
    const second = request(root, fakePorts(), engineEnvironment(none, { PG_CONN_STR: PG, NDC_TF_BIN: '/opt/tofu/bin/tofu' }));
    expect(await deployEnvironment(second.req)).toBe(1);
    expect(second.err[0]).toMatch(/^ndc deploy: OpenTofu\/Terraform binary not found: looked for NDC_TF_BIN=\/opt\/tofu\/bin\/tofu \(not an executable file\).*install OpenTofu/);
  });

  it('falls back from tofu to terraform, and uses NDC_TF_BIN when set', async () => {
    const { root } = synthesizedProject('dev');
    // dev's Kubernetes wave needs pulumi as well; only the Terraform binary choice is under test.
    const terraformOnly = fakeEngines(['terraform', 'pulumi']);
    const first = request(root, fakePorts(), engineEnvironment(terraformOnly), { env: 'dev' });
    expect(await deployEnvironment(first.req)).toBe(0);
    expect(new Set(terraformOnly.calls().map((c) => c.tool))).toEqual(new Set(['terraform', 'pulumi']));
    const both = fakeEngines(['tofu', 'terraform', 'pulumi']);
    const second = request(root, fakePorts(), engineEnvironment(both, { NDC_TF_BIN: join(both.dir, 'terraform') }), { env: 'dev' });
    expect(await deployEnvironment(second.req)).toBe(0);
    expect(new Set(both.calls().map((c) => c.tool))).toEqual(new Set(['terraform', 'pulumi']));
  });

  it('gives dev a file:// Pulumi backend unless the user configured one', async () => {
    const { root, manifest } = synthesizedProject('dev');
    const backends = async (extra: NodeJS.ProcessEnv) => {
      const engines = fakeEngines();
      const environment = engineEnvironment(engines, { FAKE_RECORD_ENV: 'PULUMI_BACKEND_URL', ...extra });
      if (!extra.PULUMI_BACKEND_URL) delete environment.PULUMI_BACKEND_URL;
      const { req } = request(root, fakePorts(), environment, { env: 'dev' });
      expect(await deployEnvironment(req)).toBe(0);
      return [...new Set(engines.calls().filter((c) => c.tool === 'pulumi').map((c) => c.env.PULUMI_BACKEND_URL))];
    };
    // The path the stack files and stacks/kubernetes/deployment.ts document: .ndc/state/<env>/pulumi, from the snapshot's pulumi/.
    expect(await backends({})).toEqual(['file://../../../../.ndc/state/dev/pulumi']);
    expect(resolve(root, `.ndc/snapshots/${manifest.digest}/pulumi`, '../../../../.ndc/state/dev/pulumi')).toBe(pulumiBackendUrl(root, buildCloud(loadEnvironment(root, 'dev').env), loadEnvironment(root, 'dev').env).slice('file://'.length));
    expect(await backends({ PULUMI_BACKEND_URL: 's3://ndc-pulumi?endpoint=minio.gov.vn' })).toEqual(['s3://ndc-pulumi?endpoint=minio.gov.vn']);
    const dry = request(root, fakePorts(), engineEnvironment(fakeEngines()), { env: 'dev', dryRun: true });
    expect(await deployEnvironment(dry.req)).toBe(0);
    expect(dry.out).toContain(
      `cd .ndc/snapshots/${manifest.digest}/pulumi && PULUMI_SKIP_UPDATE_CHECK=true NDC_KUBERNETES_ARTIFACT=../../.ndc/snapshots/${manifest.digest}/kubernetes/north.yaml PULUMI_BACKEND_URL="\${PULUMI_BACKEND_URL:-file://../../../../.ndc/state/dev/pulumi}" pulumi up --yes --non-interactive --skip-preview --stack dev-north`,
    );
  });

  it('needs the state connection variable of a pg environment before anything runs', async () => {
    const { root } = synthesizedProject('prod');
    const engines = fakeEngines();
    const { req, err } = request(root, fakePorts(), engineEnvironment(engines));
    expect(await deployEnvironment(req)).toBe(1);
    expect(err).toEqual([expect.stringMatching(/^ndc deploy: PG_CONN_STR is not set: the pg state backend of prod reads its PostgreSQL connection string from it/)]);
    expect(engines.calls()).toEqual([]);
  });

  it('--dry-run prints exactly the commands in order and runs, locks and records nothing', async () => {
    const { root, manifest } = synthesizedProject('dev');
    const engines = fakeEngines();
    const ports = fakePorts();
    const { req, out, err } = request(root, ports, engineEnvironment(engines), { env: 'dev', dryRun: true });
    expect(await deployEnvironment(req)).toBe(0);
    expect(err).toEqual([]);
    const tf = (stack: string, rest: string) => `cd .ndc/terraform/${manifest.digest}/${stack} && TF_IN_AUTOMATION=1 TF_INPUT=0 TF_DATA_DIR=.terraform tofu ${rest}`;
    const plan = () => 'ndc.tfplan';
    const stack = (name: string, wave: string) => [
      wave,
      `# terraform/${name} (out/dev/terraform/${name}/cdk.tf.json)`,
      tf(name, 'init -input=false -no-color'),
      tf(name, `plan -input=false -no-color -out=${plan()}`),
      tf(name, `apply -input=false -no-color ${plan()}`),
    ];
    expect(out).toEqual([
      `# ndc deploy --env dev --dry-run: digest ${manifest.digest}`,
      `# engines run on the snapshot .ndc/snapshots/${manifest.digest} (a read-only copy of the manifest's files, made once the gate opens)`,
      '# gate: open',
      ...stack('national-core', '# wave 1 national core'),
      ...stack('cluster-north', '# wave 2 regional clusters'),
      ...stack('backup-vaults', '# wave 3 backup vaults'),
      '# wave 4 kubernetes prerequisites',
      '# kubernetes/north-prerequisites (out/dev/kubernetes/prerequisites/north.yaml)',
      ...['stack select --create --non-interactive --stack dev-north-prerequisites', 'up --yes --non-interactive --skip-preview --stack dev-north-prerequisites'].map(
        // The vault keys are routed by name (the allow-list drops NDC_*), shown as references, never values.
        (rest) =>
          `cd .ndc/snapshots/${manifest.digest}/pulumi && PULUMI_SKIP_UPDATE_CHECK=true NDC_KUBERNETES_ARTIFACT=../../.ndc/snapshots/${manifest.digest}/kubernetes/prerequisites/north.yaml PULUMI_BACKEND_URL="\${PULUMI_BACKEND_URL:-file://../../../../.ndc/state/dev/pulumi}" NDC_BACKUP_NORTH_ACCESS_KEY_ID="$NDC_BACKUP_NORTH_ACCESS_KEY_ID" NDC_BACKUP_NORTH_SECRET_ACCESS_KEY="$NDC_BACKUP_NORTH_SECRET_ACCESS_KEY" pulumi ${rest}`,
      ),
      '# wave 5 kubernetes',
      '# kubernetes/north (out/dev/kubernetes/north.yaml)',
      ...['stack select --create --non-interactive --stack dev-north', 'up --yes --non-interactive --skip-preview --stack dev-north'].map(
        (rest) => `cd .ndc/snapshots/${manifest.digest}/pulumi && PULUMI_SKIP_UPDATE_CHECK=true NDC_KUBERNETES_ARTIFACT=../../.ndc/snapshots/${manifest.digest}/kubernetes/north.yaml PULUMI_BACKEND_URL="\${PULUMI_BACKEND_URL:-file://../../../../.ndc/state/dev/pulumi}" pulumi ${rest}`,
      ),
    ]);
    expect(engines.calls()).toEqual([]);
    expect(ports.ledger.records).toEqual([]);
    expect(ports.ledger.lockCalls).toEqual([]);
  });

  it('destroy runs the waves in reverse behind the same gate', async () => {
    const { root, manifest } = synthesizedProject('prod');
    const engines = fakeEngines();
    const ports = fakePorts();
    const { req } = request(root, ports, engineEnvironment(engines, { PG_CONN_STR: PG }), { operation: 'destroy' });
    expect(await deployEnvironment(req)).toBe(0);
    const order = summary(engines.calls()).filter((s) => !s.endsWith('stack-select'));
    expect(order[0]).toMatch(/ cdk destroy$/);
    expect(order.at(-1)).toBe('national-core tofu apply');
    const firstTofu = order.findIndex((s) => s.includes(' tofu '));
    expect(order.slice(0, firstTofu).every((s) => / (cdk|pulumi) /.test(s))).toBe(true);
    expect(engines.calls().find((c) => c.tool === 'tofu' && c.argv[0] === 'plan')!.argv.slice(0, 2)).toEqual(['plan', '-destroy']);
    expect(ports.gate.calls).toEqual([{ env: 'prod', digest: manifest.digest, operation: 'destroy' }]);
    expect(ports.ledger.records.filter((r) => r.kind === 'destroy-step' && r.details?.scope === 'step' && r.result === 'succeeded')).toHaveLength(13);

    const closed = fakeEngines();
    const shut = request(root, fakePorts({ gate: new FakeGate({ open: false, reasons: ['no approvals for this digest'] }) }), engineEnvironment(closed, { PG_CONN_STR: PG }), { operation: 'destroy' });
    expect(await deployEnvironment(shut.req)).toBe(1);
    expect(shut.err[0]).toMatch(/^ndc destroy: refused: the gate is closed for destroy of prod/);
    expect(closed.calls()).toEqual([]);
  });

  it('refuses artifacts edited after synthesis', async () => {
    const { root } = synthesizedProject('dev');
    writeFileSync(join(root, 'out/dev/terraform/cluster-north/cdk.tf.json'), '{}');
    const engines = fakeEngines();
    const { req, err } = request(root, fakePorts(), engineEnvironment(engines), { env: 'dev' });
    expect(await deployEnvironment(req)).toBe(1);
    expect(err[0]).toMatch(/^ndc deploy: refused: out\/dev\/ does not match its manifest \(terraform\/cluster-north\/cdk.tf.json\)/);
    expect(engines.calls()).toEqual([]);
  });
});

describe('credentials', () => {
  it('reach the engines through their environment and appear in no output, ledger record or file', async () => {
    const secrets = {
      NDC_PGDEV_CONN: 'postgres://ndc:Pg-Planted-Secret-91@db.internal:5432/ndc_state',
      OS_PASSWORD: 'Os-Planted-Secret-42',
      MINIO_PASSWORD: 'Minio-Planted-Secret-17',
      NDC_STATE_SECRET_ACCESS_KEY: 'State-Planted-Secret-5b7e',
      AWS_SECRET_ACCESS_KEY: 'Aws-Planted-Secret-8c1d2e',
    };
    const { root } = synthesizedProject('dev');
    // A copy of dev with pg state whose connection lives in NDC_PGDEV_CONN (state.connStrEnv).
    const dev = readFileSync(join(root, 'environments', 'dev.ts'), 'utf8');
    const pgdev = dev.replace("name: 'dev'", "name: 'pgdev'").replace("state: { backend: 'local' }", "state: { backend: 'pg', schemaName: 'ndc_pgdev', connStrEnv: 'NDC_PGDEV_CONN' }");
    expect(pgdev).toContain("connStrEnv: 'NDC_PGDEV_CONN'");
    writeFileSync(join(root, 'environments', 'pgdev.ts'), pgdev);
    // A new environment needs its Pulumi stack file, as scripts/pulumi-stacks.ts would write it.
    for (const stack of ['north', 'north-prerequisites']) {
      writeFileSync(join(root, `stacks/kubernetes/Pulumi.pgdev-${stack}.yaml`), readFileSync(join(root, `stacks/kubernetes/Pulumi.dev-${stack}.yaml`), 'utf8').replace(/dev/g, 'pgdev'));
    }
    synthEnvironment(root, 'pgdev');
    const engines = fakeEngines();
    const ports = fakePorts();
    const environment = engineEnvironment(engines, {
      ...secrets,
      FAKE_HASH_ENV: 'PG_CONN_STR,OS_PASSWORD,MINIO_PASSWORD,AWS_SECRET_ACCESS_KEY',
      FAKE_ECHO_ENV: 'PG_CONN_STR,OS_PASSWORD,MINIO_PASSWORD,AWS_SECRET_ACCESS_KEY',
      FAKE_FAIL: 'backup-vaults :: tofu apply',
    });
    const text = request(root, ports, environment, { env: 'pgdev' });
    expect(await deployEnvironment(text.req)).toBe(1);
    const jsonCapture = captureIO(root, true);
    expect(await deployEnvironment({ ...text.req, resume: true, io: jsonCapture.io })).toBe(1);
    expect(JSON.parse(jsonCapture.out[0])).toMatchObject({ env: 'pgdev', ok: false, failed: 'terraform/backup-vaults' });
    const dry = captureIO(root);
    expect(await deployEnvironment({ ...text.req, io: dry.io, dryRun: true })).toBe(0);

    // The children received the credentials (PG_CONN_STR renamed from the configured variable).
    const calls = engines.calls();
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) {
      expect(call.hashed.PG_CONN_STR).toBe(sha256(secrets.NDC_PGDEV_CONN));
      expect(call.hashed.OS_PASSWORD).toBe(sha256(secrets.OS_PASSWORD));
      // The object-store key pair goes to Pulumi only (its state), under the name Pulumi reads.
      expect(call.hashed.AWS_SECRET_ACCESS_KEY).toBe(call.tool === 'pulumi' ? sha256(secrets.NDC_STATE_SECRET_ACCESS_KEY) : null);
    }
    const files: string[] = [];
    const walk = (dir: string) => {
      if (!existsSync(dir)) return;
      for (const name of readdirSync(dir)) {
        const file = join(dir, name);
        if (statSync(file).isDirectory()) walk(file);
        else files.push(readFileSync(file, 'utf8'));
      }
    };
    walk(join(root, 'out'));
    walk(join(root, '.ndc'));
    const everything = [text.out, text.err, jsonCapture.out, jsonCapture.err, dry.out, dry.err].flat().join('\n') + JSON.stringify(ports.ledger.records) + files.join('\n');
    expect(text.err.join('\n')).toContain('error: could not connect with ***');
    for (const value of [...Object.values(secrets), 'Pg-Planted-Secret-91']) expect(everything).not.toContain(value);
  });

  it('give the state store key pair to Pulumi only and the AWS key pair to the CDK CLI only', async () => {
    const { root } = synthesizedProject('prod');
    const engines = fakeEngines();
    const pairs = {
      NDC_STATE_ACCESS_KEY_ID: 'state-store-key-id',
      NDC_STATE_SECRET_ACCESS_KEY: 'state-store-secret-1',
      NDC_EDGE_AWS_ACCESS_KEY_ID: 'AKIAEDGEKEYID0001',
      NDC_EDGE_AWS_SECRET_ACCESS_KEY: 'edge-aws-secret-1',
      AWS_ACCESS_KEY_ID: 'AKIASTRAYKEY00001',
      AWS_SECRET_ACCESS_KEY: 'stray-aws-secret-1',
    };
    const recorded = [...Object.keys(pairs), 'AWS_SESSION_TOKEN'].join(',');
    const { req } = request(root, fakePorts(), engineEnvironment(engines, { PG_CONN_STR: PG, ...pairs, FAKE_HASH_ENV: recorded }));
    expect(await deployEnvironment(req)).toBe(0);
    const seen = (tool: string) => [...new Set(engines.calls().filter((c) => c.tool === tool).map((c) => JSON.stringify(c.hashed)))].map((h) => JSON.parse(h) as Record<string, string | null>);
    const only = (id: string | null, secret: string | null) => ({
      NDC_STATE_ACCESS_KEY_ID: null,
      NDC_STATE_SECRET_ACCESS_KEY: null,
      NDC_EDGE_AWS_ACCESS_KEY_ID: null,
      NDC_EDGE_AWS_SECRET_ACCESS_KEY: null,
      AWS_ACCESS_KEY_ID: id && sha256(id),
      AWS_SECRET_ACCESS_KEY: secret && sha256(secret),
      AWS_SESSION_TOKEN: null,
    });
    expect(seen('pulumi')).toEqual([only(pairs.NDC_STATE_ACCESS_KEY_ID, pairs.NDC_STATE_SECRET_ACCESS_KEY)]);
    expect(seen('cdk')).toEqual([only(pairs.NDC_EDGE_AWS_ACCESS_KEY_ID, pairs.NDC_EDGE_AWS_SECRET_ACCESS_KEY)]);
    expect(seen('tofu')).toEqual([only(null, null)]);
  });

  it('give each backup vault key to the prerequisites runs only, which fill Velero\'s secrets from them', async () => {
    const { root } = synthesizedProject('prod');
    const engines = fakeEngines();
    const { req } = request(root, fakePorts(), engineEnvironment(engines, { PG_CONN_STR: PG, FAKE_HASH_ENV: 'NDC_BACKUP_CENTRAL_SECRET_ACCESS_KEY' }));
    expect(await deployEnvironment(req)).toBe(0);
    const calls = engines.calls();
    const receives = (c: FakeCall) => c.hashed.NDC_BACKUP_CENTRAL_SECRET_ACCESS_KEY !== null;
    expect(calls.filter(receives).length).toBeGreaterThan(0);
    expect([...new Set(calls.filter(receives).map(stackOf))].every((s) => s.endsWith('-prerequisites'))).toBe(true);
    expect(calls.filter((c) => !receives(c)).some((c) => c.tool === 'tofu')).toBe(true);
  });
});

describe('the engines environment', () => {
  it('is an allow-list per engine: no engine sees NDC_LEDGER_URL, each sees only its own credentials', async () => {
    const { root } = synthesizedProject('dev');
    const engines = fakeEngines();
    const names = ['NDC_LEDGER_URL', 'OS_PASSWORD', 'PULUMI_ACCESS_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'GITHUB_TOKEN', 'TF_LOG', 'LANG'];
    const environment = engineEnvironment(engines, {
      NDC_LEDGER_URL: 'postgres://ndc:Ledger-Secret-55@ledger.internal/ndc',
      OS_PASSWORD: 'Os-Secret-12',
      PULUMI_ACCESS_TOKEN: 'Pulumi-Secret-98',
      AWS_SECRET_ACCESS_KEY: 'Aws-Secret-77',
      GITHUB_TOKEN: 'Github-Secret-66',
      TF_LOG: 'WARN',
      LANG: 'C.UTF-8',
      // Naming an NDC_ variable does not let it through.
      NDC_ENGINE_ENV: 'FAKE_*,NDC_LEDGER_URL',
      FAKE_RECORD_ENV: names.join(','),
    });
    const { req } = request(root, fakePorts(), environment, { env: 'dev' });
    expect(await deployEnvironment(req)).toBe(0);
    const calls = engines.calls();
    const seen = (tool: string) => {
      const visible = new Set<string>();
      for (const call of calls.filter((c) => c.tool === tool)) for (const name of names) if (call.env[name] !== null) visible.add(name);
      return [...visible].sort();
    };
    // Plain AWS_* keys reach no engine: the state store's and the edge's keys are routed from NDC_STATE_* / NDC_EDGE_AWS_*.
    expect(seen('tofu')).toEqual(['LANG', 'OS_PASSWORD', 'TF_LOG']);
    expect(seen('pulumi')).toEqual(['LANG', 'PULUMI_ACCESS_TOKEN']);
    const bad = request(root, fakePorts(), { ...environment, NDC_ENGINE_ENV: 'FAKE_*,bad-name' }, { env: 'dev' });
    await expect(deployEnvironment(bad.req)).rejects.toThrow(/^NDC_ENGINE_ENV: "bad-name": expected variable names or PREFIX_\* patterns/);
  });
});

describe('the deploy lock lease', () => {
  it('is renewed by a heartbeat while the engines run, and a broken lock stops the run between stacks', async () => {
    const { root } = synthesizedProject('dev');
    const engines = fakeEngines();
    const ledger = new MemoryLedger();
    const ports = fakePorts({ ledger });
    const { req, err } = request(root, ports, engineEnvironment(engines, { FAKE_SLEEP_MS: '400' }), { env: 'dev', leaseMs: 3_000 });
    const running = deployEnvironment(req);
    // Someone runs ndc unlock while national-core is being applied.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(ledger.lockCalls.filter((c) => c === 'renew dev').length).toBeGreaterThanOrEqual(1);
    ledger.locks.delete('dev');
    expect(await running).toBe(1);
    expect(err).toContain('ndc deploy: the deploy lock of dev was broken or taken over; starting no new stack');
    expect(ledger.steps('succeeded').length).toBeLessThan(4);
    expect(ledger.records.find((r) => r.details?.scope === 'run' && r.result === 'failed')?.details).toMatchObject({ lockLost: true });
  });
});
