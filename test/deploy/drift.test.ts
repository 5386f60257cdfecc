import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { driftEnvironment } from '../../deploy/drift';
import { openLedger } from '../../ledger/open';
import { main } from '../../cli/main';
import { captureIO } from '../helpers';
import { engineEnvironment, fakeEngines, MemoryLedger, synthesizedProject } from './fixture';

// `ndc drift` against fake engines in drift mode (FAKE_DRIFT: a regex on "<cwd> :: <tool> <args>"; where
// it matches, tofu plan exits 2, pulumi preview --expect-no-changes and cdk diff --fail report changes).

const PG = 'postgres://ndc:pg-Secret-1@state.db.gov.vn:5432/ndc_state';
const { root, manifest } = synthesizedProject('prod');

async function drift(fakeDrift: string, extra: { format?: string; output?: string; tools?: string[]; env?: NodeJS.ProcessEnv } = {}) {
  const engines = fakeEngines(extra.tools);
  const ledger = new MemoryLedger();
  const capture = captureIO(root);
  const code = await driftEnvironment({ env: 'prod', ledger, io: capture.io, environment: engineEnvironment(engines, { PG_CONN_STR: PG, FAKE_DRIFT: fakeDrift, ...extra.env }), format: extra.format, output: extra.output });
  return { code, engines, ledger, ...capture };
}

describe('ndc drift', () => {
  it('exits 0 and records "none" when every engine reports no changes, running only read-only checks', async () => {
    const result = await drift('');
    expect(result.code).toBe(0);
    expect(result.out.at(-1)).toBe('No drift: every stack matches what is deployed');
    const calls = result.engines.calls();
    const verbs = new Set(calls.map((c) => `${c.tool} ${c.argv[0]}`));
    expect([...verbs].sort()).toEqual(['cdk diff', 'pulumi preview', 'pulumi stack', 'tofu init', 'tofu plan']);
    expect(calls.filter((c) => c.tool === 'tofu' && c.argv[0] === 'plan').every((c) => c.argv.includes('-detailed-exitcode'))).toBe(true);
    expect(calls.filter((c) => c.tool === 'pulumi' && c.argv[0] === 'preview').every((c) => c.argv.includes('--expect-no-changes'))).toBe(true);
    expect(calls.filter((c) => c.tool === 'pulumi' && c.argv[0] === 'stack').every((c) => !c.argv.includes('--create'))).toBe(true);
    expect(calls.filter((c) => c.tool === 'cdk').every((c) => c.argv.includes('--fail'))).toBe(true);
    expect(result.ledger.records).toEqual([
      expect.objectContaining({ kind: 'drift', env: 'prod', digest: manifest.digest, result: 'none', details: expect.objectContaining({ stacks: expect.arrayContaining([{ id: 'terraform/national-core', status: 'no-drift', summary: 'No changes. Your infrastructure matches the configuration.' }]) }) }),
    ]);
    expect((result.ledger.records[0].details!.stacks as unknown[]).length).toBe(13);
  });

  it('reports each engine\'s changes per stack, records "drift" and exits 1', async () => {
    const result = await drift('cluster-north :: tofu plan|prod-south .*--expect-no-changes|diff .*public-edge-global');
    expect(result.code).toBe(1);
    const lines = result.out.filter((l) => l.startsWith('  DRIFT'));
    expect(lines.map((l) => l.trim().split(/\s+/)[1])).toEqual(['terraform/cluster-north', 'kubernetes/south', 'cloudformation/public-edge-global']);
    expect(result.out.join('\n')).toContain('terraform/cluster-north                  Plan: 1 to add, 2 to change, 0 to destroy.');
    expect(result.out[0]).toMatch(/^Drift check of prod against digest [0-9a-f]{12} .*: 13 stacks, 3 drifted, 0 not checked$/);
    expect(result.ledger.records[0]).toMatchObject({ kind: 'drift', result: 'drift' });
  });

  it('writes JSON and JUnit reports, drift as failures and a failed check as an error', async () => {
    const json = await drift('cluster-central :: tofu plan', { format: 'json', env: { FAKE_FAIL: 'preview .*--stack prod-north --' } });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.out.join('\n')) as { drifted: number; errors: number; stacks: { id: string; status: string; summary: string }[] };
    expect(report).toMatchObject({ drifted: 1, errors: 1 });
    expect(report.stacks.find((s) => s.id === 'kubernetes/north')).toMatchObject({ status: 'error', summary: expect.stringContaining('fake pulumi: told to fail') });
    expect(json.ledger.records[0]).toMatchObject({ result: 'drift' });

    const junit = await drift('backup-vaults :: tofu plan', { format: 'junit', output: 'reports/drift.junit.xml' });
    expect(junit.code).toBe(1);
    const xml = readFileSync(join(root, 'reports/drift.junit.xml'), 'utf8');
    expect(xml).toContain('<testsuite name="ndc drift prod" tests="13" failures="1" errors="0"');
    expect(xml).toMatch(/<testcase classname="ndc\.drift\.prod\.terraform" name="terraform\/backup-vaults" time="[0-9.]+">\n\s+<failure message="drift: Plan: 1 to add, 2 to change, 0 to destroy\." type="drift">/);
    expect(xml.match(/<testcase /g)).toHaveLength(13);
  });

  it('names a missing engine binary on one line, exit 2, and records nothing', async () => {
    const capture = captureIO(root);
    const engines = fakeEngines(['tofu', 'cdk']);
    const previous = process.env.PATH;
    process.env.PATH = engines.dir;
    try {
      expect(await main(['drift', '--env', 'prod'], capture.io)).toBe(2);
    } finally {
      process.env.PATH = previous;
    }
    expect(capture.err).toHaveLength(1);
    expect(capture.err[0]).toMatch(/^ndc drift: .*pulumi binary not found: looked for pulumi on PATH; needed by kubernetes\//);
    expect(engines.calls()).toEqual([]);
    const ledger = openLedger(root);
    try {
      expect((await ledger.records()).filter((r) => r.kind === 'drift')).toEqual([]);
    } finally {
      await ledger.close();
    }
  });

  it('refuses an unknown format as bad input', async () => {
    await expect(drift('', { format: 'sarif' })).rejects.toThrow('--format: "sarif" is not one of text, json, junit');
  });
});

