/**
 * The deploy lock through the real `ndc` executable, with fake tofu and pulumi on PATH and the real gate
 * (a reviewer key, a pinned trust store, an approval): twenty deploys started at once run the engines
 * exactly once; a deploy killed with SIGKILL frees its environment when its short lease runs out (or at
 * once with ndc unlock), and --resume then finishes it without any hand edit. On SQLite and PostgreSQL.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { LedgerRecord } from '../../ledger/ledger';
import { PgLedger } from '../../ledger/postgres';
import { SqliteLedger } from '../../ledger/sqlite';
import { addPlatformReviewers, PLATFORM_REVIEWERS, REPO, tempProject } from '../helpers';
import { fakeEngines, type Engines } from './fixture';

jest.setTimeout(300_000);

const NODE_DIR = join(process.execPath, '..');
const pgUrl = process.env.NDC_TEST_PG_URL;

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

const BACKENDS = [
  { name: 'sqlite', skip: false },
  { name: 'postgres', skip: !pgUrl },
] as const;

describe.each(BACKENDS.map((b) => [b.name, b] as const))('deploy lock through bin/ndc.js on %s', (name, backend) => {
  const run = backend.skip ? describe.skip : describe;
  run('', () => {
    const schema = `l_${randomBytes(5).toString('hex')}`;
    let root: string;
    let engines: Engines;
    let env: NodeJS.ProcessEnv;

    const ndc = (args: string[], extra: NodeJS.ProcessEnv = {}): Result => {
      const r = spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...env, ...extra } });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    /** A deploy in its own process group, so SIGKILL takes the engine it started with it (a crashed runner). */
    const start = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
      const child = spawn(process.execPath, [join(REPO, 'bin/ndc.js'), ...args], { cwd: root, env: { ...env, ...extra }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      let finished: Result | undefined;
      const done = new Promise<Result>((resolve) => child.on('close', (status) => resolve((finished = { status, stdout, stderr }))));
      return { child, done, finished: () => finished };
    };
    const waitFor = async (what: string, test: () => boolean, ended: () => Result | undefined = () => undefined, ms = 120_000) => {
      const until = Date.now() + ms;
      while (!test()) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        const result = ended();
        if (result) throw new Error(`the deploy ended (${result.status}) before ${what}: ${result.stderr.slice(0, 2000)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const blockedLines = () => (existsSync(`${engines.log}.blocked`) ? readFileSync(`${engines.log}.blocked`, 'utf8').trim().split('\n').filter(Boolean) : []);
    const records = async (): Promise<LedgerRecord[]> => {
      const ledger = name === 'postgres' ? new PgLedger({ url: pgUrl!, schema }) : new SqliteLedger(join(root, '.ndc', 'ledger.sqlite'));
      try {
        return await ledger.records();
      } finally {
        await ledger.close();
      }
    };

    beforeAll(() => {
      root = tempProject('ndc-locks-');
      engines = fakeEngines(['tofu', 'pulumi']);
      env = {
        PATH: `${engines.dir}:${NODE_DIR}`,
        HOME: root,
        FAKE_LOG: engines.log,
        NDC_ENGINE_ENV: 'FAKE_*',
        KUBECONFIG: join(engines.dir, '.kube', 'config'),
        NDC_ACTOR: 'ci:locks',
        CI: 'true',
        ...(name === 'postgres' ? { NDC_LEDGER_URL: pgUrl, NDC_LEDGER_SCHEMA: schema } : {}),
      };
      if (name === 'postgres') expect(ndc(['ledger', 'init']).status).toBe(0);
      expect(ndc(['synth', '--env', 'dev']).status).toBe(0);
      expect(ndc(['keys', 'generate', '--id', 'sec-officer', '--out', 'keys']).status).toBe(0);
      const added = ndc(['reviewers', 'add', '--env', 'dev', '--id', 'sec-officer', '--public-key', 'keys/sec-officer.pub', '--roles', 'security-unit', '--agencies', 'Ministry of Science and Technology,Government Office']);
      expect(added.status).toBe(0);
      // e-document-exchange is level 3: its owner approves too (the Decree 85 floor dev asks for).
      expect(ndc(['keys', 'generate', '--id', 'gov-owner', '--out', 'keys']).status).toBe(0);
      expect(ndc(['reviewers', 'add', '--env', 'dev', '--id', 'gov-owner', '--public-key', 'keys/gov-owner.pub', '--roles', 'system-owner', '--agencies', 'Government Office']).status).toBe(0);
      addPlatformReviewers(ndc);
      env.NDC_TRUST_ROOT = (JSON.parse(ndc(['reviewers', 'list', '--env', 'dev', '--json']).stdout) as { rootHash: string }).rootHash;
      for (const reviewer of ['sec-officer', 'gov-owner', ...PLATFORM_REVIEWERS.map((r) => r.id)]) {
        const approved = ndc(['approve', '--env', 'dev', '--key', `keys/${reviewer}.key`, '--as', reviewer]);
        expect(approved.stderr).toBe('');
      }
    });
    afterAll(async () => {
      rmSync(root, { recursive: true, force: true });
      if (name === 'postgres') {
        const client = new Client({ connectionString: pgUrl });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
    });

    it('twenty concurrent deploys: exactly one runs the engines, the others are refused naming the holder', async () => {
      const release = join(root, 'release-concurrent');
      const extra = { FAKE_BLOCK: 'national-core :: tofu init', FAKE_RELEASE: release, NDC_LOCK_LEASE: '2m' };
      const runs = Array.from({ length: 20 }, () => start(['deploy', '--env', 'dev'], extra));
      const results: (Result | undefined)[] = new Array(20).fill(undefined);
      runs.forEach((r, i) => void r.done.then((result) => (results[i] = result)));
      // The winner waits inside its first engine call until every other deploy has given up.
      await waitFor('19 refusals', () => results.filter((r) => r !== undefined).length >= 19);
      writeFileSync(release, '');
      const all = await Promise.all(runs.map((r) => r.done));
      const winners = all.filter((r) => r.status === 0);
      const refused = all.filter((r) => r.status === 1);
      expect(winners).toHaveLength(1);
      expect(refused).toHaveLength(19);
      const holder = /\(run (\S+?)\)/.exec(winners[0].stdout)?.[1];
      expect(holder).toBeDefined();
      for (const r of refused) {
        expect(r.stderr.trim().split('\n')).toEqual([
          expect.stringMatching(new RegExp(`^ndc deploy: refused: the deploy lock of dev is held by ci:locks run ${holder} \\(lease until \\S+\\); wait for it to finish .* ndc unlock --env dev --reason`)),
        ]);
      }
      // One deploy's worth of engine calls: 3 Terraform stacks x (init, plan, apply) and two Pulumi stacks (prerequisites, objects) x (select, up).
      expect(engines.calls()).toHaveLength(13);
      expect(winners[0].stdout).toMatch(/Checkpoint request: ledger \S+ at seq \d+, head [0-9a-f]{64}; a reviewer signs it with: ndc ledger checkpoint --head \d+:[0-9a-f]{64} --key KEY --as REVIEWER-ID/);
      const all_records = await records();
      expect(all_records.filter((r) => r.kind === 'deploy-step' && r.details.scope === 'run' && r.result === 'started')).toHaveLength(1);
      expect(all_records.filter((r) => r.kind === 'lock').map((r) => r.result)).toEqual(['acquired', 'released']);
      expect(ndc(['ledger', 'verify']).status).toBe(0);
    });

    it('kill -9 mid-deploy, then --resume: refused while the lease runs, then finishes the rest once it ran out', async () => {
      rmSync(engines.log, { force: true });
      rmSync(`${engines.log}.blocked`, { force: true });
      const crashed = start(['deploy', '--env', 'dev'], { FAKE_BLOCK: 'cluster-north :: tofu apply', FAKE_RELEASE: join(root, 'never'), NDC_LOCK_LEASE: '15s' });
      await waitFor('the deploy to reach cluster-north', () => blockedLines().length > 0, crashed.finished);
      process.kill(-crashed.child.pid!, 'SIGKILL');
      const killed = await crashed.done;
      expect(killed.status).toBeNull();

      const early = ndc(['deploy', '--env', 'dev', '--resume']);
      expect(early.status).toBe(1);
      const until = /refused: the deploy lock of dev is held by ci:locks run \S+ \(lease until (\S+)\)/.exec(early.stderr)?.[1];
      expect(until).toBeDefined();

      // Nobody renews the crashed deploy's lease: once it has run out, --resume takes over.
      await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(until!) - Date.now()) + 500));
      const before = engines.calls().length;
      const resumed = ndc(['deploy', '--env', 'dev', '--resume']);
      expect(resumed.stderr).toBe('');
      expect(resumed.status).toBe(0);
      expect(resumed.stdout).toContain("Took over the deploy lock of dev: the previous holder's lease had run out");
      expect(resumed.stdout).toContain('resuming at terraform/cluster-north');
      const stacks = engines
        .calls()
        .slice(before)
        .map((c) => `${c.tool} ${c.tool === 'tofu' ? c.cwd.split('/').pop() : 'kubernetes'} ${c.argv[0]}`);
      expect(stacks.filter((s) => s.includes('national-core'))).toEqual([]);
      expect(stacks).toEqual(expect.arrayContaining(['tofu cluster-north apply', 'tofu backup-vaults apply', 'pulumi kubernetes up']));
      // Since the crashed deploy took the lock: its acquisition (and heartbeats), the takeover, the release.
      const locks = (await records()).filter((r) => r.kind === 'lock');
      const since = locks.slice(locks.map((r) => r.result).lastIndexOf('acquired'));
      expect(since.map((r) => r.result).filter((r) => r !== 'renewed')).toEqual(['acquired', 'taken-over', 'released']);
      expect(since.find((r) => r.result === 'taken-over')).toMatchObject({ details: { previousHolder: since[0].details.holder } });
    });

    it('ndc unlock breaks a crashed deploy\'s lock at once, recording who, why and the previous holder; --resume then works', async () => {
      rmSync(`${engines.log}.blocked`, { force: true });
      const crashed = start(['deploy', '--env', 'dev'], { FAKE_BLOCK: 'backup-vaults :: tofu plan', FAKE_RELEASE: join(root, 'never') });
      await waitFor('the deploy to reach backup-vaults', () => blockedLines().length > 0, crashed.finished);
      process.kill(-crashed.child.pid!, 'SIGKILL');
      await crashed.done;

      expect(ndc(['unlock', '--env', 'dev']).status).toBe(2);
      const unlocked = ndc(['unlock', '--env', 'dev', '--reason', 'CI runner 7 lost power'], { NDC_ACTOR: 'ops:linh' });
      expect(unlocked.stderr).toBe('');
      expect(unlocked.status).toBe(0);
      expect(unlocked.stdout).toMatch(/^Broke the deploy lock of dev held by ci:locks run \S+ since \S+ \(lease until \S+\); recorded as ops:linh: CI runner 7 lost power$/m);
      const again = ndc(['unlock', '--env', 'dev', '--reason', 'again']);
      expect(again.status).toBe(1);
      expect(again.stderr.trim()).toBe('ndc unlock: no deploy lock of dev is held (nothing to break)');

      const broken = (await records()).filter((r) => r.kind === 'lock' && r.result === 'broken');
      expect(broken).toHaveLength(1);
      expect(broken[0]).toMatchObject({ actor: 'ops:linh', env: 'dev', details: { reason: 'CI runner 7 lost power', previousHolder: expect.stringMatching(/^ci:locks run /) } });

      const resumed = ndc(['deploy', '--env', 'dev', '--resume']);
      expect(resumed.stderr).toBe('');
      expect(resumed.status).toBe(0);
      expect(resumed.stdout).toContain('resuming at terraform/backup-vaults');
      expect(ndc(['ledger', 'verify']).status).toBe(0);
    });
  });
});
