/**
 * The synthesis cache (stacks/cache.ts): a hit gives byte-identical artifacts and the same digest as a
 * fresh render, a change invalidates exactly the renderers whose inputs it touches, an edited entry is
 * never used, and an environment whose public edge did not change never loads aws-cdk-lib or cdktf.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../cli/main';
import { sha256 } from '../core/canonical-json';
import type { EnvironmentInput } from '../environments/schema';
import { cacheDirectory, rendererSourceDigest, useSynthCache } from '../stacks/cache';
import { cacheSeal } from '../core/cache-seal';
import { renderEnvironment } from '../stacks/synth';
import { captureIO, environmentInput, installReachIn, REPO, tempProject, writeEnvironmentJson } from './helpers';

afterEach(() => useSynthCache(false));

function render(root: string, env: string, cache: boolean) {
  useSynthCache(cache);
  const result = renderEnvironment(root, env);
  useSynthCache(false);
  return { digest: result.manifest.digest, files: result.artifacts.map((a) => [a.path, a.engine, a.stack, a.resources, a.content]), cache: result.cache };
}

/** A project whose environment `prod` is the JSON `input` (so a test can change one field). */
function projectWith(input: EnvironmentInput): string {
  const root = tempProject('ndc-cache-');
  rmSync(join(root, 'environments', 'prod.ts'));
  writeEnvironmentJson(root, 'prod', input);
  return root;
}