describe('the scheduled drift job', () => {
  it('runs ndc drift on a schedule in the GitHub workflow, with JUnit kept', () => {
    const workflow = parse(readFileSync(join(__dirname, '../../.github/workflows/ndc.yml'), 'utf8')) as { on: { schedule?: { cron: string }[] }; jobs: Record<string, { if?: string; steps: { run?: string }[] }> };
    expect(workflow.on.schedule?.length).toBeGreaterThan(0);
    const jobs = Object.values(workflow.jobs).filter((j) => j.steps.some((s) => /ndc\.js drift --env .* --format junit/.test(s.run ?? '')));
    expect(jobs.length).toBeGreaterThanOrEqual(1);
    for (const job of jobs) expect(job.if).toMatch(/github\.event_name == 'schedule'/);
    // The deploy jobs do not run on the schedule.
    for (const [name, job] of Object.entries(workflow.jobs)) if (name.startsWith('deploy-')) expect(job.if).toMatch(/github\.event_name == 'push'/);
  });

  it('runs ndc drift on a schedule in the GitLab template, with JUnit kept', () => {
    const gitlab = parse(readFileSync(join(__dirname, '../../.gitlab-ci.yml'), 'utf8'), { merge: true }) as Record<string, { rules?: { if: string }[]; script?: string[]; artifacts?: { reports?: { junit?: string | string[] } } }>;
    const jobs = Object.values(gitlab).filter((j) => (j.script ?? []).some((s) => /ndc\.js drift --env .* --format junit/.test(s)));
    expect(jobs.length).toBeGreaterThanOrEqual(1);
    for (const job of jobs) {
      expect(job.rules?.map((r) => r.if)).toEqual([expect.stringContaining('$CI_PIPELINE_SOURCE == "schedule"')]);
      expect(job.artifacts?.reports?.junit).toBeDefined();
    }
    for (const name of ['deploy-staging', 'deploy-prod', 'check']) {
      const job = gitlab[name];
      const rules = job.rules ?? gitlab['.deploy'].rules ?? [];
      expect(rules.every((r) => !r.if.includes('"schedule"') || r.if.includes('!='))).toBe(true);
    }
  });
});
