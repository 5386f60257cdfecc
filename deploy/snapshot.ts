import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { sha256, stableJson } from '../core/canonical-json';
import { InputError } from '../core/errors';
import { digestProblems, SNAPSHOTS_DIR, type Manifest } from '../stacks/manifest';
import { snapshotDir, TERRAFORM_CONFIG_FILE, terraformWorkDir, type Wave } from './waves';

/**
 * The private, content-addressed copy of exactly the manifest's files that deploy and destroy apply:
 * .ndc/snapshots/<digest>/, created mode 0700 beside the project (same file system), every sha256 checked
 * in the copy itself, then made read-only. A synth during a run, or a file dropped into out/<env>/, cannot
 * reach an engine: they all run in the snapshot (Terraform through a work dir that links to it).
 */
export interface Snapshot {
  /** Relative to the project root. */
  readonly dir: string;
  /** false when a complete, verified snapshot of this digest was already there. */
  readonly created: boolean;
  readonly files: number;
  readonly bytes: number;
}

/** Why a snapshot could not be made (a file changed after the gate opened); deploy refuses with it. */
export class SnapshotError extends InputError {
  constructor(what: string) {
    super('deploy snapshot', `${what}`);
  }
}

const FILE_MODE = 0o400;
const DIR_MODE = 0o500;

export function takeSnapshot(root: string, manifest: Manifest): Snapshot {
  const problems = digestProblems(manifest);
  if (problems.length > 0) throw new SnapshotError(`out/${manifest.env}/${problems[0]}`);
  const relative = snapshotDir(manifest.digest);
  const target = join(root, relative);
  const bytes = manifest.artifacts.reduce((n, a) => n + a.bytes, 0);
  const summary = (created: boolean): Snapshot => ({ dir: relative, created, files: manifest.artifacts.length, bytes });
  if (existsSync(target)) {
    // Content-addressed: a complete copy of this digest is reused once verified, anything else set aside.
    if (verifySnapshot(target, manifest).length === 0) return summary(false);
    removeTree(target);
  }
  const parent = join(root, SNAPSHOTS_DIR);
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  chmodSync(parent, 0o700);
  const staging = join(parent, `.staging-${manifest.digest.slice(0, 12)}-${randomBytes(4).toString('hex')}`);
  mkdirSync(staging, { mode: 0o700 });
  try {
    const source = join(root, 'out', manifest.env);
    for (const artifact of manifest.artifacts) {
      const file = join(staging, artifact.path);
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(file, readFileSync(join(source, artifact.path)), { mode: FILE_MODE, flag: 'wx' });
    }
    writeFileSync(join(staging, 'manifest.json'), stableJson(manifest), { mode: FILE_MODE, flag: 'wx' });
    // Checked in the copy, after copying: what the engines will read is what the manifest lists.
    const wrong = verifySnapshot(staging, manifest);
    if (wrong.length > 0) throw new SnapshotError(`out/${manifest.env}/${wrong[0]}`);
    sealTree(staging);
    try {
      renameSync(staging, target);
    } catch (error) {
      // Another run made the same snapshot meanwhile: use theirs once it verifies.
      if (existsSync(target) && verifySnapshot(target, manifest).length === 0) {
        removeTree(staging);
        return summary(false);
      }
      throw error;
    }
  } catch (error) {
    if (existsSync(staging)) removeTree(staging);
    throw error;
  }
  return summary(true);
}

/**
 * What is wrong with a snapshot directory: a listed file missing or with another sha256 (named with the
 * sha256 found), a file the manifest does not list, or a manifest.json that is not this manifest. Empty when it is exact.
 */
export function verifySnapshot(dir: string, manifest: Manifest): string[] {
  const wrong: string[] = [];
  const listed = new Set(manifest.artifacts.map((a) => a.path));
  for (const artifact of manifest.artifacts) {
    const file = join(dir, artifact.path);
    let found: string;
    try {
      found = lstatSync(file).isFile() ? sha256(readFileSync(file)) : 'not a regular file';
    } catch {
      found = 'missing';
    }
    if (found !== artifact.sha256) wrong.push(`${artifact.path} (sha256 ${found.length === 64 ? `${found.slice(0, 12)}...` : found}, the manifest says ${artifact.sha256.slice(0, 12)}...; it changed after the gate opened)`);
  }
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile) || readFileSync(manifestFile, 'utf8') !== stableJson(manifest)) wrong.push('manifest.json (not the manifest the gate judged)');
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (path !== 'manifest.json' && !listed.has(path)) wrong.push(`${path} (not listed in the manifest)`);
    }
  };
  walk('');
  return wrong;
}

/** Files read-only, directories read-and-enter only, deepest first. */
function sealTree(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) sealTree(path);
    else chmodSync(path, FILE_MODE);
  }
  chmodSync(dir, DIR_MODE);
}

/** Removes a sealed tree (its directories must be made writable again first). */
export function removeTree(dir: string): void {
  const unseal = (path: string) => {
    chmodSync(path, 0o700);
    for (const entry of readdirSync(path, { withFileTypes: true })) if (entry.isDirectory()) unseal(join(path, entry.name));
  };
  try {
    unseal(dir);
  } catch {
    // removed meanwhile, or not a directory: rmSync reports what matters
  }
  rmSync(dir, { recursive: true, force: true });
}

/** The one file a work dir keeps between runs: tofu's own dependency lock (a regular file; a link is removed). */
const TERRAFORM_LOCK_FILE = '.terraform.lock.hcl';

/**
 * Prepares each Terraform stack's work dir: private, writable for the engine's own state, and holding
 * exactly one configuration file, a link to the snapshot's artifact. Everything else that was there is
 * removed (the digest is known in advance, so an author could have planted a provider build in the data
 * dir or terraform.d/plugins), except tofu's lock file, whose hashes only ever refuse a provider.
 */
export function prepareTerraformWorkDirs(root: string, manifest: Manifest, waves: readonly Wave[]): void {
  for (const step of waves.flatMap((w) => w.steps)) {
    if (step.engine !== 'terraform') continue;
    const relative = terraformWorkDir(manifest.digest, step.stack);
    const dir = join(root, relative);
    const lock = regularFileContent(join(dir, TERRAFORM_LOCK_FILE));
    removeEntry(dir);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    if (lock !== undefined) writeFileSync(join(dir, TERRAFORM_LOCK_FILE), lock, { mode: 0o600, flag: 'wx' });
    const target = posix.relative(relative, `${snapshotDir(manifest.digest)}/${step.artifact}`);
    symlinkSync(target, join(dir, TERRAFORM_CONFIG_FILE));
  }
}

/** The bytes of a regular file (not a link), or undefined. */
function regularFileContent(file: string): Buffer | undefined {
  try {
    return lstatSync(file).isFile() ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

/** Removes a path without following it: a link goes, never what it points at. */
function removeEntry(path: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = lstatSync(path).isDirectory();
  } catch {
    return;
  }
  if (isDirectory) removeTree(path);
  else rmSync(path, { force: true });
}
