/**
 * The scope marks every renderer puts on what it writes (see ./scopes.ts for what a scope is). Kept apart
 * from ./scopes.ts, which reads artifacts back, so that a renderer on the helper thread (the public edge)
 * loads nothing else.
 */

/**
 * The platform itself as an information system (Decree 85/2016 art. 10(3): shared national infrastructure,
 * level 4): environments/schema.ts PLATFORM_SYSTEM_ID, spelled out here because importing the schema
 * would load zod (test/scopes/scopes.test.ts holds them equal).
 */
export const PLATFORM_SCOPE = 'national-cloud-platform';

/** Where each engine's renderer states a resource's scope explicitly. */
export const SCOPE_MARK = {
  /** Terraform: a member of the resource's `//` comment block (Terraform ignores `//`). */
  terraform: 'scope',
  /** Kubernetes: a label (objects of a system also carry ndc.gov.vn/system, which must agree). */
  kubernetes: 'ndc.gov.vn/scope',
  /** CloudFormation: a key of the resource's Metadata attribute. */
  cloudformation: 'ndc:scope',
} as const;