describe('the synthesis cache', () => {
  it.each(['dev', 'staging', 'prod'])('gives %s byte-identical artifacts and the same digest as a fresh render', (env) => {
    const root = tempProject('ndc-cache-');
    const fresh = render(root, env, false);
    const stored = render(root, env, true);
    const cached = render(root, env, true);
    expect(Object.values(stored.cache ?? {}).every((o) => o === 'miss')).toBe(true);
    expect(Object.values(cached.cache ?? {}).every((o) => o === 'hit')).toBe(true);
    expect(Object.keys(cached.cache ?? {}).length).toBeGreaterThanOrEqual(2);
    expect(cached).toEqual({ ...fresh, cache: cached.cache });
    expect(stored).toEqual({ ...fresh, cache: stored.cache });
  });

  it('re-renders exactly the renderers whose inputs changed', () => {
    const base = environmentInput('prod');
    const root = projectWith(base);
    render(root, 'prod', true);
    const change = (edit: (e: EnvironmentInput) => void) => {
      const next = structuredClone(base);
      edit(next);
      writeEnvironmentJson(root, 'prod', next);
      const cached = render(root, 'prod', true);
      // Whatever was reused must be what a fresh render gives.
      expect(cached.files).toEqual(render(root, 'prod', false).files);
      return cached.cache;
    };
    // The edge's settings: only the public edge.
    expect(change((e) => (e.edge!.systems as Record<string, { rateLimit: number }>)['open-data-portal'].rateLimit = 3000)).toEqual({ terraform: 'hit', kubernetes: 'hit', 'public-edge': 'miss' });
    // A tier of a system not on the edge: the OpenStack and Kubernetes stacks, not the edge.
    expect(
      change((e) => {
        const system = e.systems!.find((s) => !s.publicEdge)!;
        system.tiers[0].instances += 1;
      }),
    ).toEqual({ terraform: 'miss', kubernetes: 'miss', 'public-edge': 'hit' });
    // The approvals settings: read by the gate only, nothing re-renders.
    expect(change((e) => (e.approvals = { ...e.approvals!, maxValidityDays: 20 }))).toEqual({ terraform: 'hit', kubernetes: 'hit', 'public-edge': 'hit' });
  });

  it('never uses an edited entry: it is detected by its sha256 and rendered afresh', () => {
    const root = tempProject('ndc-cache-');
    const fresh = render(root, 'dev', true);
    const dir = join(cacheDirectory(root), 'dev', 'kubernetes');
    const [key] = readdirSync(dir);
    const file = join(dir, key, 'files', String(systemObjectsIndex(join(dir, key))));
    writeFileSync(file, readFileSync(file, 'utf8').replace('kind: NetworkPolicy', 'kind: ConfigMap'));
    const again = render(root, 'dev', true);
    expect(again.cache).toEqual({ terraform: 'hit', kubernetes: 'miss' });
    expect(again.files).toEqual(fresh.files);
    expect(render(root, 'dev', true).cache).toEqual({ terraform: 'hit', kubernetes: 'hit' });
  });

  it('caches the scopes\' reachability lines too: a hit gives the same digest, refresh never reads an entry, a malformed one is computed again', () => {
    const root = tempProject('ndc-cache-reach-');
    const fresh = render(root, 'dev', false);
    expect(render(root, 'dev', true).digest).toBe(fresh.digest);
    const dir = join(cacheDirectory(root), 'dev', 'reach');
    const [name] = readdirSync(dir);
    const file = join(dir, name);
    expect(render(root, 'dev', true).digest).toBe(fresh.digest);
    const purpose = `dev/reach:${name.replace(/\.json$/, '')}`;
    const table = JSON.parse(cacheSeal.openSealed(purpose, readFileSync(file, 'utf8'))!) as Record<string, string[]>;
    expect(table['open-data-portal']).toContain('in internet -> vm:north/open-data-portal/ips tcp/443');
    table['open-data-portal'] = table['open-data-portal'].filter((line) => !line.includes('internet'));
    // Planted without this machine's key (a force-committed .ndc/): never served, the lines are computed again.
    writeFileSync(file, JSON.stringify(table));
    expect(render(root, 'dev', true).digest).toBe(fresh.digest);
    // A well-formed entry sealed here with other lines is served under `use` (so the cache is what was used):
    // its digest is not the environment's, and deploy's fresh render (refresh) recomputes.
    writeFileSync(file, cacheSeal.sealText(purpose, JSON.stringify(table))!);
    expect(render(root, 'dev', true).digest).not.toBe(fresh.digest);
    useSynthCache('refresh');
    expect(renderEnvironment(root, 'dev').manifest.digest).toBe(fresh.digest);
    useSynthCache(false);
    expect(render(root, 'dev', true).digest).toBe(fresh.digest);
    for (const broken of ['{', JSON.stringify({ 'open-data-portal': [] }), JSON.stringify({ ...table, 'open-data-portal': [1] }), JSON.stringify([table])]) {
      writeFileSync(file, cacheSeal.sealText(purpose, broken)!);
      expect(render(root, 'dev', true).digest).toBe(fresh.digest);
    }
    // Any change of an artifact's bytes is another key.
    expect(readdirSync(dir)).toEqual([name]);
  });

  it('keys each renderer on the versions of the engine libraries its sources import', () => {
    const version = (name: string) => (JSON.parse(readFileSync(join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    expect(rendererSourceDigest('public-edge').libraries).toMatchObject({ 'aws-cdk-lib': version('aws-cdk-lib'), 'cdk-nag': version('cdk-nag') });
    expect(rendererSourceDigest('terraform').libraries).toMatchObject({ cdktf: version('cdktf') });
    expect(rendererSourceDigest('terraform').libraries).not.toHaveProperty('aws-cdk-lib');
  });

  it('keys each renderer on the data files it reads at run time', () => {
    // An edited vendored CRD, provider schema or Pulumi settings file must render afresh, not come from the cache.
    expect(rendererSourceDigest('kubernetes').data).toEqual(expect.arrayContaining(['stacks/kubernetes/crds/velero-v1.18.1/crds.json', 'stacks/kubernetes/Pulumi.prod-north.yaml']));
    expect(rendererSourceDigest('terraform').data).toEqual(expect.arrayContaining([expect.stringMatching(/^stacks\/terraform\/providers\/schema\/.+\.json$/)]));
    expect(rendererSourceDigest('terraform').data).not.toContain('stacks/kubernetes/crds/velero-v1.18.1/crds.json');
  });

  it('serves prod from the cache without loading aws-cdk-lib, cdk-nag or cdktf', () => {
    const root = tempProject('ndc-cache-');
    const probe = () =>
      JSON.parse(
        execFileSync(
          process.execPath,
          [
            '-e',
            `require('tsx/cjs');
             ${installReachIn()}
             require('./stacks/cache.ts').useSynthCache(true);
             const r = require('./stacks/synth.ts').renderEnvironment(${JSON.stringify(root)}, 'prod');
             const loaded = (name) => Object.keys(require.cache).some((k) => k.includes('/node_modules/' + name + '/'));
             process.stdout.write(JSON.stringify({ cache: r.cache, cdk: loaded('aws-cdk-lib'), nag: loaded('cdk-nag'), cdktf: loaded('cdktf') }));`,
          ],
          { cwd: REPO, encoding: 'utf8' },
        ),
      ) as unknown;
    expect(probe()).toEqual({ cache: { terraform: 'miss', kubernetes: 'miss', 'public-edge': 'miss' }, cdk: true, nag: true, cdktf: true });
    expect(probe()).toEqual({ cache: { terraform: 'hit', kubernetes: 'hit', 'public-edge': 'hit' }, cdk: false, nag: false, cdktf: false });
  });
});

describe('the synthesis cache on the command line', () => {
  /**
   * Rewrites a cached Kubernetes artifact of dev and its recorded sha256, as someone planting an entry would:
   * without this machine's cache key (a force-committed .ndc/), or sealed with it (the machine's owner).
   */
  function plant(root: string, sealed: boolean): void {
    const dir = join(cacheDirectory(root), 'dev', 'kubernetes');
    const [key] = readdirSync(dir);
    const index = systemObjectsIndex(join(dir, key));
    const file = join(dir, key, 'files', String(index));
    const planted = readFileSync(file, 'utf8').replace(/pod-security\.kubernetes\.io\/enforce: restricted/g, 'pod-security.kubernetes.io/enforce: privileged');
    writeFileSync(file, planted);
    const purpose = `synth:dev/kubernetes/${key}`;
    const stored = readFileSync(join(dir, key, 'entry.json'), 'utf8');
    const entry = JSON.parse(cacheSeal.openSealed(purpose, stored) ?? stored.slice(stored.indexOf('\n') + 1)) as { artifacts: { sha256: string; bytes: number }[] };
    entry.artifacts[index] = { ...entry.artifacts[index], sha256: sha256(planted), bytes: Buffer.byteLength(planted) };
    writeFileSync(join(dir, key, 'entry.json'), sealed ? cacheSeal.sealText(purpose, JSON.stringify(entry))! : JSON.stringify(entry));
  }

  it('--no-cache renders afresh, and deploy never trusts the cache for its gate', async () => {
    const root = tempProject('ndc-cache-cli-');
    const run = async (...args: string[]) => {
      const { io, out, err } = captureIO(root);
      const code = await main(args, io, {});
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    expect((await run('synth', '--env', 'dev')).code).toBe(0);
    const fresh = readFileSync(join(root, 'out/dev/kubernetes/north.yaml'), 'utf8');
    expect(fresh).toContain('enforce: restricted');
    // An entry planted without this machine's cache key is never served, however consistent its sha256s.
    plant(root, false);
    expect((await run('synth', '--env', 'dev')).code).toBe(0);
    expect(readFileSync(join(root, 'out/dev/kubernetes/north.yaml'), 'utf8')).toBe(fresh);
    // One sealed with the key passes the cache's own checks, so synth serves it...
    plant(root, true);
    expect((await run('synth', '--env', 'dev')).code).toBe(0);
    expect(readFileSync(join(root, 'out/dev/kubernetes/north.yaml'), 'utf8')).not.toBe(fresh);
    // ...but the deploy gate renders afresh and refuses what the environment does not render to.
    const deploy = await run('deploy', '--env', 'dev', '--dry-run');
    expect(deploy.code).not.toBe(0);
    expect(deploy.err).toMatch(/is not what environments\/dev\.ts renders now/);
    // --no-cache gives the true render (and replaces the planted entry).
    expect((await run('synth', '--env', 'dev', '--no-cache')).code).toBe(0);
    expect(readFileSync(join(root, 'out/dev/kubernetes/north.yaml'), 'utf8')).toBe(fresh);
    expect((await run('synth', '--env', 'dev')).code).toBe(0);
    expect(readFileSync(join(root, 'out/dev/kubernetes/north.yaml'), 'utf8')).toBe(fresh);
  });
});

/** The cached file holding the system objects (YAML with NetworkPolicies), not the prerequisites or Pulumi settings. */
function systemObjectsIndex(entryDir: string): number {
  const files = readdirSync(join(entryDir, 'files'));
  const index = files.findIndex((name) => readFileSync(join(entryDir, 'files', name), 'utf8').includes('kind: NetworkPolicy'));
  expect(index).toBeGreaterThanOrEqual(0);
  return Number(files[index]);
}
