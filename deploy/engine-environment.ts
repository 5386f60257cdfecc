import { InputError } from '../core/errors';
import type { Tool } from './waves';

/**
 * What each engine may see of ndc's environment. The engines (and the providers and programs they start)
 * get an allow-list, never everything: a CI runner's ledger URL, deploy keys of other engines or anything
 * else that happens to be exported does not reach them. NDC_ENGINE_ENV adds names or PREFIX_* patterns
 * for site-specific settings (a proxy CA, a provider variable this list lacks); ndc's own NDC_* variables
 * never pass (an engine command's own settings are set explicitly).
 */
export const ENGINE_ENV_VARIABLE = 'NDC_ENGINE_ENV';

/** Every engine: finding binaries, a home for their config, locale, temp dirs, proxies and CA bundles. */
const COMMON = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'LANGUAGE',
  'LC_*',
  'TZ',
  'TMPDIR',
  'TEMP',
  'TMP',
  'TERM',
  'NO_COLOR',
  'CI',
  'XDG_*',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'NODE_EXTRA_CA_CERTS',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

/** Per engine: its own settings and the credentials its providers or state backend read. */
export const ENGINE_VARIABLES: Record<Tool, readonly string[]> = {
  // OpenTofu/Terraform: TF_* settings and TF_VAR_*, the OpenStack (OS_*) and MinIO (MINIO_*) providers, the pg
  // state backend (PG_CONN_STR, PG*), S3-compatible backends (AWS_*).
  terraform: ['TF_*', 'OS_*', 'MINIO_*', 'PG_CONN_STR', 'PG*', 'AWS_*'],
  // Pulumi: PULUMI_* (backend URL, passphrase, access token), the S3-compatible state store (AWS_*), the cluster (KUBECONFIG).
  pulumi: ['PULUMI_*', 'AWS_*', 'KUBECONFIG'],
  // The AWS CDK CLI: AWS_* credentials and region, CDK_* settings, jsii's runtime settings.
  cdk: ['AWS_*', 'CDK_*', 'JSII_*'],
};

function matches(name: string, pattern: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

export function extraPatternsOf(environment: NodeJS.ProcessEnv): string[] {
  const raw = environment[ENGINE_ENV_VARIABLE] ?? '';
  const patterns = raw
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter((p) => p !== '');
  for (const pattern of patterns) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*\*?$/.test(pattern)) throw new InputError(ENGINE_ENV_VARIABLE, `${JSON.stringify(pattern)}: expected variable names or PREFIX_* patterns, comma-separated`);
  }
  return patterns;
}

/** The variables of `environment` that `tool` may see. */
export function engineEnvironment(tool: Tool, environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const allowed = [...COMMON, ...ENGINE_VARIABLES[tool], ...extraPatternsOf(environment)];
  const result: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(environment)) {
    if (value === undefined || name.startsWith('NDC_')) continue;
    if (allowed.some((pattern) => matches(name, pattern))) result[name] = value;
  }
  return result;
}
