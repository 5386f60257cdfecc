/**
 * Issue #11, cases 5, 6, 7 and 9, tried as a change author would, through the `ndc` executable: they can
 * edit every file of the repository (environment files, the trust store, approvals) and run every command,
 * but hold no reviewer key except their own. Engines are fake executables on PATH that record their calls.
 */
import { spawnSync } from 'node:child_process';
import { createPrivateKey, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { parse } from 'yaml';
import { signTrustVersion, versionHash, type TrustStore, type TrustVersionBody } from '../../policies/approvals/trust-store';
import { fakeEngines, type Engines } from '../deploy/fixture';
import { REPO, tempProject } from '../helpers';

const NODE_DIR = join(process.execPath, '..');
jest.setTimeout(240_000);

type Run = (args: string[], extra?: NodeJS.ProcessEnv) => { status: number | null; stdout: string; stderr: string };

function runner(root: string, engines: Engines, base: NodeJS.ProcessEnv = {}): Run {
  // The fakes' own FAKE_* settings pass the engines' allow-list the way a site's extra variables would.
  const env: NodeJS.ProcessEnv = { PATH: `${engines.dir}:${NODE_DIR}`, HOME: root, FAKE_LOG: engines.log, NDC_ENGINE_ENV: 'FAKE_*', KUBECONFIG: join(engines.dir, '.kube', 'config'), NDC_ACTOR: 'ci:bypass', CI: 'true', ...base };
  return (args, extra = {}) => {
    const run = spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...env, ...extra } });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  };
}

