import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../core/canonical-json';
import { digestsOf, readManifest, verifyArtifacts } from '../stacks/manifest';
import { synthEnvironment } from '../stacks/synth';
import { synthCommand, describeSynth } from '../cli/commands/synth';
import { main } from '../cli/main';
import { captureIO, environmentInput, REPO, tempProject, writeEnvironmentJson } from './helpers';

// The module object itself (not an import namespace copy), so a spy reaches stacks/synth.ts too.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs = require('node:fs') as typeof import('node:fs');
const realWriteFileSync = fs.writeFileSync;

/** Every file under a directory with its bytes, by relative path. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (sub: string) => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else files[rel] = readFileSync(join(dir, rel), 'utf8');
    }
  };
  walk('');
  return files;
}

describe('ndc synth', () => {
  it('writes the artifacts and a manifest whose hashes and digest match them', () => {
    const root = tempProject();
    const result = synthEnvironment(root, 'prod');
    const manifest = readManifest(root, 'prod')!;
    expect(manifest.env).toBe('prod');
    expect(manifest.digest).toBe(result.manifest.digest);
    expect(manifest.artifacts.map((a) => a.path)).toEqual([
      'cloudformation/cdk.out',
      'cloudformation/manifest.json',
      'cloudformation/public-edge-global.assets.json',
      'cloudformation/public-edge-global.nag.json',
      'cloudformation/public-edge-global.template.json',
      'cloudformation/public-edge-origin.assets.json',
      'cloudformation/public-edge-origin.nag.json',
      'cloudformation/public-edge-origin.template.json',
      'kubernetes/central.yaml',
      'kubernetes/north.yaml',
      'kubernetes/prerequisites/central.yaml',
      'kubernetes/prerequisites/north.yaml',
      'kubernetes/prerequisites/south.yaml',
      'kubernetes/south.yaml',
      // The Pulumi project and stack files deploy uses, copied so the digest covers them.
      'pulumi/Pulumi.prod-central-prerequisites.yaml',
      'pulumi/Pulumi.prod-central.yaml',
      'pulumi/Pulumi.prod-north-prerequisites.yaml',
      'pulumi/Pulumi.prod-north.yaml',
      'pulumi/Pulumi.prod-south-prerequisites.yaml',
      'pulumi/Pulumi.prod-south.yaml',
      'pulumi/Pulumi.yaml',
      'pulumi/provider-versions.json',
      'terraform/backup-vaults/cdk.tf.json',
      'terraform/cluster-central/cdk.tf.json',
      'terraform/cluster-north/cdk.tf.json',
      'terraform/cluster-south/cdk.tf.json',
      'terraform/national-core/cdk.tf.json',
    ]);
    for (const artifact of manifest.artifacts) {
      const bytes = readFileSync(join(root, 'out/prod', artifact.path));
      expect(artifact.sha256).toBe(sha256(bytes));
      expect(artifact.bytes).toBe(bytes.length);
      // The Pulumi project and stack files (pulumi/) are settings of the Kubernetes engine.
      expect(artifact.engine).toBe(artifact.path.startsWith('pulumi/') ? 'kubernetes' : artifact.path.split('/')[0]);
    }
    expect(manifest.digest).toBe(digestsOf(manifest, manifest.artifacts).digest);
    expect(manifest.systems.find((s) => s.id === 'population-db')).toEqual({
      id: 'population-db',
      name: 'National Population Database',
      level: 5,
      regions: ['north', 'south'],
      owner: 'Ministry of Public Security',
      classification: 'secret',
      personalData: true,
    });
    expect(verifyArtifacts(root, manifest)).toEqual([]);
  });

  it('detects an artifact edited after synthesis', () => {
    const root = tempProject();
    synthEnvironment(root, 'dev');
    const file = join(root, 'out/dev/terraform/cluster-north/cdk.tf.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"c4.small"', '"c4.huge"'));
    expect(verifyArtifacts(root, readManifest(root, 'dev')!)).toEqual(['terraform/cluster-north/cdk.tf.json']);
  });

  it('is deterministic: two runs, and runs in two different clones, give byte-identical output', () => {
    const first = tempProject('ndc-clone-a-');
    const second = tempProject('ndc-clone-b-');
    synthEnvironment(first, 'prod');
    const once = snapshot(join(first, 'out/prod'));
    synthEnvironment(first, 'prod');
    expect(snapshot(join(first, 'out/prod'))).toEqual(once);
    synthEnvironment(second, 'prod');
    expect(snapshot(join(second, 'out/prod'))).toEqual(once);
    const text = Object.values(once).join('\n');
    expect(text).not.toContain(first);
    expect(text).not.toContain(REPO);
    expect(text).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:\d\d/);
  });

  it('any change to what would be deployed changes the digest', () => {
    const root = tempProject();
    const before = synthEnvironment(root, 'dev').manifest.digest;
    const env = environmentInput('dev');
    env.systems![0].tiers[0].instances = 2;
    rmSync(join(root, 'environments/dev.ts'));
    writeEnvironmentJson(root, 'dev', env);
    expect(synthEnvironment(root, 'dev').manifest.digest).not.toBe(before);
  });

  it('bad input exits 2 with one line and leaves out/E as it was', async () => {
    const root = tempProject();
    synthEnvironment(root, 'staging');
    const before = snapshot(join(root, 'out/staging'));
    const env = environmentInput('staging');
    env.regions[1].addressPlan.segments.dmz = '10.110.4.0/22';
    rmSync(join(root, 'environments/staging.ts'));
    writeEnvironmentJson(root, 'staging', env);
    const { io, out, err } = captureIO(root);
    expect(await main(['synth', '--env', 'staging'], io)).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual(["ndc synth: environments/staging.json: regions[1].addressPlan.segments.dmz: \"10.110.4.0/22\": is outside its region's range 10.120.0.0/16"]);
    expect(snapshot(join(root, 'out/staging'))).toEqual(before);
    expect(readdirSync(join(root, 'out'))).toEqual(['staging']);
  });

  it('a failure part-way through writing leaves the previous output in place and no debris', () => {
    const root = tempProject();
    synthEnvironment(root, 'dev');
    const before = snapshot(join(root, 'out/dev'));
    const env = environmentInput('dev');
    env.systems![0].tiers[0].instances = 3;
    rmSync(join(root, 'environments/dev.ts'));
    writeEnvironmentJson(root, 'dev', env);
    let writes = 0;
    const spy = jest.spyOn(fs, 'writeFileSync').mockImplementation((...args: Parameters<typeof fs.writeFileSync>) => {
      if (++writes === 2) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      return realWriteFileSync(...args);
    });
    try {
      expect(() => synthEnvironment(root, 'dev')).toThrow('ENOSPC');
    } finally {
      spy.mockRestore();
    }
    expect(writes).toBe(2);
    expect(snapshot(join(root, 'out/dev'))).toEqual(before);
    expect(readdirSync(join(root, 'out'))).toEqual(['dev']);
  });

  it('prints the summary: clusters, zones per cluster, systems by level, resources per stack, digest', async () => {
    const root = tempProject();
    const { io, out } = captureIO(root);
    expect(await synthCommand({ env: 'prod' }, io)).toBe(0);
    const text = out.join('\n');
    expect(text).toContain('Regional clusters (3):');
    expect(text).toMatch(/north +Hoa Lac, Hanoi/);
    expect(text).toContain('zones: 8 shared (edge, dmz, internal-server, database, management, device-management, backup, gov-interconnect) + 18 dedicated to level 4-5 systems');
    expect(text).toContain('level 5: population-db (north -> south)');
    // The platform is a level-4 system of its own, in every cluster (Decree 85/2016 art. 10(3)).
    expect(text).toContain('level 4: national-cloud-platform (north -> central -> south), public-service-portal (north -> south), digital-signature-ca (north -> central)');
    const platform = readManifest(root, 'prod')!.scopes.find((s) => s.id === 'national-cloud-platform')!;
    const lines = (JSON.parse(readFileSync(join(root, 'out', 'prod', 'resources.json'), 'utf8')) as { reachability: Record<string, string[]> }).reachability['national-cloud-platform'].length;
    expect(lines).toBeGreaterThan(0);
    expect(text).toMatch(new RegExp(`^ {2}national-cloud-platform +level 4 +${platform.resources} resources \\+ ${platform.settings} engine settings, ${lines} reachability lines +${platform.digest}$`, 'm'));
    expect(text).toMatch(/terraform +cluster-north +\d+ resources/);
    expect(text).toContain(`Digest: ${readManifest(root, 'prod')!.digest}`);
    expect(describeSynth(synthEnvironment(root, 'prod'), root).join('\n')).toBe(text);
  });

  it('--json prints machine-readable output', async () => {
    const root = tempProject();
    const { io, out } = captureIO(root, true);
    expect(await main(['synth', '--env', 'dev', '--json'], { ...io, json: false })).toBe(0);
    const parsed = JSON.parse(out.join('\n')) as { env: string; digest: string; artifacts: unknown[] };
    expect(parsed.env).toBe('dev');
    expect(parsed.digest).toBe(readManifest(root, 'dev')!.digest);
    expect(parsed.artifacts).toHaveLength(9);
  });

  it('rejects unknown options and commands with usage, exit 2', async () => {
    const { io, err } = captureIO(REPO);
    expect(await main(['synth', '--env', 'dev', '--frobnicate'], io)).toBe(2);
    expect(err[0]).toBe("ndc synth: unknown option '--frobnicate' (see ndc synth --help)");
    expect(await main(['levitate'], io)).toBe(2);
    expect(err[1]).toBe("ndc: unknown command 'levitate' (see ndc --help)");
  });
});

describe('the ndc executable', () => {
  it('runs from bin/ndc.js: exit 2 and one line on stderr for bad input, no stack trace', () => {
    const root = tempProject();
    const run = spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), 'synth', '--env', 'nowhere'], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('ndc synth: environments/nowhere.ts: no such environment file (known: dev, prod, staging)\n');
  });

  it('synthesizes from the command line into the working directory', () => {
    const root = tempProject();
    const run = spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), 'synth', '--env', 'dev'], { cwd: root, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Wrote out/dev/ (9 artifacts, resources.json and manifest.json)');
    expect(existsSync(join(root, 'out/dev/manifest.json'))).toBe(true);
  });
});
