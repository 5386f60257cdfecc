import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import type { Environment } from '../environments/schema';
import { kubeContext } from '../stacks/kubernetes/deployment';
import { parseKubernetesYaml } from '../stacks/kubernetes/artifact';
import { ANNOTATION } from '../stacks/kubernetes/labels';
import { isPrerequisitesStack } from '../stacks/kubernetes/prerequisites';
import { which } from './engines';
import { childEnvironment } from './runner';
import type { Operation, StackStep } from './waves';

/**
 * What ndc cannot create but a deploy needs, checked before anything runs, each missing piece named on
 * one line: the deploy-environment variables the cluster credential secrets are filled from, the kube
 * contexts the Kubernetes stacks apply to, the Pulumi state backend (for shared environments an
 * S3-compatible bucket), and `cdk bootstrap` in every AWS region the edge deploys to.
 */
export interface PrerequisiteCheck {
  readonly root: string;
  readonly env: Environment;
  readonly operation: Exclude<Operation, 'plan'>;
  readonly steps: readonly StackStep[];
  readonly environment: NodeJS.ProcessEnv;
  /** Resolved engine binaries (only pulumi is used here). */
  readonly binaries: ReadonlyMap<string, string>;
}

export function missingPrerequisites(check: PrerequisiteCheck): string[] {
  const kubernetes = check.steps.filter((s) => s.engine === 'kubernetes');
  const edge = check.steps.filter((s) => s.engine === 'cloudformation');
  return [
    ...(check.operation === 'deploy' ? credentialVariables(check, kubernetes) : []),
    ...kubeContexts(check, kubernetes),
    ...pulumiBackend(check, kubernetes),
    ...(check.operation === 'deploy' ? cdkBootstrap(check, edge) : []),
  ];
}

/** The variables each credential secret of a prerequisites artifact names, unset in our environment. */
function credentialVariables(check: PrerequisiteCheck, steps: readonly StackStep[]): string[] {
  const problems: string[] = [];
  for (const step of steps.filter((s) => isPrerequisitesStack(s.stack))) {
    const file = join(check.root, 'out', check.env.name, step.artifact);
    if (!existsSync(file)) continue;
    for (const secret of parseKubernetesYaml(readFileSync(file, 'utf8'), step.artifact).filter((o) => o.kind === 'Secret')) {
      for (const variable of (secret.metadata.annotations?.[ANNOTATION.credentialsFrom] ?? '').split(',').filter(Boolean)) {
        if (!check.environment[variable]) {
          problems.push(`${variable} is not set: ${step.id} fills secret ${secret.metadata.namespace}/${secret.metadata.name} (Velero's key to that backup vault) from it at apply time; export it from your secret store`);
        }
      }
    }
  }
  return problems;
}

/** Context names in the kubeconfig files kubectl and the Pulumi provider read. */
function contextsIn(environment: NodeJS.ProcessEnv): { files: string[]; names: Set<string> } {
  const files = environment.KUBECONFIG ? environment.KUBECONFIG.split(delimiter).filter(Boolean) : environment.HOME ? [join(environment.HOME, '.kube', 'config')] : [];
  const names = new Set<string>();
  for (const file of files) {
    if (!existsSync(file)) continue;
    try {
      const config = parse(readFileSync(file, 'utf8')) as { contexts?: { name?: string }[] } | null;
      for (const context of config?.contexts ?? []) if (context.name) names.add(context.name);
    } catch {
      // An unreadable kubeconfig holds no usable context; the message below names the file.
    }
  }
  return { files, names };
}

function kubeContexts(check: PrerequisiteCheck, steps: readonly StackStep[]): string[] {
  if (steps.length === 0) return [];
  const { files, names } = contextsIn(check.environment);
  const clusters = [...new Set(steps.map((s) => s.stack.slice(check.env.name.length + 1).replace(/-prerequisites$/, '')))].sort();
  return clusters
    .map((cluster) => kubeContext(check.env.name, cluster))
    .filter((context) => !names.has(context))
    .map((context) => `kube context ${context} not found in ${files.join(', ') || 'any kubeconfig (KUBECONFIG and HOME are unset)'}: the Kubernetes stacks of ${context.slice(`ndc-${check.env.name}-`.length)} apply to it; add it with kubectl config set-context ${context} ...`);
}

