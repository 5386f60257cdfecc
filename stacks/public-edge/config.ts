import { z } from 'zod';
import type { InformationSystem, NationalCloud } from '../../constructs';
import { InputError, show } from '../../core/errors';
import type { Environment } from '../../environments/schema';
import type { EdgePlan } from './plan';

/**
 * The `edge` section of an environment: where the open-data public edge runs on a commercial cloud and
 * how each system placed there (`publicEdge: true`) is served. Validated here, with zod only, so the
 * renderer can decide whether it applies without loading aws-cdk-lib.
 */

/** Account ids that appear in documentation; an environment must name a real account or none. */
const PLACEHOLDER_ACCOUNTS = new Set(['000000000000', '111111111111', '123456789012', '999999999999']);

const systemEdgeSchema = z.strictObject({
  /** The public host name citizens use (the viewer certificate is issued for it, validated by DNS). */
  domainName: z
    .string()
    .regex(/^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a lower-case DNS host name such as data.gov.vn'),
  priceClass: z.enum(['PriceClass_100', 'PriceClass_200', 'PriceClass_All']).default('PriceClass_200'),
  /** Requests per 5 minutes from one IP address before the web ACL blocks it. */
  rateLimit: z.number().int().min(100).max(2_000_000_000).default(2000),
  /** The Content-Security-Policy header the edge adds (the portal's own policy, when it needs more than itself). */
  contentSecurityPolicy: z
    .string()
    .regex(/^[^\r\n]{1,1783}$/, 'must be one line of at most 1783 characters (CloudFront limit)')
    .default("default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'"),
});

const acknowledgementSchema = z.strictObject({
  /** The cdk-nag rule id, optionally with its finding: `AwsSolutions-CFR1`, `AwsSolutions-IAM5[Resource::*]`. */
  rule: z.string().regex(/^AwsSolutions-[A-Za-z0-9]+(\[[^\]]+\])?$/, 'must be an AwsSolutions rule id such as AwsSolutions-CFR1'),
  /** A system id (its distribution, web ACL and bucket) or `logs` (the shared access-log bucket). */
  scope: z.string().min(1),
  /** Why the finding is accepted: printed in the report next to the finding. */
  reason: z.string().min(20, 'must explain the acknowledgement in at least 20 characters'),
});

export const edgeConfigSchema = z.strictObject({
  /** The commercial region holding the origin buckets, e.g. ap-southeast-1 (Singapore). */
  region: z.string().regex(/^[a-z]{2}(-gov)?-(central|north|south|east|west|northeast|southeast|northwest|southwest)-\d$/, 'must be an AWS region name such as ap-southeast-1'),
  /** The AWS account; omitted: the stacks are environment-agnostic and deploy to the CLI's account. */
  account: z
    .string()
    .regex(/^\d{12}$/, 'must be a 12-digit AWS account id')
    .refine((a) => !PLACEHOLDER_ACCOUNTS.has(a), 'is a documentation placeholder; give the real account id or leave account out')
    .optional(),
  /** Prefix of the bucket names (globally unique in S3). Default: ndc-<env>[-<account>]. */
  bucketPrefix: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{2,40}$/, 'must be 3-41 lower-case letters, digits and dashes')
    .optional(),
  /** Days the CloudFront and S3 access logs are kept. */
  logRetentionDays: z.number().int().min(30).max(3650).default(365),
  /** The systems placed on the edge, by id, and how each is served. */
  systems: z.record(z.string(), systemEdgeSchema),
  acknowledgements: z.array(acknowledgementSchema).default([]),
});

export type EdgeConfig = z.output<typeof edgeConfigSchema>;
export type SystemEdgeConfig = EdgeConfig['systems'][string];
export type Acknowledgement = EdgeConfig['acknowledgements'][number];

/** The systems the environment places on the public edge, in declaration order. */
export function edgeSystems(cloud: NationalCloud): InformationSystem[] {
  return cloud.systems.filter((s) => s.publicEdge);
}

/**
 * Validates `env.edge` against the systems placed on the edge. Every failure is an InputError naming the
 * environment file and field.
 */
export function edgePlanOf(cloud: NationalCloud, env: Environment): EdgePlan {
  const where = (field: string) => `environments/${env.name}.ts: edge${field}`;
  const systems = edgeSystems(cloud);
  if (env.edge === undefined) {
    throw new InputError(where(''), `is required because ${systems.map((s) => s.id).join(', ')} ${systems.length === 1 ? 'is' : 'are'} placed on the public edge (publicEdge: true); give at least region and systems`);
  }
  const parsed = edgeConfigSchema.safeParse(env.edge);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    const value = issue.path.reduce<unknown>((v, p) => (v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p as PropertyKey] : undefined), env.edge);
    throw new InputError(where(path), `${value === undefined ? '' : `${show(value)}: `}${issue.message}`);
  }
  const config = parsed.data;
  const ids = new Set(systems.map((s) => s.id));
  for (const id of Object.keys(config.systems)) {
    if (!ids.has(id)) {
      throw new InputError(where(`.systems.${id}`), `system ${show(id)} is not placed on the public edge; set publicEdge: true on it or remove this entry (edge systems: ${[...ids].join(', ') || 'none'})`);
    }
  }
  for (const system of systems) {
    if (!config.systems[system.id]) throw new InputError(where('.systems'), `has no entry for ${show(system.id)}, which sets publicEdge: true; add { domainName: ... } for it`);
  }
  const scopes = new Set([...ids, 'logs']);
  config.acknowledgements.forEach((ack, i) => {
    if (!scopes.has(ack.scope)) throw new InputError(where(`.acknowledgements[${i}].scope`), `${show(ack.scope)}: must be an edge system (${[...ids].join(', ')}) or logs`);
  });
  const domains = new Map<string, string>();
  for (const [id, site] of Object.entries(config.systems)) {
    const other = domains.get(site.domainName);
    if (other) throw new InputError(where(`.systems.${id}.domainName`), `${show(site.domainName)} is already used by ${other}`);
    domains.set(site.domainName, id);
  }
  const prefix = config.bucketPrefix ?? (config.account ? `ndc-${env.name}-${config.account}` : `ndc-${env.name}`);
  const bucket = (suffix: string, field: string): string => {
    const name = `${prefix}-${suffix}`;
    if (name.length > 63) throw new InputError(where(field), `bucket name ${show(name)} is longer than S3's 63 characters; set a shorter edge.bucketPrefix`);
    return name;
  };
  // Plain data (no model objects): the plan is posted to the helper thread that renders the edge.
  const sites = systems.map((system) => ({ system: { id: system.id, displayName: system.displayName, level: system.level }, config: config.systems[system.id], contentBucketName: bucket(`${system.id}-content`, `.systems.${system.id}`) }));
  return { envName: env.name, config, sites, logBucketName: bucket('edge-logs', '.bucketPrefix') };
}
