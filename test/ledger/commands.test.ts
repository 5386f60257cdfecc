/**
 * Through the `ndc` executable: synth, check and plan are recorded with the real actor; trust-store edits
 * are attributed to the person; and no URL shown anywhere carries its credentials.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { SqliteLedger } from '../../ledger/sqlite';
import { redactUrl, redactUrls } from '../../ledger/url';
import { REPO, tempProject } from '../helpers';

const NODE_DIR = join(process.execPath, '..');

function runner(root: string) {
  return (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    const run = spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), ...args], { cwd: root, encoding: 'utf8', env: { PATH: NODE_DIR, HOME: root, ...extra } });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  };
}

async function recordsOf(root: string) {
  const ledger = new SqliteLedger(join(root, '.ndc', 'ledger.sqlite'));
  try {
    return await ledger.records();
  } finally {
    await ledger.close();
  }
}

describe('every command in the ledger, with its actor', () => {
  it('records synth and check with NDC_ACTOR (else user@host), and trust-store edits with the person', async () => {
    const root = tempProject('ndc-recorded-');
    const ndc = runner(root);
    expect(ndc(['synth', '--env', 'dev'], { NDC_ACTOR: 'alice' }).status).toBe(0);
    const check = ndc(['check', '--env', 'dev', '--format', 'json']);
    expect([0, 1]).toContain(check.status);
    expect(ndc(['keys', 'generate', '--id', 'sec-officer', '--out', 'keys']).status).toBe(0);
    const added = ndc(['reviewers', 'add', '--env', 'dev', '--id', 'sec-officer', '--public-key', 'keys/sec-officer.pub', '--roles', 'security-unit', '--agencies', '*'], { NDC_ACTOR: 'bob' });
    expect(added.status).toBe(0);
    // Bad input changes nothing and is not recorded.
    expect(ndc(['synth', '--env', 'nowhere']).status).toBe(2);

    const records = await recordsOf(root);
    const digest = (records.find((r) => r.kind === 'synth')?.digest ?? '') as string;
    expect(digest).toMatch(/^[0-9a-f]{64}$/);
    let user = 'unknown';
    try {
      user = userInfo().username;
    } catch {
      // no passwd entry
    }
    expect(records.map((r) => [r.kind, r.actor, r.result, r.digest, r.details.command ?? null])).toEqual([
      ['synth', 'alice', 'ok', digest, 'synth'],
      ['check', `${user}@${hostname()}`, check.status === 0 ? 'ok' : 'exit 1', digest, 'check --format json'],
      ['trust-store', 'bob', 'draft add sec-officer', null, null],
    ]);
    expect(ndc(['ledger', 'verify']).status).toBe(0);
  });
});

describe('credentials never printed', () => {
  it('redacts user info and password-like query parameters', () => {
    expect(redactUrl('postgres://ndc:s3cret@db.gov.vn:5432/ndc_ledger?sslmode=require&password=p4ss&sslpassword=k3y&token=t0k&secret=x&key=y&application_name=ndc')).toBe(
      'postgres://***@db.gov.vn:5432/ndc_ledger?sslmode=require&password=***&sslpassword=***&token=***&secret=***&key=***&application_name=ndc',
    );
    expect(redactUrl('postgres://db.gov.vn/ndc')).toBe('postgres://db.gov.vn/ndc');
    expect(redactUrls('connect failed for postgresql://u:pw@h/db?password=zz, retrying')).toBe('connect failed for postgresql://***@h/db?password=***, retrying');
  });

  it('ndc ledger verify never shows the password of NDC_LEDGER_URL, text or --json, and a bad URL is one line, exit 2', () => {
    const root = tempProject('ndc-secrets-');
    const ndc = runner(root);
    // Port 1 on loopback: nothing listens, so the connection fails after the URL was parsed and shown.
    const url = 'postgres://ndc_ledger:Url-Secret-4417@127.0.0.1:1/ndc?password=Query-Secret-9&sslmode=require';
    for (const args of [['ledger', 'verify'], ['ledger', 'verify', '--json'], ['synth', '--env', 'dev']]) {
      const run = ndc(args, { NDC_LEDGER_URL: url });
      expect(run.status).toBe(2);
      const lines = run.stderr.trim().split('\n');
      // One line: no pg warning about sslmode, no stack trace.
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/NDC_LEDGER_URL: postgres:\/\/\*\*\*@127\.0\.0\.1:1\/ndc\?password=\*\*\*&sslmode=require: cannot use the ledger database/);
      expect(run.stdout + run.stderr).not.toMatch(/Url-Secret-4417|Query-Secret-9|ndc_ledger:/);
    }
    // synth stopped before writing anything: it could not have been recorded.
    expect(existsSync(join(root, 'out', 'dev'))).toBe(false);
    for (const bad of ['postgres://ndc:Bad-Secret-1@[::1/ndc', 'mysql://ndc:Bad-Secret-1@db/ndc', 'not a url Bad-Secret-1']) {
      const run = ndc(['ledger', 'verify'], { NDC_LEDGER_URL: bad });
      expect(run.status).toBe(2);
      expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^ndc ledger verify: NDC_LEDGER_URL: .*(is not a URL|must be a postgres:\/\/ URL)/)]);
      expect(run.stderr).not.toContain('Bad-Secret-1');
    }
  });
});
