import type { Rule } from '../../rule';
import { awsSolutionsRules, staleAcknowledgements, uncataloguedNagFindings } from './aws-solutions';
import { bucketHardening } from './bucket-hardening';
import { distributionHardening } from './distribution-hardening';
import { edgeResidency } from './edge-residency';
import { webAclManagedRules } from './web-acl-managed-rules';

/**
 * The public-edge pack: what the edge templates deploy may only be open data (residency), ndc's own
 * checks of the CloudFormation templates, and cdk-nag's AwsSolutions findings under their own ids.
 */
export const pack: Rule[] = [
  edgeResidency,
  distributionHardening,
  bucketHardening,
  webAclManagedRules,
  uncataloguedNagFindings,
  staleAcknowledgements,
  ...awsSolutionsRules,
];
