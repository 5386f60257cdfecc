import type { EdgeConfig, SystemEdgeConfig } from './config';

/**
 * The validated public edge as the stacks build it (./config.ts edgePlanOf makes it), and the marks the
 * stacks put on their constructs. Free of zod and of the model: the plan is plain data, posted to the
 * helper thread that renders the edge (./ahead.ts), which loads aws-cdk-lib and this and not the model.
 */

/** CloudFront's global configuration (WAF web ACLs of scope CLOUDFRONT, viewer certificates) lives here. */
export const CLOUDFRONT_REGION = 'us-east-1';

/** The tag naming the information system a resource serves (the report's control matrix reads it). */
export const SYSTEM_TAG = 'ndc:system';

/** The constructs built for one system (its subtree is that system's scope, stacks/scopes.ts); the rest is the platform's. */
const SYSTEM_CONSTRUCTS = new WeakMap<object, string>();

/** Records that `construct` and everything under it serve system `id`. */
export function servesSystem(construct: object, id: string): void {
  SYSTEM_CONSTRUCTS.set(construct, id);
}

/** The system a construct was recorded for, if any. */
export function systemServedBy(construct: object): string | undefined {
  return SYSTEM_CONSTRUCTS.get(construct);
}

/** What the edge stacks read of a system placed there. */
export interface EdgeSystem {
  readonly id: string;
  readonly displayName: string;
  readonly level: number;
}

/** A system as the edge serves it. */
export interface EdgeSite {
  readonly system: EdgeSystem;
  readonly config: SystemEdgeConfig;
  readonly contentBucketName: string;
}

export interface EdgePlan {
  readonly envName: string;
  readonly config: EdgeConfig;
  readonly sites: readonly EdgeSite[];
  readonly logBucketName: string;
}

/**
 * Which edge stack an acknowledgement belongs to: S3 rules (`AwsSolutions-S1`...) concern the origin
 * buckets, everything else the CloudFront side. Keeps a CloudFront acknowledgement off the buckets.
 */
export function acknowledgementStack(rule: string): 'origin' | 'global' {
  return /^AwsSolutions-S\d+(\[|$)/.test(rule) ? 'origin' : 'global';
}
