/**
 * Who approves a system's security dossier at each level (Decree 85/2016/ND-CP): levels 1-2 the owner's
 * security unit; level 3 the security unit and the system owner; levels 4-5 the national cyber-security
 * authority and the owner, with two distinct national-authority reviewers at level 5.
 */
export const DECREE_85_APPROVERS = {
  '1': ['security-unit'],
  '2': ['security-unit'],
  '3': ['security-unit', 'system-owner'],
  '4': ['national-authority', 'system-owner'],
  '5': ['national-authority', 'national-authority', 'system-owner'],
} as const satisfies Record<'1' | '2' | '3' | '4' | '5', readonly string[]>;
