import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
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
}

export const INSTALL_HINTS: Record<Tool, string> = {
  terraform:
    'install OpenTofu (https://opentofu.org/docs/intro/install/, e.g. `snap install --classic opentofu` or the standalone zip) or Terraform, put it on PATH, or set NDC_TF_BIN to its path',
  pulumi: 'install the Pulumi CLI (https://www.pulumi.com/docs/install/, e.g. `curl -fsSL https://get.pulumi.com | sh`) and put ~/.pulumi/bin on PATH',
  cdk: 'install the AWS CDK CLI (`npm install -g aws-cdk`, https://docs.aws.amazon.com/cdk/v2/guide/cli.html) and put it on PATH',
};

/** Looks a command up on PATH the way a shell does; absolute or relative paths are taken as they are. */
export function which(command: string, environment: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (command.includes('/')) {
    const file = isAbsolute(command) ? command : join(cwd, command);
    return isExecutable(file) ? file : undefined;
  }
  for (const dir of (environment.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const file = join(dir, command);
    if (isExecutable(file)) return file;
  }
  return undefined;
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
  const looked = resolved.tool === 'terraform' && resolved.candidates.length === 1 ? `NDC_TF_BIN=${resolved.candidates[0]} (not an executable file)` : resolved.candidates.join(' or ');
  return `${resolved.tool === 'terraform' ? 'OpenTofu/Terraform' : resolved.tool} binary not found: looked for ${looked} on PATH; needed by ${stacks.join(', ')}; ${INSTALL_HINTS[resolved.tool]}`;
}
