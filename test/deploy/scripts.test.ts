import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO, tempProject } from '../helpers';

// scripts/ci.mjs against a fake ndc entry point (NDC_BIN) that records its argv and answers `plan --json`
// with the gate state it is told (FAKE_GATE); FAKE_NDC_FAIL names a command that exits 1.
const FAKE_NDC = `
const fs = require('node:fs');
const args = process.argv.slice(2);
fs.appendFileSync(process.env.FAKE_NDC_LOG, args.join(' ') + '\\n');
const i = args.indexOf('--output');
if (i >= 0) fs.writeFileSync(args[i + 1], 'report of ' + args.join(' '));
if (args[0] === 'plan') console.log(JSON.stringify({ schema: 'ndc/plan/v1', digest: 'ab'.repeat(32), policy: { summary: '3 rules' }, gate: { open: process.env.FAKE_GATE === 'open', reasons: process.env.FAKE_GATE === 'open' ? [] : ['missing approvals'] }, previews: [] }));
process.exit(process.env.FAKE_NDC_FAIL === args[0] ? 1 : 0);
`;

function ci(extraEnv: Record<string, string>, ...args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'ndc-ci-'));
  const bin = join(dir, 'ndc.js');
  writeFileSync(bin, FAKE_NDC);
  chmodSync(bin, 0o755);
  const log = join(dir, 'calls.log');
  const result = spawnSync(process.execPath, [join(REPO, 'scripts/ci.mjs'), '--skip-install', '--reports', join(dir, 'reports'), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, NDC_BIN: bin, FAKE_NDC_LOG: log, ...extraEnv },
  });
  const calls = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
  return { ...result, calls, dir };
}

describe('scripts/ci.mjs', () => {
  it('synths, checks with SARIF and JUnit files, plans, and deploys on --deploy when the gate is open', () => {
    const run = ci({ FAKE_GATE: 'open' }, '--env', 'staging', '--deploy');
    expect(run.status).toBe(0);
    expect(run.calls.map((c) => c.replace(run.dir, 'R'))).toEqual([
      'synth --env staging',
      'check --env staging --format sarif --output R/reports/ndc-staging.sarif',
      'check --env staging --format junit --output R/reports/ndc-staging.junit.xml',
      'check --env staging --format html --output R/reports/ndc-staging.html',
      'plan --env staging --json',
      'deploy --env staging',
    ]);
    expect(existsSync(join(run.dir, 'reports/ndc-staging.sarif'))).toBe(true);
    expect(JSON.parse(readFileSync(join(run.dir, 'reports/ndc-staging.plan.json'), 'utf8')).gate.open).toBe(true);
  });

  it('fails with the gate’s first reason when a deploy was asked for and the gate is closed; without --deploy it only reports it', () => {
    const closed = ci({ FAKE_GATE: 'closed' }, '--env', 'prod', '--deploy');
    expect(closed.status).toBe(1);
    expect(closed.calls).not.toContain('deploy --env prod');
    expect(closed.stderr).toContain('ci: failed: deploy prod: the gate is closed: missing approvals');
    const checkOnly = ci({ FAKE_GATE: 'closed' }, '--env', 'prod');
    expect(checkOnly.status).toBe(0);
    expect(checkOnly.stdout).toContain('ci: prod would not deploy yet: missing approvals');
    expect(ci({ FAKE_GATE: 'open' }, '--env', 'prod').calls).not.toContain('deploy --env prod');
  });

  it('exits non-zero when any step fails, and deploys nothing after a failure', () => {
    const failedCheck = ci({ FAKE_GATE: 'open', FAKE_NDC_FAIL: 'check' }, '--env', 'prod', '--deploy');
    expect(failedCheck.status).toBe(1);
    expect(failedCheck.calls).not.toContain('deploy --env prod');
    expect(failedCheck.stderr).toContain('ci: failed: check prod (SARIF) (exit 1), check prod (JUnit) (exit 1)');
    const failedDeploy = ci({ FAKE_GATE: 'open', FAKE_NDC_FAIL: 'deploy' }, '--env', 'prod', '--deploy');
    expect(failedDeploy.status).toBe(1);
    expect(failedDeploy.stderr).toContain('ci: failed: deploy prod (exit 1)');
  });
});

describe('scripts/bootstrap-state.mjs', () => {
  it('plans the state schemas of the synthesized pg backends and the ledger database', () => {
    const root = tempProject();
    const run = spawnSync(process.execPath, [join(REPO, 'scripts/bootstrap-state.mjs'), '--env', 'prod', '--env', 'dev', '--dry-run'], { cwd: root, encoding: 'utf8', env: { ...process.env, NDC_ROOT: root } });
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n')).toEqual([
      "[postgres] SELECT 'CREATE DATABASE ndc_state' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'ndc_state')\\gexec",
      "[postgres] SELECT 'CREATE DATABASE ndc_ledger' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'ndc_ledger')\\gexec",
      '[ndc_state] CREATE SCHEMA IF NOT EXISTS ndc_prod_backup_vaults;',
      '[ndc_state] CREATE SCHEMA IF NOT EXISTS ndc_prod_cluster_central;',
      '[ndc_state] CREATE SCHEMA IF NOT EXISTS ndc_prod_cluster_north;',
      '[ndc_state] CREATE SCHEMA IF NOT EXISTS ndc_prod_cluster_south;',
      '[ndc_state] CREATE SCHEMA IF NOT EXISTS ndc_prod_national_core;',
    ]);
  });

  it('refuses without a connection, and a bad database name, in one line', () => {
    const root = tempProject();
    const env = { PATH: process.env.PATH, NDC_ROOT: root };
    const none = spawnSync(process.execPath, [join(REPO, 'scripts/bootstrap-state.mjs'), '--env', 'dev'], { cwd: root, encoding: 'utf8', env });
    expect(none.status).toBe(2);
    expect(none.stderr.trim()).toBe('bootstrap-state: NDC_BOOTSTRAP_PG_URL is not set: export an admin connection URL (postgres://user:password@host:port/postgres)');
    const bad = spawnSync(process.execPath, [join(REPO, 'scripts/bootstrap-state.mjs'), '--state-db', 'ndc-state'], { cwd: root, encoding: 'utf8', env });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim()).toBe('bootstrap-state: --state-db "ndc-state": must be a PostgreSQL identifier (lower-case letters, digits, _)');
  });

  // Against a real PostgreSQL when one is given (eval "$(bash .ci/start-postgres.sh)" from the approvals
  // work sets NDC_TEST_PG_URL); the role needs CREATEDB.
  (process.env.NDC_TEST_PG_URL ? it : it.skip)('creates the databases and schemas on a real PostgreSQL, twice without error', () => {
    const root = tempProject();
    const suffix = Math.random().toString(36).slice(2, 8);
    const args = [join(REPO, 'scripts/bootstrap-state.mjs'), '--env', 'prod', '--state-db', `ndc_state_${suffix}`, '--ledger-db', `ndc_ledger_${suffix}`];
    const env = { PATH: process.env.PATH, NDC_ROOT: root, NDC_BOOTSTRAP_PG_URL: process.env.NDC_TEST_PG_URL };
    for (let i = 0; i < 2; i++) {
      const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain(`state database ndc_state_${suffix} (5 schemas) and ledger database ndc_ledger_${suffix} are ready`);
      const password = new URL(process.env.NDC_TEST_PG_URL!).password;
      if (password) expect(run.stdout).not.toContain(password);
    }
  });
});

