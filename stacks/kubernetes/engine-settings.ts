import { existsSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { stableJson } from '../../core/canonical-json';
import type { Artifact } from '../manifest';
import { SNAPSHOTS_DIR } from '../manifest';
import { PULUMI_PROJECT_DIR } from './deployment';

/**
 * The Pulumi settings deploy uses, copied into out/<env>/pulumi/ at synthesis so they are manifest-listed
 * artifacts under the digest: the project file (Pulumi.yaml: runtime, entry point, possibly a backend) and
 * each cluster's stack file (Pulumi.<env>-<cluster>.yaml: `kubernetes:context` decides which cluster is
 * changed). Deploy runs pulumi in the snapshot's copy of this folder, never in stacks/kubernetes.
 */
export const PULUMI_SETTINGS_DIR = 'pulumi';

/** The `stack` of every settings artifact: no Pulumi stack has this name, so nothing takes them for objects to apply. */
export const SETTINGS_STACK = 'pulumi-settings';

/**
 * Pulumi.yaml's `main`, rewritten to reach the program from the snapshot's pulumi/ folder
 * (.ndc/snapshots/<digest>/pulumi), the only place pulumi runs; the program is code, not a setting.
 */
export function snapshotProgramPath(main: string): string {
  const fromSnapshot = posix.relative(`${SNAPSHOTS_DIR}/digest/${PULUMI_SETTINGS_DIR}`, PULUMI_PROJECT_DIR);
  return posix.join(fromSnapshot, main);
}

/** The packages whose versions decide what Pulumi does: the engine's SDK and the Kubernetes provider plugin it pins. */
const PULUMI_PACKAGES = ['@pulumi/kubernetes', '@pulumi/pulumi'] as const;

/**
 * The installed versions of the Pulumi packages, as the program would load them from the project: a
 * provider upgrade changes the digest (and `approve`/the gate see it as a render that differs).
 */
function providerVersions(root: string): string {
  const versions: Record<string, string> = {};
  for (const name of PULUMI_PACKAGES) {
    const file = join(root, 'node_modules', name, 'package.json');
    versions[name] = existsSync(file) ? String((JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown }).version) : 'not installed';
  }
  return stableJson(versions);
}

/** The settings artifacts for these Pulumi stacks (`<env>-<cluster>`, `<env>-<cluster>-prerequisites`); stack files that do not exist are left out. */
export function pulumiSettingsArtifacts(root: string, stacks: readonly string[]): Artifact[] {
  const project = join(root, PULUMI_PROJECT_DIR, 'Pulumi.yaml');
  if (stacks.length === 0 || !existsSync(project)) return [];
  const text = readFileSync(project, 'utf8');
  const main = /^main:\s*(\S+)\s*$/m.exec(text);
  const rewritten = main ? text.replace(/^main:\s*(\S+)\s*$/m, `main: ${snapshotProgramPath(main[1])}`) : `${text.endsWith('\n') ? text : `${text}\n`}main: ${snapshotProgramPath('.')}\n`;
  const artifacts: Artifact[] = [
    { path: `${PULUMI_SETTINGS_DIR}/Pulumi.yaml`, engine: 'kubernetes', stack: SETTINGS_STACK, content: rewritten, resources: 0 },
    { path: `${PULUMI_SETTINGS_DIR}/provider-versions.json`, engine: 'kubernetes', stack: SETTINGS_STACK, content: providerVersions(root), resources: 0 },
  ];
  for (const stack of [...stacks].sort()) {
    const file = join(root, PULUMI_PROJECT_DIR, `Pulumi.${stack}.yaml`);
    if (existsSync(file)) artifacts.push({ path: `${PULUMI_SETTINGS_DIR}/Pulumi.${stack}.yaml`, engine: 'kubernetes', stack: SETTINGS_STACK, content: readFileSync(file, 'utf8'), resources: 0 });
  }
  return artifacts;
}
