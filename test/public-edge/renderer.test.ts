import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../../cli/main';
import { buildCloud } from '../../constructs';
import { readManifest, verifyArtifacts } from '../../stacks/manifest';
import { publicEdgeRenderer } from '../../stacks/public-edge/renderer';
import { synthEnvironment } from '../../stacks/synth';
import { installReachIn } from '../helpers';
import { environment, renderEdge, ROOT, withSystem } from './fixtures';

describe('public-edge renderer', () => {
  const prod = environment('prod');
  const first = renderEdge(prod).artifacts;

  test('writes both templates, their cdk-nag reports and the cloud assembly the CDK CLI deploys from', () => {
    expect(first.map((a) => a.path)).toEqual([
      'cloudformation/public-edge-origin.template.json',
      'cloudformation/public-edge-origin.nag.json',
      'cloudformation/public-edge-origin.assets.json',
      'cloudformation/public-edge-global.template.json',
      'cloudformation/public-edge-global.nag.json',
      'cloudformation/public-edge-global.assets.json',
      'cloudformation/manifest.json',
      'cloudformation/cdk.out',
    ]);
    expect(first.every((a) => a.engine === 'cloudformation')).toBe(true);
    expect(new Set(first.map((a) => a.stack)).size).toBe(first.length);
    expect(first.find((a) => a.stack === 'public-edge-global')!.resources).toBe(5);
    expect(first.find((a) => a.stack === 'public-edge-origin')!.resources).toBe(4);
  });

  test('rendered on a worker thread (as a cold synthesis by the compiled command does), the artifacts are byte-identical', () => {
    // The worker loads the TypeScript sources through tsx here, the compiled modules under dist/.
    const wait = publicEdgeRenderer.renderAhead!(buildCloud(prod), prod, 'environments/prod.ts');
    const ahead = wait();
    expect(ahead.map((a) => [a.path, a.engine, a.stack, a.resources])).toEqual(first.map((a) => [a.path, a.engine, a.stack, a.resources]));
    expect(ahead.map((a) => a.content)).toEqual(first.map((a) => a.content));
  });

  test('the cloud assembly gives each stack its region and carries no construct metadata', () => {
    const assembly = JSON.parse(first.find((a) => a.path === 'cloudformation/manifest.json')!.content);
    expect(assembly.artifacts['public-edge-origin'].environment).toBe('aws://unknown-account/ap-southeast-1');
    expect(assembly.artifacts['public-edge-global'].environment).toBe('aws://unknown-account/us-east-1');
    expect(assembly.artifacts['public-edge-global'].additionalMetadataFile).toBeUndefined();
    // CloudFront's logging needs the origin stack's log bucket first: the CDK CLI deploys in this order.
    expect(assembly.artifacts['public-edge-global'].dependencies).toContain('public-edge-origin');
  });

  test('is deterministic: a second render is byte-identical and holds no absolute path, temp dir or timestamp', () => {
    const second = renderEdge(environment('prod')).artifacts;
    expect(second.map((a) => a.content)).toEqual(first.map((a) => a.content));
    for (const artifact of first) {
      expect(artifact.content).not.toContain(resolve(ROOT));
      expect(artifact.content).not.toContain(tmpdir());
      expect(artifact.content).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:/);
    }
  });

  test('applies only to environments with systems on the edge', () => {
    expect(publicEdgeRenderer.applies(buildCloud(prod), prod)).toBe(true);
    const dev = environment('dev');
    expect(publicEdgeRenderer.applies(buildCloud(dev), dev)).toBe(false);
  });

  test('edge settings naming a system that is not on the edge are refused even when nothing is on the edge', () => {
    const forgot = withSystem(prod, 'open-data-portal', { publicEdge: false });
    expect(() => publicEdgeRenderer.applies(buildCloud(forgot), forgot)).toThrow(
      'environments/prod.ts: edge.systems.open-data-portal: system "open-data-portal" is not placed on the public edge; set publicEdge: true on it or remove this entry (edge systems: none)',
    );
    const empty = { ...forgot, edge: { ...forgot.edge, systems: {}, acknowledgements: [] } };
    expect(publicEdgeRenderer.applies(buildCloud(empty), empty)).toBe(false);
  });

  test('ndc synth writes the edge artifacts under out/E/cloudformation and covers them by the manifest digest', () => {
    const copy = (edit: (source: string) => string = (s) => s): string => {
      const root = mkdtempSync(join(tmpdir(), 'ndc-edge-synth-'));
      cpSync(join(ROOT, 'environments'), join(root, 'environments'), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
      const file = join(root, 'environments/prod.ts');
      writeFileSync(file, edit(readFileSync(file, 'utf8')));
      return root;
    };
    const root = copy();
    // Changing a served host name changes the template, hence the digest reviewers approve.
    const renamed = copy((source) => source.replace("domainName: 'data.gov.vn'", "domainName: 'opendata.gov.vn'"));
    try {
      const result = synthEnvironment(root, 'prod');
      const manifest = readManifest(root, 'prod')!;
      const edge = manifest.artifacts.filter((a) => a.engine === 'cloudformation');
      expect(edge.map((a) => a.path).sort()).toEqual(first.map((a) => a.path).sort());
      expect(verifyArtifacts(root, manifest)).toEqual([]);
      expect(readFileSync(join(root, 'out/prod/cloudformation/public-edge-global.template.json'), 'utf8')).toBe(first[3].content);
      expect(synthEnvironment(renamed, 'prod').manifest.digest).not.toBe(result.manifest.digest);
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(renamed, { recursive: true, force: true });
    }
  });
});

