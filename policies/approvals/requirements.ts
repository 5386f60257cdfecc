import { InputError } from '../../core/errors';
import { approvalSettingsSchema, type ApprovalSettings, type ApprovalSettingsInput, type Environment } from '../../environments/schema';
import { APPROVER_ROLES, DECREE_85_APPROVERS, type ApproverRole } from '../../environments/vocabulary';

/**
 * Who must approve a system before it goes into operation: the environment's `approvals` table, validated
 * when the environment loads (its default is the Decree 85 table in environments/vocabulary.ts).
 */
export const ROLES = APPROVER_ROLES;
export type Role = ApproverRole;
export type { ApprovalSettings, ApprovalSettingsInput };

/** The decree's table; what an environment gets when it says nothing. */
export const DEFAULT_APPROVAL_SETTINGS: ApprovalSettings = approvalSettingsSchema.parse({ levels: DECREE_85_APPROVERS });

/** Typed identity for environment files. */
export function defineApprovalSettings(settings: ApprovalSettingsInput): ApprovalSettingsInput {
  return settings;
}

/** The approval settings of a loaded (validated) environment. */
export function approvalSettingsOf(env: Pick<Environment, 'approvals'>): ApprovalSettings {
  return env.approvals;
}

export function requiredRoles(settings: ApprovalSettings, level: number): Role[] {
  const roles = settings.levels[String(level) as keyof ApprovalSettings['levels']];
  if (!roles) throw new InputError('manifest', `security level ${level} is not between 1 and 5`);
  return [...roles].sort();
}

/** How many distinct reviewers each role needs: `{ 'national-authority': 2, 'system-owner': 1 }`. */
export function roleCounts(roles: readonly Role[]): Map<Role, number> {
  const counts = new Map<Role, number>();
  for (const role of roles) counts.set(role, (counts.get(role) ?? 0) + 1);
  return counts;
}

/** `national-authority x2 + system-owner`: the requirement as reports print it. */
export function describeRoles(roles: readonly Role[]): string {
  return [...roleCounts(roles)].map(([role, n]) => (n > 1 ? `${role} x${n}` : role)).join(' + ');
}
