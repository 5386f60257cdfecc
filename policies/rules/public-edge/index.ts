import type { Rule } from '../../rule';
import { awsSolutionsRules, staleAcknowledgements, uncataloguedNagFindings } from './aws-solutions';
import { bucketHardening } from './bucket-hardening';
import { distributionHardening } from './distribution-hardening';
import { edgePublicClassification } from './edge-public-classification';
import { edgeResidency } from './edge-residency';
import { webAclManagedRules } from './web-acl-managed-rules';

/**
 * The public-edge pack: what may be placed on the commercial edge (residency, classification), ndc's own
 * checks of the CloudFormation templates, and cdk-nag's AwsSolutions findings under their own ids.
 */
export const pack: Rule[] = [
  edgeResidency,
  edgePublicClassification,
  distributionHardening,
  bucketHardening,
  webAclManagedRules,
  uncataloguedNagFindings,
  staleAcknowledgements,
  ...awsSolutionsRules,
];
