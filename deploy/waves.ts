import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError } from '../core/errors';
import type { Environment } from '../environments/schema';
import { PULUMI_SETTINGS_DIR } from '../stacks/kubernetes/engine-settings';
import { ARTIFACT_VARIABLE, localPulumiState } from '../stacks/kubernetes/deployment';
import { backupCredentialVariables, isPrerequisitesStack } from '../stacks/kubernetes/prerequisites';
import { SNAPSHOTS_DIR, type Manifest, type ManifestArtifact } from '../stacks/manifest';

/**
 * The order an environment is deployed in, read from its manifest: the national core first (the
 * interconnect every cluster attaches to), then the regional clusters side by side, then the backup
 * vaults (they copy between clusters), then Kubernetes on each cluster, then the public edge.
 * Destroy runs the same waves in reverse.
 */
export type Tool = 'terraform' | 'pulumi' | 'cdk';
export type Operation = 'deploy' | 'destroy' | 'plan';

export interface EngineCommand {
  readonly tool: Tool;
  readonly args: readonly string[];
  /** Working directory relative to the project root, forward slashes. */
  readonly cwd: string;
  /** Variables set for the child (not secrets: those are only ever passed by reference, below). */
  readonly env: Readonly<Record<string, string>>;
  /** Variables set for the child only when the user has not set them (their own engine configuration wins). */
  readonly envDefaults: Readonly<Record<string, string>>;
  /** Variables the child gets from another variable of ours: `{ PG_CONN_STR: 'STAGING_PG_CONN' }`. */
  readonly envFrom: Readonly<Record<string, string>>;
  /** Variables of ours the child never sees under their own name (credentials routed to one engine). */
  readonly envHidden?: readonly string[];
  /**
   * Exit codes that are not failures (`tofu plan -detailed-exitcode` exits 2 when there are changes).
   * Always includes 0.
   */
  readonly okExitCodes: readonly number[];
}

export interface StackStep {
  /** Unique in the environment, stable across runs: `<engine>/<stack>`. Resume and the ledger use it. */
  readonly id: string;
  readonly wave: number;
  readonly engine: ManifestArtifact['engine'];
  readonly stack: string;
  /** The artifact, relative to out/<env>/. */
  readonly artifact: string;
  readonly commands: readonly EngineCommand[];
}

export interface Wave {
  readonly index: number;
  readonly name: string;
  readonly parallel: boolean;
  readonly steps: readonly StackStep[];
}

/**
 * Every engine runs on the snapshot of the manifest's files (.ndc/snapshots/<digest>, see snapshot.ts),
 * never on out/<env>/: a synth during a deploy, or a file dropped beside an artifact, changes nothing applied.
 */
export function snapshotDir(digest: string): string {
  return `${SNAPSHOTS_DIR}/${digest}`;
}

/**
 * Two systems read AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY and need different key pairs: Pulumi for
 * its state in the national cloud's S3-compatible object store, the CDK CLI for the public edge on AWS.
 * Each pair has its own variables and reaches only its engine, renamed to what that engine reads; plain
 * AWS_* keys of ours reach no engine (a profile through AWS_PROFILE still does).
 */
export const STATE_STORE_KEYS: Readonly<Record<string, string>> = { AWS_ACCESS_KEY_ID: 'NDC_STATE_ACCESS_KEY_ID', AWS_SECRET_ACCESS_KEY: 'NDC_STATE_SECRET_ACCESS_KEY' };
export const EDGE_AWS_KEYS: Readonly<Record<string, string>> = {
  AWS_ACCESS_KEY_ID: 'NDC_EDGE_AWS_ACCESS_KEY_ID',
  AWS_SECRET_ACCESS_KEY: 'NDC_EDGE_AWS_SECRET_ACCESS_KEY',
  AWS_SESSION_TOKEN: 'NDC_EDGE_AWS_SESSION_TOKEN',
};
/** Hidden from every engine; each gets back only the pair routed to it through envFrom. */
const AWS_KEYS_HIDDEN = [...new Set([...Object.keys(EDGE_AWS_KEYS), ...Object.values(STATE_STORE_KEYS), ...Object.values(EDGE_AWS_KEYS)])];

export const WAVE_NAMES = ['national core', 'regional clusters', 'backup vaults', 'kubernetes prerequisites', 'kubernetes', 'public edge'] as const;

