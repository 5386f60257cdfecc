import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sha256 } from '../../core/canonical-json';
import { prepareTerraformWorkDirs, SnapshotError, takeSnapshot, verifySnapshot } from '../../deploy/snapshot';
import { buildWaves, terraformWorkDir } from '../../deploy/waves';
import { loadEnvironment } from '../../environments/load';
import { unlistedFiles } from '../../stacks/manifest';
import { synthesizedProject } from './fixture';

/** Every file under a directory, relative, sorted. */
function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

describe('the deploy snapshot', () => {
  it('holds exactly the manifest files, read-only in a private directory named by the digest', () => {
    const { root, manifest } = synthesizedProject('dev');
    writeFileSync(join(root, 'out/dev/terraform/cluster-north/extra.tf.json'), '{}');
    const snapshot = takeSnapshot(root, manifest);
    expect(snapshot).toEqual({ dir: `.ndc/snapshots/${manifest.digest}`, created: true, files: manifest.artifacts.length, bytes: manifest.artifacts.reduce((n, a) => n + a.bytes, 0) });
    const dir = join(root, snapshot.dir);
    expect(filesUnder(dir)).toEqual([...manifest.artifacts.map((a) => a.path), 'manifest.json'].sort());
    for (const artifact of manifest.artifacts) {
      expect(sha256(readFileSync(join(dir, artifact.path)))).toBe(artifact.sha256);
      expect(statSync(join(dir, artifact.path)).mode & 0o777).toBe(0o400);
    }
    expect(statSync(dir).mode & 0o777).toBe(0o500);
    expect(statSync(join(root, '.ndc/snapshots')).mode & 0o777).toBe(0o700);
    expect(verifySnapshot(dir, manifest)).toEqual([]);
    // A second run of the same digest reuses it once verified.
    expect(takeSnapshot(root, manifest).created).toBe(false);
  });

  it('refuses a file that changed after the manifest was read, leaving no snapshot behind', () => {
    const { root, manifest } = synthesizedProject('dev');
    const file = join(root, 'out/dev/terraform/cluster-north/cdk.tf.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"c4.small"', '"c4.xlarge"'));
    expect(() => takeSnapshot(root, manifest)).toThrow(SnapshotError);
    expect(() => takeSnapshot(root, manifest)).toThrow(/^deploy snapshot: out\/dev\/terraform\/cluster-north\/cdk\.tf\.json \(sha256 [0-9a-f]{12}\.\.\., the manifest says [0-9a-f]{12}\.\.\.; it changed after the gate opened\)$/);
    expect(readdirSync(join(root, '.ndc/snapshots'))).toEqual([]);
  });

  it('replaces a snapshot of the same digest that was altered', () => {
    const { root, manifest } = synthesizedProject('dev');
    const dir = join(root, takeSnapshot(root, manifest).dir);
    const file = join(dir, 'terraform/national-core/cdk.tf.json');
    chmodSync(file, 0o600);
    writeFileSync(file, '{}');
    expect(verifySnapshot(dir, manifest)).toEqual([expect.stringMatching(/^terraform\/national-core\/cdk\.tf\.json \(sha256 /)]);
    expect(takeSnapshot(root, manifest).created).toBe(true);
    expect(verifySnapshot(dir, manifest)).toEqual([]);
  });

  it('gives each Terraform stack a work dir whose only configuration is a link to the snapshot', () => {
    const { root, manifest } = synthesizedProject('dev');
    const { env } = loadEnvironment(root, 'dev');
    const waves = buildWaves({ root, manifest, env, operation: 'deploy' });
    takeSnapshot(root, manifest);
    prepareTerraformWorkDirs(root, manifest, waves);
    const work = join(root, terraformWorkDir(manifest.digest, 'cluster-north'));
    writeFileSync(join(work, 'planted.tf.json'), '{}');
    writeFileSync(join(work, 'terraform.tfvars'), 'x = 1');
    writeFileSync(join(work, '.terraform.lock.hcl'), '# lock');
    prepareTerraformWorkDirs(root, manifest, waves);
    expect(readdirSync(work).sort()).toEqual(['.terraform.lock.hcl', 'cdk.tf.json']);
    expect(realpathSync(join(work, 'cdk.tf.json'))).toBe(realpathSync(join(root, `.ndc/snapshots/${manifest.digest}/terraform/cluster-north/cdk.tf.json`)));
    expect(existsSync(join(root, 'out/dev/terraform/cluster-north/.terraform.lock.hcl'))).toBe(false);
  });

  it('empties a work dir planted ahead of the deploy: no provider binary, data dir, plugin mirror or lock link survives', () => {
    // The digest is known before the deploy, so an author can commit .ndc/terraform/<digest>/<stack>/ with a
    // provider build of their own in the data dir (and the lock hashes to match) or in terraform.d/plugins.
    const { root, manifest } = synthesizedProject('dev');
    const { env } = loadEnvironment(root, 'dev');
    const waves = buildWaves({ root, manifest, env, operation: 'deploy' });
    takeSnapshot(root, manifest);
    const work = join(root, terraformWorkDir(manifest.digest, 'national-core'));
    const provider = 'registry.opentofu.org/terraform-provider-openstack/openstack/3.4.0/linux_amd64/terraform-provider-openstack_v3.4.0';
    for (const planted of [`.terraform/providers/${provider}`, `terraform.d/plugins/${provider}`, '.terraform/environment', 'terraform.tfstate.d/other/terraform.tfstate']) {
      mkdirSync(dirname(join(work, planted)), { recursive: true });
      writeFileSync(join(work, planted), 'planted');
    }
    // A lock file that is a link would have tofu write through it, outside the work dir.
    const outside = join(root, 'outside.txt');
    writeFileSync(outside, 'not the engine\'s to write');
    symlinkSync(outside, join(work, '.terraform.lock.hcl'));
    // The next stack's work dir is itself a link: emptying it must not empty what it points at.
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'keep.txt'), 'keep');
    const clusterWork = join(root, terraformWorkDir(manifest.digest, 'cluster-north'));
    mkdirSync(dirname(clusterWork), { recursive: true });
    symlinkSync(elsewhere, clusterWork);
    prepareTerraformWorkDirs(root, manifest, waves);
    expect(readdirSync(work)).toEqual(['cdk.tf.json']);
    expect(lstatSync(clusterWork).isDirectory()).toBe(true);
    expect(readdirSync(clusterWork)).toEqual(['cdk.tf.json']);
    expect(readdirSync(elsewhere)).toEqual(['keep.txt']);
    expect(readFileSync(outside, 'utf8')).toBe('not the engine\'s to write');
  });

  it('names every file out/<env>/ holds beyond the manifest, but not the reports ndc start writes', () => {
    const { root, manifest } = synthesizedProject('dev');
    expect(unlistedFiles(root, manifest)).toEqual([]);
    for (const name of ['report.html', 'report.sarif', 'terraform/cluster-north/override.tf.json', 'kubernetes/extra.yaml']) writeFileSync(join(root, 'out/dev', name), '{}');
    expect(unlistedFiles(root, manifest)).toEqual(['kubernetes/extra.yaml', 'terraform/cluster-north/override.tf.json']);
  });
});