/** The Pulumi state backend answers (`pulumi stack ls`): for shared environments, the bucket exists and the keys work. */
function pulumiBackend(check: PrerequisiteCheck, steps: readonly StackStep[]): string[] {
  const pulumi = check.binaries.get('pulumi');
  const command = steps[0]?.commands[0];
  if (!pulumi || !command) return [];
  const environment = childEnvironment(command, check.environment);
  if (check.env.state.backend !== 'local' && !environment.PULUMI_BACKEND_URL) {
    return [`PULUMI_BACKEND_URL is not set: the Kubernetes stacks of ${check.env.name} keep their state in the object-store bucket ndc-${check.env.name}-pulumi-state (see the header of stacks/kubernetes/Pulumi.${check.env.name}-*.yaml for the URL)`];
  }
  const run = spawnSync(pulumi, ['stack', 'ls', '--json', '--non-interactive'], { cwd: join(check.root, command.cwd), env: environment, encoding: 'utf8' });
  if (run.status === 0) return [];
  const why = `${run.stderr ?? ''}${run.error?.message ?? ''}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? `exit ${run.status}`;
  return [`Pulumi state backend ${environment.PULUMI_BACKEND_URL ?? '(pulumi login)'} did not answer pulumi stack ls (${why}): create the bucket ndc-${check.env.name}-pulumi-state in the shared-services object store and give NDC_STATE_ACCESS_KEY_ID / NDC_STATE_SECRET_ACCESS_KEY access to it`];
}

interface AssemblyStack {
  type?: string;
  environment?: string;
  properties?: { requiresBootstrapStackVersion?: number; bootstrapStackVersionSsmParameter?: string };
}

/** `cdk bootstrap` ran in every region an edge stack deploys to: its version parameter is there and recent enough. */
function cdkBootstrap(check: PrerequisiteCheck, steps: readonly StackStep[]): string[] {
  if (steps.length === 0) return [];
  // The cloud assembly as synthesized (verified against the manifest before the gate; the snapshot holds the same bytes).
  const file = join(check.root, 'out', check.env.name, 'cloudformation', 'manifest.json');
  if (!existsSync(file)) return [];
  const artifacts = (JSON.parse(readFileSync(file, 'utf8')) as { artifacts?: Record<string, AssemblyStack> }).artifacts ?? {};
  const needed = new Map<string, { parameter: string; version: number; stacks: string[] }>();
  for (const step of steps) {
    const name = step.commands[0].args[step.commands[0].args.length - 1];
    const stack = artifacts[name];
    const region = stack?.environment?.split('/').pop();
    if (!region || stack.type !== 'aws:cloudformation:stack') continue;
    const parameter = stack.properties?.bootstrapStackVersionSsmParameter ?? '/cdk-bootstrap/hnb659fds/version';
    const entry = needed.get(region) ?? { parameter, version: 0, stacks: [] };
    entry.version = Math.max(entry.version, stack.properties?.requiresBootstrapStackVersion ?? 0);
    entry.stacks.push(name);
    needed.set(region, entry);
  }
  const aws = which('aws', check.environment, check.root);
  if (!aws) {
    if (needed.size === 0) return [];
    return [`aws binary not found on PATH: needed to check cdk bootstrap in ${[...needed.keys()].sort().join(', ')} before deploying the edge; install the AWS CLI (https://docs.aws.amazon.com/cli/)`];
  }
  const edgeEnvironment = childEnvironment(steps[0].commands[0], check.environment);
  const problems: string[] = [];
  for (const [region, { parameter, version, stacks }] of [...needed].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const run = spawnSync(aws, ['ssm', 'get-parameter', '--name', parameter, '--region', region, '--query', 'Parameter.Value', '--output', 'text'], { env: { ...edgeEnvironment, ...EDGE_ENV_FIXED }, encoding: 'utf8' });
    const found = run.status === 0 ? Number(run.stdout.trim()) : NaN;
    if (!(found >= version)) {
      const state = run.status === 0 ? `bootstrap version ${run.stdout.trim()}, need ${version}` : 'not bootstrapped';
      problems.push(`cdk bootstrap missing in ${region} (${state}; ${parameter}): ${stacks.join(', ')} deploy there; run cdk bootstrap aws://<account>/${region} with the edge's AWS keys`);
    }
  }
  return problems;
}

/** The AWS CLI's pager and prompts stay off in automation. */
const EDGE_ENV_FIXED = { AWS_PAGER: '', AWS_CLI_AUTO_PROMPT: 'off' };