/** Waves whose stacks are independent of each other and run side by side. */
const PARALLEL_WAVES = new Set([2, 4, 5]);
const EDGE_WAVE = 6;

/** Where a stack goes: its wave (1-5). Unknown stacks are an error, not a guess. */
function waveOf(artifact: ManifestArtifact, env: string): number {
  if (artifact.engine === 'terraform') {
    if (artifact.stack === 'national-core') return 1;
    if (artifact.stack.startsWith('cluster-')) return 2;
    if (artifact.stack === 'backup-vaults') return 3;
    throw new InputError(
      `out/${env}/manifest.json: ${artifact.path}`,
      `terraform stack ${JSON.stringify(artifact.stack)} belongs to no deploy wave (national-core, cluster-<region>, backup-vaults); add it to deploy/waves.ts`,
    );
  }
  // A cluster's prerequisites (Velero CRDs, namespace, credential secrets) before its system objects.
  if (artifact.engine === 'kubernetes') return isPrerequisitesStack(artifact.stack) ? 4 : 5;
  return EDGE_WAVE;
}

/**
 * Per-stack Terraform working directory: writable (tofu writes .terraform/, its lock file and the plan
 * here), holding one configuration file, a link to the snapshot's cdk.tf.json. Four levels below the root,
 * like out/<env>/terraform/<stack>/, so the local state path in the artifact resolves the same way.
 */
export function terraformWorkDir(digest: string, stack: string): string {
  return `.ndc/terraform/${digest}/${stack}`;
}

/** The configuration file name tofu loads in the work dir (the link to the snapshot's artifact). */
export const TERRAFORM_CONFIG_FILE = 'cdk.tf.json';

export interface WaveOptions {
  readonly root: string;
  readonly manifest: Manifest;
  readonly env: Environment;
  readonly operation: Operation;
}

export function buildWaves(opts: WaveOptions): Wave[] {
  const { manifest, env } = opts;
  const byWave = new Map<number, ManifestArtifact[]>();
  for (const artifact of manifest.artifacts) {
    if (!isDeployable(artifact)) continue;
    const wave = waveOf(artifact, manifest.env);
    byWave.set(wave, [...(byWave.get(wave) ?? []), artifact]);
  }
  const assemblyDir = cloudAssemblyDir(manifest.digest);
  const waves: Wave[] = [];
  const edgeOrder = edgeStackOrder(opts.root, manifest.env);
  for (let index = 1; index <= WAVE_NAMES.length; index++) {
    const artifacts = (byWave.get(index) ?? []).sort((a, b) => (a.path < b.path ? -1 : 1));
    if (artifacts.length === 0) continue;
    // The edge stacks depend on each other (the distribution logs into the origin's bucket): one at a
    // time, in the cloud assembly's dependency order.
    if (index === EDGE_WAVE) artifacts.sort((a, b) => edgeOrder(stackNameOf(a)) - edgeOrder(stackNameOf(b)));
    const steps = artifacts.map((artifact) => stepFor(artifact, index, env, manifest.env, manifest.digest, opts.operation, assemblyDir));
    if (opts.operation === 'destroy') steps.reverse();
    waves.push({ index, name: WAVE_NAMES[index - 1], parallel: PARALLEL_WAVES.has(index), steps });
  }
  return opts.operation === 'destroy' ? waves.reverse() : waves;
}

/** Artifacts that are deployed (the Kubernetes and edge renderers may also write helper files). */
function isDeployable(artifact: ManifestArtifact): boolean {
  if (artifact.engine === 'terraform') return artifact.path.endsWith('/cdk.tf.json');
  if (artifact.engine === 'kubernetes') return /^kubernetes\/(prerequisites\/)?[^/]+\.ya?ml$/.test(artifact.path);
  return /^cloudformation\/[^/]+\.template\.json$/.test(artifact.path);
}

/**
 * The directory `cdk --app` points at: the snapshot's copy of the cloud assembly the edge renderer
 * synthesized (manifest.json, templates, asset manifests, all covered by the manifest digest).
 * `cdk deploy --app <dir>` skips synthesis when <dir> is a cloud assembly, so the CDK CLI deploys exactly
 * what was approved.
 */
export function cloudAssemblyDir(digest: string): string {
  return `${snapshotDir(digest)}/cloudformation`;
}

