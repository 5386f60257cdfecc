import { InputError, show } from '../../core/errors';
import { approvalSettingsSchema, type ApprovalSettings, type ApprovalSettingsInput, type Environment } from '../../environments/schema';
import { APPROVER_ROLES, DECREE_85_APPROVERS, type ApproverRole } from '../../environments/vocabulary';
import { profileNamed, type RegulationProfile } from '../profiles';

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

/**
 * The approval settings of a loaded (validated) environment, held to its regulation profile's approver
 * floor: an environment that asks for fewer approvers than the floor at any level is bad input (exit 2).
 */
export function approvalSettingsOf(env: Pick<Environment, 'approvals' | 'profile'>, source: string): ApprovalSettings {
  checkApproverFloor(env.approvals, profileNamed(env.profile, `${source}: profile`), source);
  return env.approvals;
}

/** Throws an InputError naming the first level and role where `settings` drop below the profile's floor. */
export function checkApproverFloor(settings: ApprovalSettings, profile: RegulationProfile, source: string): void {
  const { table, source: law } = profile.approverFloor;
  for (const level of ['1', '2', '3', '4', '5'] as const) {
    const asked = roleCounts(settings.levels[level]);
    for (const [role, needed] of roleCounts(table[level])) {
      const present = asked.get(role) ?? 0;
      if (present >= needed) continue;
      const missing = needed > 1 ? `${role} (needs ${needed} distinct reviewers, has ${present})` : role;
      throw new InputError(
        `${source}: approvals.levels.${level}`,
        `${show(settings.levels[level])}: level ${level} is missing ${missing}; profile ${profile.name} (${law}) requires at least ${describeRoles(table[level])}, and an environment may add approvers but never drop below that`,
      );
    }
  }
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
