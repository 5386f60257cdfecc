import type { NationalCloud } from '../constructs';
import type { LoadedEvidenceRecord } from '../environments/evidence';
import type { Environment } from '../environments/schema';
import type { Manifest } from '../stacks/manifest';
import type { RegulationProfile } from './profiles';

/**
 * The contract between the policy engine and its rules (one rule per file, cdk-nag style; enforcement
 * levels as in Pulumi CrossGuard; stable ids as in Checkov).
 */

export type Enforcement = 'mandatory' | 'advisory' | 'disabled';
export type Severity = 'critical' | 'high' | 'medium' | 'low';

/** Control families: the columns of the report's control matrix. */
export type ControlFamily = 'security-level' | 'segmentation' | 'backup' | 'residency' | 'topology' | 'green' | 'secrets' | 'kubernetes' | 'public-edge' | 'validation' | 'assurance';

/** A Terraform JSON configuration as cdktf writes it (`cdk.tf.json`). */
export interface TerraformConfig {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
  readonly provider?: Record<string, unknown>;
  readonly terraform?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** A Kubernetes object as written to out/<env>/kubernetes/<cluster>.yaml. */
export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [key: string]: unknown;
}

/** A CloudFormation template as written to out/<env>/cloudformation/<stack>.template.json. */
export interface CloudFormationTemplate {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown>; readonly Metadata?: Record<string, unknown> }>;
  readonly [key: string]: unknown;
}

/** The synthesized artifacts of an environment, parsed, keyed by stack (or cluster for Kubernetes). */
export interface ArtifactSet {
  readonly terraform: ReadonlyMap<string, TerraformConfig>;
  readonly kubernetes: ReadonlyMap<string, readonly KubernetesObject[]>;
  readonly cloudformation: ReadonlyMap<string, CloudFormationTemplate>;
  /** Every artifact's text by path relative to out/<env>/ (for scans such as secrets). */
  readonly text: ReadonlyMap<string, string>;
}

export interface RuleContext {
  readonly env: Environment;
  readonly cloud: NationalCloud;
  readonly manifest: Manifest;
  readonly artifacts: ArtifactSet;
  /** The date the checks treat as today (env.asOf, or the clock). */
  readonly asOf: Date;
  /** The environment's evidence records (evidence/<env>/*.json), validated, in file-name order. */
  readonly evidence: readonly LoadedEvidenceRecord[];
  /** The regulation profile in force, its parameters already adjusted by the environment. Default: vn-2016. */
  readonly profile?: RegulationProfile;
}

/** One evaluation of a rule against one subject (a system, a cluster, a resource). */
export interface RuleResult {
  readonly status: 'pass' | 'fail' | 'not-applicable';
  /** The information system concerned, when there is one (for the control matrix and exceptions). */
  readonly systemId?: string;
  /** What was checked: a construct path (`prod/north`) or an artifact address (`terraform/cluster-north: openstack_networking_secgroup_rule_v2.x`). */
  readonly subject: string;
  readonly message: string;
  /** Secret values the rule found: masked wherever the report would repeat them, never reported themselves. */
  readonly secrets?: readonly string[];
}

export interface Rule {
  /** Stable id users grep, suppress and track: `NDC-SEG-001`. */
  readonly id: string;
  /** Bumped when the rule's check changes meaning; part of the policy digest approvals sign. Default: 1. */
  readonly version?: number;
  readonly title: string;
  readonly family: ControlFamily;
  readonly severity: Severity;
  readonly enforcement: Enforcement;
  /** The regulation the rule implements: profile and article or annex. */
  readonly regulation: { readonly profile: string; readonly reference: string };
  /** Why the rule exists: what a reviewer reads in the report. */
  readonly explanation: string;
  /** How to fix a failure. */
  readonly remediation: string;
  /** Pure: same context, same results. */
  check(context: RuleContext): RuleResult[];
}