describe('ndc synth with bad edge settings', () => {
  test('exits 2 with one line naming the file, field and reason, and leaves out/ as it was', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ndc-edge-bad-'));
    try {
      cpSync(join(ROOT, 'environments'), join(root, 'environments'), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
      const file = join(root, 'environments/prod.ts');
      writeFileSync(file, readFileSync(file, 'utf8').replace("openDataEdge({ domainName: 'data.gov.vn' })", "{ ...openDataEdge({ domainName: 'data.gov.vn' }), region: 'vn-hanoi' }"));
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(['synth', '--env', 'prod'], { root, out: (l) => out.push(l), err: (l) => err.push(l), json: false, now: () => new Date('2026-11-27T00:00:00Z') });
      expect(code).toBe(2);
      expect(err).toEqual(['ndc synth: environments/prod.ts: edge.region: "vn-hanoi": must be an AWS region name such as ap-southeast-1']);
      expect(existsSync(join(root, 'out'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('aws-cdk-lib is loaded only for environments with an edge', () => {
  // A fresh Node process (jest keeps its own module registry): render, then report what require.cache holds.
  const probe = (env: string) =>
    JSON.parse(
      execFileSync(
        process.execPath,
        [
          '-e',
          `require('tsx/cjs');
           ${installReachIn()}
           const { renderEnvironment } = require('./stacks/synth.ts');
           const r = renderEnvironment(process.cwd(), ${JSON.stringify(env)});
           // What ndc check adds: the public-edge pack, evaluated on the rendered artifacts.
           const { pack } = require('./policies/rules/public-edge/index.ts');
           const text = new Map(r.artifacts.map((a) => [a.path, a.content]));
           const cloudformation = new Map(r.artifacts.filter((a) => a.engine === 'cloudformation').map((a) => [a.stack, JSON.parse(a.content)]));
           const context = { env: r.env, cloud: r.cloud, manifest: r.manifest, artifacts: { terraform: new Map(), kubernetes: new Map(), cloudformation, text }, asOf: new Date() };
           const failures = pack.flatMap((rule) => rule.check(context).filter((x) => x.status === 'fail'));
           const loaded = (name) => Object.keys(require.cache).some((k) => k.includes('/node_modules/' + name + '/'));
           process.stdout.write(JSON.stringify({ engines: [...new Set(r.artifacts.map((a) => a.engine))], failures: failures.length, cdk: loaded('aws-cdk-lib'), nag: loaded('cdk-nag') }));`,
        ],
        { cwd: join(__dirname, '../..'), encoding: 'utf8' },
      ),
    ) as { engines: string[]; failures: number; cdk: boolean; nag: boolean };

  test('rendering and checking dev (no edge systems) never requires aws-cdk-lib or cdk-nag', () => {
    expect(probe('dev')).toEqual({ engines: ['terraform', 'kubernetes'], failures: 0, cdk: false, nag: false });
  });

  test('rendering prod (open-data portal on the edge) does', () => {
    expect(probe('prod')).toEqual({ engines: ['terraform', 'kubernetes', 'cloudformation'], failures: 0, cdk: true, nag: true });
  });
});