function stepFor(artifact: ManifestArtifact, wave: number, env: Environment, envName: string, digest: string, operation: Operation, assemblyDir: string): StackStep {
  const name = artifact.engine === 'terraform' ? artifact.stack : artifact.engine === 'kubernetes' ? kubernetesStepName(artifact, envName) : stackNameOf(artifact);
  const base = { id: `${artifact.engine}/${name}`, wave, engine: artifact.engine, stack: artifact.stack, artifact: artifact.path };
  const commands =
    artifact.engine === 'terraform' ? terraformCommands(artifact, env, digest, operation) : artifact.engine === 'kubernetes' ? pulumiCommands(artifact, env, envName, digest, operation) : cdkCommands(artifact, assemblyDir, operation);
  // The backup vaults' keys reach only the runs that fill Velero's credential secrets from them: routed
  // explicitly, since the engines' allow-list never passes ndc's own NDC_* variables.
  const vaultKeys = env.regions.flatMap((r) => Object.values(backupCredentialVariables(r.id)));
  if (artifact.engine === 'kubernetes' && isPrerequisitesStack(artifact.stack)) {
    const routed = Object.fromEntries(vaultKeys.map((name) => [name, name]));
    return { ...base, commands: commands.map((c) => ({ ...c, envFrom: { ...c.envFrom, ...routed } })) };
  }
  return { ...base, commands: commands.map((c) => ({ ...c, envHidden: [...(c.envHidden ?? []), ...vaultKeys] })) };
}

/**
 * Position of each CloudFormation stack in dependency order, from the cloud assembly's manifest.json
 * (`artifacts.<stack>.dependencies`); stacks it does not list keep their path order after the listed ones.
 */
function edgeStackOrder(root: string, env: string): (stack: string) => number {
  const file = join(root, 'out', env, 'cloudformation', 'manifest.json');
  if (!existsSync(file)) return () => 0;
  let artifacts: Record<string, { type?: string; dependencies?: string[] }>;
  try {
    artifacts = (JSON.parse(readFileSync(file, 'utf8')) as { artifacts?: typeof artifacts }).artifacts ?? {};
  } catch {
    throw new InputError(`out/${env}/cloudformation/manifest.json`, `is not valid JSON; run ndc synth --env ${env} again`);
  }
  const stacks = Object.keys(artifacts).filter((id) => artifacts[id].type === 'aws:cloudformation:stack').sort();
  const ordered: string[] = [];
  const visit = (id: string, path: readonly string[]) => {
    if (ordered.includes(id)) return;
    if (path.includes(id)) throw new InputError(`out/${env}/cloudformation/manifest.json`, `stacks depend on each other in a cycle: ${[...path, id].join(' -> ')}`);
    for (const dependency of artifacts[id]?.dependencies ?? []) if (stacks.includes(dependency)) visit(dependency, [...path, id]);
    ordered.push(id);
  };
  for (const id of stacks) visit(id, []);
  return (stack) => (ordered.includes(stack) ? ordered.indexOf(stack) : ordered.length);
}

/** `north` for a cluster's system objects, `north-prerequisites` for its prerequisites. */
function kubernetesStepName(artifact: ManifestArtifact, envName: string): string {
  return artifact.stack.startsWith(`${envName}-`) ? artifact.stack.slice(envName.length + 1) : stackNameOf(artifact);
}

/** The cluster of a Kubernetes artifact, or the stack of a CloudFormation template. */
function stackNameOf(artifact: ManifestArtifact): string {
  if (artifact.engine === 'kubernetes') return basename(artifact.path).replace(/\.ya?ml$/, '');
  return basename(artifact.path).replace(/\.template\.json$/, '');
}

