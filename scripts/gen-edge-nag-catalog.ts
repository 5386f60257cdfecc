import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stableJson } from '../core/canonical-json';

/**
 * Generates stacks/public-edge/aws-solutions-catalog.json: the cdk-nag AwsSolutions rules that apply to
 * the resource types the public edge creates (S3, CloudFront, KMS), with their level, info, explanation
 * and implementing function, so `ndc check` can name and explain them without loading cdk-nag, and the
 * edge synth can tell which resources an acknowledgement covers.
 * Run after upgrading cdk-nag: `node bin/run-ts.js scripts/gen-edge-nag-catalog.ts`.
 */

export interface CatalogEntry {
  readonly id: string;
  readonly level: 'error' | 'warning';
  readonly info: string;
  readonly explanation: string;
  /** The cdk-nag rule function that implements it: `rules.<module>.<check>` (`rules.s3.S3BucketLoggingEnabled`). */
  readonly module: string;
  readonly check: string;
}

export interface AwsSolutionsCatalog {
  readonly cdkNag: string;
  readonly rules: readonly CatalogEntry[];
}

/** cdk-nag rule modules (lib/rules/<module>) whose resources the edge stacks contain or may contain. */
const EDGE_MODULES = ['s3', 'cloudfront', 'kms'];

const RULE = /ruleSuffixOverride: '([A-Za-z0-9]+)',\s*info: ('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`),\s*explanation: ('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|`(?:[^`\\]|\\.)*`),\s*level: nag_rules_1\.NagMessageLevel\.(ERROR|WARN),\s*rule: ([a-z0-9]+)_1\.([A-Za-z0-9]+)/g;

/** Reads the AwsSolutions pack of the installed cdk-nag (its compiled source: the rules are data there). */
export function awsSolutionsCatalog(root: string): AwsSolutionsCatalog {
  const dir = join(root, 'node_modules', 'cdk-nag');
  const source = readFileSync(join(dir, 'lib', 'packs', 'aws-solutions.js'), 'utf8');
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const rules: CatalogEntry[] = [];
  for (const m of source.matchAll(RULE)) {
    if (!EDGE_MODULES.includes(m[5])) continue;
    rules.push({ id: `AwsSolutions-${m[1]}`, level: m[4] === 'ERROR' ? 'error' : 'warning', info: unquote(m[2]), explanation: unquote(m[3]), module: m[5], check: m[6] });
  }
  if (!rules.some((r) => r.id === 'AwsSolutions-S1') || !rules.some((r) => r.id === 'AwsSolutions-CFR4')) {
    throw new Error(`cdk-nag ${version}: could not read the AwsSolutions rules from lib/packs/aws-solutions.js (its layout changed); update scripts/gen-edge-nag-catalog.ts`);
  }
  return { cdkNag: version, rules };
}

function unquote(literal: string): string {
  if (literal.startsWith('`')) return literal.slice(1, -1);
  return literal.startsWith("'") ? (JSON.parse(`"${literal.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string) : (JSON.parse(literal) as string);
}

export const CATALOG_PATH = 'stacks/public-edge/aws-solutions-catalog.json';

if (process.argv[1] !== undefined && resolve(process.argv[1]) === __filename) {
  const root = process.cwd();
  const catalog = awsSolutionsCatalog(root);
  writeFileSync(join(root, CATALOG_PATH), stableJson(catalog));
  process.stdout.write(`${CATALOG_PATH}: ${catalog.rules.length} AwsSolutions rules from cdk-nag ${catalog.cdkNag}\n`);
}
