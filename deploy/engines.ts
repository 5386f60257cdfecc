import { accessSync, constants, existsSync, realpathSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, relative, resolve } from 'node:path';
import type { Tool } from './waves';

/**
 * Finding the engines' binaries. None of them can be installed on the build machines, so a missing one
 * is reported before anything runs, with how to install it.
 */
export interface ResolvedTool {
  readonly tool: Tool;
  /** What is run: an absolute path, or undefined when missing. */
  readonly path?: string;
  /** What was looked for, in order (for the error message). */
  readonly candidates: readonly string[];
  /** Why the one candidate named by NDC_TF_BIN was not taken, when it exists but may not run. */
  readonly refused?: string;
}

/** Why a binary inside the project is never run: the change's author decides what is there. */
const INSIDE_PROJECT = "inside the project, whose files a change's author controls: install the engine outside it";

export const INSTALL_HINTS: Record<Tool, string> = {
  terraform:
    'install OpenTofu (https://opentofu.org/docs/intro/install/, e.g. `snap install --classic opentofu` or the standalone zip) or Terraform, put it on PATH, or set NDC_TF_BIN to its path',
  pulumi: 'install the Pulumi CLI (https://www.pulumi.com/docs/install/, e.g. `curl -fsSL https://get.pulumi.com | sh`) and put ~/.pulumi/bin on PATH',
  cdk: 'install the AWS CDK CLI (`npm install -g aws-cdk`, https://docs.aws.amazon.com/cdk/v2/guide/cli.html) and put it on PATH',
};

/**
 * Looks a command up on PATH the way a shell does, except that nothing inside the project `root` is run:
 * `npx ndc` puts <root>/node_modules/.bin first on PATH, and a change's author decides what is installed
 * there (a dependency declaring a `tofu` bin) or committed anywhere else. Relative PATH entries are skipped
 * for the same reason (they name folders of the project the command runs in). A path is taken as it is,
 * relative to `root`, unless it lies inside the project.
 */
export function which(command: string, environment: NodeJS.ProcessEnv, root: string): string | undefined {
  if (command.includes('/')) {
    const file = isAbsolute(command) ? command : join(root, command);
    return isExecutable(file) && !insideProject(file, root) ? file : undefined;
  }
  for (const dir of (environment.PATH ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir) || insideProject(dir, root)) continue;
    const file = join(dir, command);
    if (isExecutable(file) && !insideProject(file, root)) return file;
  }
  return undefined;
}

/** Whether `path` lies in the project `root`, as written or once links are resolved (a linked node_modules counts as inside). */
export function insideProject(path: string, root: string): boolean {
  const within = (p: string, r: string) => {
    const rel = relative(r, p);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  return within(resolve(path), resolve(root)) || within(real(path), real(root));
}

function isExecutable(file: string): boolean {
  try {
    if (!statSync(file).isFile()) return false;
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Terraform: NDC_TF_BIN when set (and then only it), else `tofu`, else `terraform`. */
export function resolveTool(tool: Tool, environment: NodeJS.ProcessEnv, cwd: string): ResolvedTool {
  const candidates = tool === 'terraform' ? (environment.NDC_TF_BIN ? [environment.NDC_TF_BIN] : ['tofu', 'terraform']) : [tool];
  if (tool === 'terraform' && environment.NDC_TF_BIN && environment.NDC_TF_BIN.includes('/')) {
    const named = isAbsolute(environment.NDC_TF_BIN) ? environment.NDC_TF_BIN : join(cwd, environment.NDC_TF_BIN);
    if (insideProject(named, cwd)) return { tool, candidates, refused: INSIDE_PROJECT };
  }
  for (const candidate of candidates) {
    const path = which(candidate, environment, cwd);
    if (path) return { tool, path, candidates };
  }
  return { tool, candidates };
}

/** The name shown in listings: the resolved binary's name, or the first candidate when missing. */
export function displayName(resolved: ResolvedTool): string {
  if (resolved.path) {
    const parts = resolved.path.split('/');
    return resolved.tool === 'terraform' && resolved.candidates.length === 1 ? resolved.candidates[0] : parts[parts.length - 1];
  }
  return resolved.candidates[0];
}

/** One line naming what is missing and how to install it. */
export function missingToolMessage(resolved: ResolvedTool, stacks: readonly string[]): string {
  const looked = resolved.tool === 'terraform' && resolved.candidates.length === 1 ? `NDC_TF_BIN=${resolved.candidates[0]} (${resolved.refused ?? 'not an executable file'})` : resolved.candidates.join(' or ');
  return `${resolved.tool === 'terraform' ? 'OpenTofu/Terraform' : resolved.tool} binary not found: looked for ${looked} on PATH; needed by ${stacks.join(', ')}; ${INSTALL_HINTS[resolved.tool]}`;
}

/** Variables naming the engines' own configuration (a list in KUBECONFIG), per engine. */
const CONFIGURATION_VARIABLES: Record<Tool, readonly string[]> = {
  terraform: ['TF_CLI_CONFIG_FILE', 'TERRAFORM_CONFIG', 'TF_PLUGIN_CACHE_DIR'],
  pulumi: ['PULUMI_HOME', 'KUBECONFIG'],
  cdk: ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE'],
};

/** What each engine reads from HOME when those variables are unset. */
const HOME_CONFIGURATION: Record<Tool, readonly string[]> = {
  terraform: ['.terraformrc', '.terraform.d'],
  pulumi: ['.pulumi', '.kube/config'],
  cdk: ['.cdk.json', '.aws'],
};

const AUTHORED_CONFIGURATION = "the engines' configuration (provider installation, plugins, credentials helpers) would be what a change's author commits; keep it outside the checkout";

/**
 * The engines' own configuration that lies inside the project: a committed .terraformrc can install a
 * provider from a folder of the repository, a kubeconfig can run an exec credential plugin, a Pulumi home
 * holds plugins. Like the binaries, it must be the deploy machine's. One line per variable or file.
 */
export function engineConfigurationProblems(root: string, tools: readonly Tool[], environment: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  for (const tool of tools) {
    for (const name of CONFIGURATION_VARIABLES[tool]) {
      const value = environment[name];
      if (!value) continue;
      const paths = name === 'KUBECONFIG' ? value.split(delimiter).filter(Boolean) : [value];
      for (const path of paths) if (insideProject(isAbsolute(path) ? path : join(root, path), root)) problems.push(`${name}=${path} is inside the project: ${AUTHORED_CONFIGURATION}`);
    }
  }
  const home = environment.HOME;
  if (home && insideProject(home, root)) {
    for (const tool of tools) {
      for (const file of HOME_CONFIGURATION[tool]) if (existsSync(join(home, file))) problems.push(`HOME=${home} is inside the project and holds ${file}: ${AUTHORED_CONFIGURATION}`);
    }
  }
  return problems;
}