function terraformCommands(artifact: ManifestArtifact, env: Environment, digest: string, operation: Operation): EngineCommand[] {
  const cwd = terraformWorkDir(digest, artifact.stack);
  // TF_DATA_DIR is pinned to the work dir, whatever the caller's environment says.
  const envVars = { TF_IN_AUTOMATION: '1', TF_INPUT: '0', TF_DATA_DIR: '.terraform' };
  // The pg backend reads PG_CONN_STR; an environment may keep its connection in another variable.
  const envFrom: Record<string, string> = env.state.backend === 'pg' && env.state.connStrEnv !== 'PG_CONN_STR' ? { PG_CONN_STR: env.state.connStrEnv } : {};
  const command = (args: string[], okExitCodes: number[] = [0]): EngineCommand => ({ tool: 'terraform', args, cwd, env: envVars, envDefaults: {}, envFrom, envHidden: AWS_KEYS_HIDDEN, okExitCodes });
  const init = command(['init', '-input=false', '-no-color']);
  if (operation === 'plan') return [init, command(['plan', '-input=false', '-no-color', '-lock=false', '-detailed-exitcode'], [0, 2])];
  const plan = operation === 'destroy' ? ['plan', '-destroy'] : ['plan'];
  return [init, command([...plan, '-input=false', '-no-color', '-out=ndc.tfplan']), command(['apply', '-input=false', '-no-color', 'ndc.tfplan'])];
}

function pulumiCommands(artifact: ManifestArtifact, env: Environment, envName: string, digest: string, operation: Operation): EngineCommand[] {
  const stack = `${envName}-${kubernetesStepName(artifact, envName)}`;
  // The snapshot's copy of the Pulumi project and stack files (kubernetes:context decides the cluster).
  const cwd = `${snapshotDir(digest)}/${PULUMI_SETTINGS_DIR}`;
  // The program reads the artifact from NDC_KUBERNETES_ARTIFACT, relative to its own folder (stacks/kubernetes):
  // the snapshot's copy, never out/<env>/. `--config` would rewrite the stack file.
  const envVars: Record<string, string> = { PULUMI_SKIP_UPDATE_CHECK: 'true', [ARTIFACT_VARIABLE]: `../../${snapshotDir(digest)}/${artifact.path}` };
  // dev keeps Pulumi state in a local file store unless the user chose a backend; shared environments
  // use the backend from the user's own Pulumi configuration (PULUMI_BACKEND_URL or `pulumi login`).
  const envDefaults: Record<string, string> = env.state.backend === 'local' ? { PULUMI_BACKEND_URL: `file://../../../../${localPulumiState(envName)}` } : {};
  // Only shared environments keep Pulumi state in the object store; dev's file backend needs no keys.
  const stateKeys = env.state.backend === 'local' ? {} : STATE_STORE_KEYS;
  const command = (args: string[]): EngineCommand => ({ tool: 'pulumi', args, cwd, env: envVars, envDefaults, envFrom: stateKeys, envHidden: AWS_KEYS_HIDDEN, okExitCodes: [0] });
  const select = command(['stack', 'select', '--create', '--non-interactive', '--stack', stack]);
  if (operation === 'plan') return [select, command(['preview', '--non-interactive', '--diff', '--stack', stack])];
  if (operation === 'destroy') return [select, command(['destroy', '--yes', '--non-interactive', '--stack', stack])];
  return [select, command(['up', '--yes', '--non-interactive', '--skip-preview', '--stack', stack])];
}

function cdkCommands(artifact: ManifestArtifact, assemblyDir: string, operation: Operation): EngineCommand[] {
  const stack = stackNameOf(artifact);
  // cwd is the assembly itself, so no cdk.json or cdk.context.json of the repository is read.
  const common = ['--app', '.', '--no-color'];
  const command = (args: string[]): EngineCommand => ({ tool: 'cdk', args, cwd: assemblyDir, env: { CDK_DISABLE_VERSION_CHECK: '1' }, envDefaults: {}, envFrom: EDGE_AWS_KEYS, envHidden: AWS_KEYS_HIDDEN, okExitCodes: [0] });
  if (operation === 'plan') return [command(['diff', ...common, '--exclusively', stack])];
  if (operation === 'destroy') return [command(['destroy', ...common, '--force', '--exclusively', stack])];
  return [command(['deploy', ...common, '--ci', '--require-approval', 'never', '--exclusively', stack])];
}

/** Every step in run order (waves in order, steps in wave order). */
export function stepsOf(waves: readonly Wave[]): StackStep[] {
  return waves.flatMap((w) => [...w.steps]);
}

/** The tools the given waves call. */
export function toolsOf(waves: readonly Wave[]): Tool[] {
  const tools = new Set<Tool>();
  for (const step of stepsOf(waves)) for (const command of step.commands) tools.add(command.tool);
  return [...tools].sort();
}
