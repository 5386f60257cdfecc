/**
 * The cdk-nag report ndc writes next to each edge template (`out/E/cloudformation/<stack>.nag.json`): the
 * AwsSolutions findings recorded at synth time, and the acknowledged ones with their reasons. It is an
 * artifact in the manifest, so reviewers approve it with the templates, and `ndc check` reads it back.
 * Plain data: the policy pack imports this file without loading aws-cdk-lib.
 */
export const NAG_REPORT_VERSION = 1;

export interface NagFinding {
  /** The cdk-nag rule id, with the finding suffix when the rule reports several: `AwsSolutions-S1`. */
  readonly rule: string;
  readonly level: 'error' | 'warning';
  /** What was found and why the rule exists (cdk-nag's info and explanation). */
  readonly description: string;
  /** The construct path of the resource (`public-edge-origin/logs/Resource`). */
  readonly resource: string;
  /** The resource's logical id in the template, when known. */
  readonly logicalId?: string;
  /** Present when the finding is acknowledged. */
  readonly acknowledged?: Acknowledged;
}

export interface NagReport {
  readonly version: typeof NAG_REPORT_VERSION;
  readonly stack: string;
  readonly pack: 'AwsSolutions';
  /** The cdk-nag version that produced the findings. */
  readonly cdkNag: string;
  readonly findings: readonly NagFinding[];
}

export interface Acknowledged {
  readonly reason: string;
  /** The construct the acknowledgement was given on (it covers everything under it). */
  readonly scope: string;
  /**
   * Whether a resource under the scope still has the finding. false: the acknowledgement has become
   * stale (the resource was fixed or removed) and should be withdrawn. Absent: ndc cannot evaluate the
   * rule itself (not in the catalog), so the acknowledgement is reported as given.
   */
  readonly matched?: boolean;
}