/** A synthesized dev project with a pinned trust store: su-a and su-b (security unit), owner-1 (system owner); threshold 2. */
function devProject(base: NodeJS.ProcessEnv = {}) {
  const root = tempProject('ndc-bypass-');
  const engines = fakeEngines(['tofu', 'pulumi']);
  const ndc = runner(root, engines, base);
  expect(ndc(['synth', '--env', 'dev']).status).toBe(0);
  const reviewers: [string, string, string, string?][] = [
    ['su-a', 'security-unit', '*'],
    ['su-b', 'security-unit', '*'],
    ['owner-1', 'system-owner', '*', '2'],
  ];
  for (const [id, role, agencies, threshold] of reviewers) {
    expect(ndc(['keys', 'generate', '--id', id, '--out', 'keys']).status).toBe(0);
    const add = ndc(['reviewers', 'add', '--env', 'dev', '--id', id, '--public-key', `keys/${id}.pub`, '--roles', role, '--agencies', agencies, ...(threshold ? ['--threshold', threshold] : [])]);
    expect(add.stderr).toBe('');
  }
  const listed = JSON.parse(ndc(['reviewers', 'list', '--env', 'dev', '--json']).stdout) as { rootHash: string };
  const trusted = { NDC_TRUST_ROOT: listed.rootHash };
  const approve = (id: string, extra: NodeJS.ProcessEnv = {}) => ndc(['approve', '--env', 'dev', '--key', `keys/${id}.key`, '--as', id], { ...trusted, ...extra });
  const storeFile = join(root, 'approvals', 'dev', 'trust-store.json');
  return {
    root,
    engines,
    ndc,
    trusted,
    approve,
    readStore: () => JSON.parse(readFileSync(storeFile, 'utf8')) as TrustStore,
    writeStore: (store: TrustStore) => writeFileSync(storeFile, JSON.stringify(store, null, 2)),
    privateKey: (id: string) => createPrivateKey(readFileSync(join(root, 'keys', `${id}.key`), 'utf8')),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

describe('case 5: the approver table cannot be lowered below the regulation profile’s floor', () => {
  it('an environment file asking only for the security unit at every level is bad input for check, approvals and deploy', () => {
    const root = tempProject('ndc-floor-');
    const engines = fakeEngines(['tofu', 'pulumi']);
    const ndc = runner(root, engines);
    const file = join(root, 'environments', 'dev.ts');
    const source = readFileSync(file, 'utf8');
    const table = /levels: (DECREE_85_APPROVER_FLOOR|\{[^}]*\}),/;
    expect(source).toMatch(table);
    writeFileSync(file, source.replace(table, `levels: { '1': ['security-unit'], '2': ['security-unit'], '3': ['security-unit'], '4': ['security-unit'], '5': ['security-unit'] },`));
    try {
      const floor = /^(ndc (check|approvals|deploy): )?environments\/dev\.ts: approvals\.levels\.3: \["security-unit"\]: level 3 is missing system-owner; profile vn-2016 \(Decree 85\/2016\/ND-CP art\. 12\) requires at least security-unit \+ system-owner/;
      const check = ndc(['check', '--env', 'dev']);
      expect(check.status).toBe(2);
      expect(check.stderr.trim()).toMatch(floor);
      const approvals = ndc(['approvals', '--env', 'dev']);
      expect(approvals.status).toBe(2);
      expect(approvals.stderr.trim()).toMatch(floor);
      // Deploy runs what was synthesized: synthesis does not judge approvals, the gate does.
      expect(ndc(['synth', '--env', 'dev']).status).toBe(0);
      const deploy = ndc(['deploy', '--env', 'dev']);
      expect(deploy.status).toBe(2);
      expect(deploy.stderr.trim()).toMatch(floor);
      expect(engines.calls()).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** The ledgers case 6 runs on: the project's SQLite file, and a PostgreSQL database of its own when one is available. */
const pgUrl = process.env.NDC_TEST_PG_URL;
const ledgers: { name: string; skip?: string; open(): Promise<{ env: NodeJS.ProcessEnv; fresh(root: string): Promise<NodeJS.ProcessEnv>; close(): Promise<void> }> }[] = [
  {
    name: 'SQLite',
    async open() {
      const fresh = async (root: string) => {
        for (const suffix of ['', '-wal', '-shm']) rmSync(join(root, '.ndc', `ledger.sqlite${suffix}`), { force: true });
        return {};
      };
      return { env: {}, fresh, close: async () => undefined };
    },
  },
  {
    name: 'PostgreSQL',
    skip: pgUrl ? undefined : 'NDC_TEST_PG_URL is not set',
    async open() {
      const created: string[] = [];
      const database = async () => {
        const name = `ndc_bypass_${randomBytes(5).toString('hex')}`;
        const admin = new Client({ connectionString: pgUrl });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.end();
        created.push(name);
        const url = new URL(pgUrl!);
        url.pathname = `/${name}`;
        // The owner installs the ledger's tables once; everyday commands only read and append.
        const init = spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), 'ledger', 'init'], { encoding: 'utf8', env: { PATH: NODE_DIR, NDC_LEDGER_URL: url.toString() } });
        expect(init.stderr).toBe('');
        return { NDC_LEDGER_URL: url.toString() };
      };
      const env = await database();
      return {
        env,
        fresh: database,
        async close() {
          const admin = new Client({ connectionString: pgUrl });
          await admin.connect();
          for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          await admin.end();
        },
      };
    },
  },
];

describe.each(ledgers)('case 6: the trust store cannot be rolled back and revocation is permanent (ledger on $name)', ({ skip, open }) => {
  const maybe = skip ? it.skip : it;

  maybe('putting back version 1 does not revive a revoked key; a later pin refuses it on a fresh ledger; a version un-revoking a key is refused', async () => {
    const ledger = await open();
    const p = devProject(ledger.env);
    try {
      for (const id of ['su-a', 'owner-1']) expect(p.approve(id).status).toBe(0);
      expect(p.ndc(['approvals', '--env', 'dev'], p.trusted).status).toBe(0);
      const version1 = p.readStore();

      // su-b and owner-1 remove su-a: version 2 revokes su-a's key, and su-a's approval stops counting.
      expect(p.ndc(['reviewers', 'remove', '--env', 'dev', '--id', 'su-a', '--sign-with', 'keys/su-b.key', '--as', 'su-b'], p.trusted).status).toBe(0);
      expect(p.ndc(['reviewers', 'sign', '--env', 'dev', '--key', 'keys/owner-1.key', '--as', 'owner-1'], p.trusted).status).toBe(0);
      const revoked = p.ndc(['approvals', '--env', 'dev'], p.trusted);
      expect(revoked.status).toBe(1);
      expect(revoked.stdout).toMatch(/key [0-9a-f]{16}\.\.\. of su-a is revoked \(trust store version 2\)/);
      const withVersion2 = p.readStore();
      const version2 = withVersion2.versions[1].body;

      // The author puts back the file holding only version 1, pinned as it always was.
      p.writeStore(version1);
      const rolledBack = p.ndc(['approvals', '--env', 'dev'], p.trusted);
      expect(rolledBack.status).toBe(1);
      expect(rolledBack.stdout).toMatch(/trust store: approvals\/dev\/trust-store\.json: version 1 is in force, but version 2 \(sha256 [0-9a-f]{16}\.\.\.\) was accepted on \d{4}-\d{2}-\d{2} \(ledger\): an older trust store cannot be brought back/);
      const deploy = p.ndc(['deploy', '--env', 'dev'], p.trusted);
      expect(deploy.status).toBe(1);
      expect(deploy.stderr).toContain('an older trust store cannot be brought back');
      expect(p.engines.calls()).toEqual([]);

      // On a ledger that never saw version 2, pinning it (<version>:<sha256>) refuses the old file just the same.
      const pinned: NodeJS.ProcessEnv = { NDC_TRUST_ROOT: `${p.trusted.NDC_TRUST_ROOT},2:${versionHash(version2)}`, ...(await ledger.fresh(p.root)) };
      if (!pinned.NDC_LEDGER_URL) expect(existsSync(join(p.root, '.ndc', 'ledger.sqlite'))).toBe(false);
      const onFreshLedger = p.ndc(['deploy', '--env', 'dev'], pinned);
      expect(onFreshLedger.status).toBe(1);
      expect(onFreshLedger.stderr).toMatch(/version 2 \(sha256 [0-9a-f]{16}\.\.\.\) is pinned in NDC_TRUST_ROOT, but this store ends at version 1: an older trust store cannot be brought back/);
      expect(p.engines.calls()).toEqual([]);

      // Version 3, signed by both remaining reviewers, takes su-a's key out of revokedKeys and lists su-a again.
      const suA = version1.versions[0].body.reviewers.find((r) => r.id === 'su-a')!;
      const v3: TrustVersionBody = { ...version2, version: 3, previous: versionHash(version2), reviewers: [...version2.reviewers, suA].sort((a, b) => a.id.localeCompare(b.id)), revokedKeys: [] };
      const signatures = ['su-b', 'owner-1'].map((id) => signTrustVersion(v3, id, p.privateKey(id), version2.reviewers.find((r) => r.id === id)!.keyId));
      p.writeStore({ versions: [...withVersion2.versions, { body: v3, signatures }] });
      const unrevoked = p.ndc(['approvals', '--env', 'dev'], p.trusted);
      expect(unrevoked.status).toBe(1);
      expect(unrevoked.stdout).toMatch(/version 3 drops key [0-9a-f]{16}\.\.\. from revokedKeys \(revoked in version 2\); a revoked key stays revoked in every later version/);
    } finally {
      p.cleanup();
      await ledger.close();
    }
  });
});


describe('case 7: separation of duties is not a string compare', () => {
  it('spellings of su-a as NDC_CHANGE_AUTHOR either name su-a (their approval does not count) or are refused as bad input', () => {
    const p = devProject();
    try {
      for (const id of ['su-a', 'owner-1']) expect(p.approve(id).status).toBe(0);
      expect(p.ndc(['approvals', '--env', 'dev'], p.trusted).status).toBe(0);
      const approvals = (author: string) => p.ndc(['approvals', '--env', 'dev'], { ...p.trusted, NDC_CHANGE_AUTHOR: author });

      for (const author of ['SU-A', 'ｓｕ－ａ', ' su-a ']) {
        const run = approvals(author);
        expect([author, run.status]).toEqual([author, 1]);
        expect(run.stdout).toContain('su-a is the author of this change (NDC_CHANGE_AUTHOR) and cannot approve it (separation of duties)');
        expect(run.stdout).toContain('open-data-portal (level 2): missing security-unit approval (0 of 1 valid)');
      }
      const refused: [string, RegExp][] = [
        ['ѕu-а', /^(ndc approvals: )?NDC_CHANGE_AUTHOR: "ѕu-а": mixes scripts \(Cyrillic and Latin\)/],
        ['su-a\u200b', /^(ndc approvals: )?NDC_CHANGE_AUTHOR: "su-a\\u200b": contains an invisible character \(U\+200B\)/],
        ['su-a,su-b', /^(ndc approvals: )?NDC_CHANGE_AUTHOR: "su-a,su-b": contains a separator \(","\)/],
        // All Cyrillic, so not mixed, but drawn like owner-1: the approving owner's own lookalike.
        ['оԝпег-1', /^(ndc approvals: )?NDC_CHANGE_AUTHOR: "оԝпег-1": looks like reviewer owner-1 but is spelled with other characters/],
      ];
      for (const [author, reason] of refused) {
        const run = approvals(author);
        expect([author, run.status]).toEqual([author, 2]);
        expect(run.stderr.trim()).toMatch(reason);
      }

      // The same through deploy: refused before any engine runs.
      const deploy = p.ndc(['deploy', '--env', 'dev'], { ...p.trusted, NDC_CHANGE_AUTHOR: 'SU-A' });
      expect(deploy.status).toBe(1);
      expect(deploy.stderr).toContain('su-a is the author of this change');
      expect(p.ndc(['deploy', '--env', 'dev'], { ...p.trusted, NDC_CHANGE_AUTHOR: 'su-a,su-b' }).status).toBe(2);
      expect(p.engines.calls()).toEqual([]);

      // `--as` is normalised the same way, so the author cannot re-approve under another spelling.
      const again = p.ndc(['approve', '--env', 'dev', '--key', 'keys/su-a.key', '--as', 'SU-A'], { ...p.trusted, NDC_CHANGE_AUTHOR: 'su-a' });
      expect(again.status).toBe(1);
      expect(again.stderr.trim()).toBe('ndc approve: refused: su-a is the author of this change (NDC_CHANGE_AUTHOR) and cannot approve it (separation of duties)');
      // And nobody can be added to the trust store under a lookalike of an existing id.
      expect(p.ndc(['keys', 'generate', '--id', 'mallory', '--out', 'keys']).status).toBe(0);
      const lookalike = p.ndc(['reviewers', 'add', '--env', 'dev', '--id', 'owner-l', '--public-key', 'keys/mallory.pub', '--roles', 'security-unit', '--agencies', '*'], p.trusted);
      expect(lookalike.status).toBe(2);
      expect(lookalike.stderr.trim()).toBe('ndc reviewers add: --id: "owner-l" looks like reviewer owner-1; choose an id that cannot be mistaken for another');
    } finally {
      p.cleanup();
    }
  });
});

describe('case 9: CI can open the gate, and says why when it cannot', () => {
  it('scripts/ci.mjs --deploy fails with the gate’s first real reason (the trust store is not pinned), not "approvals missing" and exit 0', () => {
    const p = devProject();
    try {
      const ci = (extra: NodeJS.ProcessEnv) =>
        spawnSync(process.execPath, [join(REPO, 'scripts/ci.mjs'), '--env', 'dev', '--deploy', '--skip-install', '--reports', join(p.root, 'reports')], {
          cwd: p.root,
          encoding: 'utf8',
          env: { PATH: `${p.engines.dir}:${NODE_DIR}`, HOME: p.root, FAKE_LOG: p.engines.log, NDC_ENGINE_ENV: 'FAKE_*', KUBECONFIG: join(p.engines.dir, '.kube', 'config'), CI: 'true', ...extra },
        });
      const unpinned = ci({});
      expect(unpinned.status).toBe(1);
      expect(unpinned.stderr).toMatch(/ci: failed: deploy dev: the gate is closed: trust store: approvals\/dev\/trust-store\.json: version 1 \(sha256 [0-9a-f]{64}\) is not pinned/);
      expect(p.engines.calls().filter((c) => c.argv[0] === 'apply' || c.argv[0] === 'up')).toEqual([]);

      // With the pin and the approvals, the same pipeline deploys.
      for (const id of ['su-a', 'owner-1']) expect(p.approve(id).status).toBe(0);
      const deployed = ci({ ...p.trusted, NDC_CHANGE_AUTHOR: 'someone-else' });
      expect(deployed.stderr).not.toContain('ci: failed');
      expect(deployed.status).toBe(0);
      expect(p.engines.calls().some((c) => c.tool === 'tofu' && c.argv[0] === 'apply')).toBe(true);
    } finally {
      p.cleanup();
    }
  });

  interface Step {
    run?: string;
    uses?: string;
    id?: string;
    env?: Record<string, string>;
  }
  const workflow = parse(readFileSync(join(REPO, '.github/workflows/ndc.yml'), 'utf8')) as { jobs: Record<string, { environment?: string; steps: Step[] }> };

  it('the GitHub workflow hands every ndc step NDC_TRUST_ROOT from the repository’s variables and NDC_CHANGE_AUTHOR from the change', () => {
    const ndcSteps = Object.entries(workflow.jobs).flatMap(([name, job]) => job.steps.filter((s) => /scripts\/ci\.mjs/.test(s.run ?? '')).map((s) => ({ name, job, step: s })));
    expect(ndcSteps.length).toBeGreaterThanOrEqual(3);
    for (const { name, job, step } of ndcSteps) {
      expect([name, step.env?.NDC_TRUST_ROOT]).toEqual([name, '${{ vars.NDC_TRUST_ROOT }}']);
      if (/--deploy/.test(step.run!)) {
        expect(job.environment).toBeDefined();
        expect(step.env?.NDC_CHANGE_AUTHOR).toBe('${{ steps.author.outputs.login }}');
        const author = job.steps.find((s) => s.id === 'author')!;
        expect(author.run).toContain('/pulls');
        expect(Object.values(author.env ?? {}).join(' ')).not.toMatch(/secrets\./);
        // Installs happen in steps of their own, before and without the credentials.
        expect(step.run).toContain('--skip-install');
        expect(job.steps.some((s) => /^npm ci\b/.test(s.run ?? '') && s.env === undefined)).toBe(true);
      } else {
        expect(step.env?.NDC_CHANGE_AUTHOR).toBe('${{ github.event.pull_request.user.login }}');
      }
    }
  });

  it('the GitLab pipeline installs in a job without an environment (so without its credentials), and deploy jobs only run ndc', () => {
    const pipeline = parse(readFileSync(join(REPO, '.gitlab-ci.yml'), 'utf8'), { merge: true }) as Record<string, { environment?: unknown; needs?: string[]; extends?: string; script?: string[]; before_script?: string[]; variables?: Record<string, string> }>;
    const install = pipeline.install;
    expect(install.environment).toBeUndefined();
    expect(install.script!.join('\n')).toMatch(/npm ci/);
    const deploy = pipeline['.deploy'];
    expect(deploy.variables?.NDC_CHANGE_AUTHOR).toBe('$GITLAB_USER_LOGIN');
    // Every job that names an environment (and so sees its credentials) only runs ndc.
    const withCredentials = Object.entries(pipeline).filter(([, job]) => job && typeof job === 'object' && 'environment' in job);
    expect(withCredentials.length).toBeGreaterThanOrEqual(2);
    for (const [name, job] of withCredentials) {
      const resolved = { ...deploy, ...job };
      for (const line of [...(resolved.before_script ?? []), ...(resolved.script ?? [])]) expect([name, line]).not.toEqual([name, expect.stringMatching(/npm (ci|install)|curl|\| *sh/)]);
    }
    expect(deploy.script!.join('\n')).toContain('--skip-install');
    for (const job of ['deploy-staging', 'deploy-prod']) {
      expect(pipeline[job].environment).toBeDefined();
      expect(pipeline[job].needs ?? deploy.needs).toContain('install');
    }
    expect(pipeline.check.variables?.NDC_CHANGE_AUTHOR).toBe('$GITLAB_USER_LOGIN');
    expect(pipeline.check.script!.join('\n')).toContain('--skip-install');
  });
});
