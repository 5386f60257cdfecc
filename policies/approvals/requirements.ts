import { z } from 'zod';
import { InputError, show } from '../../core/errors';
import type { Environment } from '../../environments/schema';
import { DECREE_85_APPROVERS } from '../../environments/shared/approvers';
import { formatPath } from '../../environments/validate';

/**
 * Who must approve a system before it goes into operation, by security level (Decree 85/2016/ND-CP):
 * levels 1-2 the owner's security unit; level 3 the security unit appraises and the system owner approves;
 * level 4 the national cyber-security authority appraises and the owner approves; level 5 as level 4,
 * here with a second, distinct national-authority reviewer.
 */
export const ROLES = ['security-unit', 'system-owner', 'national-authority'] as const;
export type Role = (typeof ROLES)[number];
export const LEVELS = [1, 2, 3, 4, 5] as const;

const roleList = z.array(z.enum(ROLES)).min(1, 'must name at least one role');

/** `approvals` in an environment file. A role listed twice needs two distinct reviewers holding it. */
export const approvalSettingsSchema = z.strictObject({
  levels: z.strictObject({ '1': roleList, '2': roleList, '3': roleList, '4': roleList, '5': roleList }),
  /** The longest an approval may stay valid, in days, however long `--expires` asks for. */
  maxValidityDays: z.number().int().min(1).max(366).default(90),
});
export type ApprovalSettings = z.output<typeof approvalSettingsSchema>;
export type ApprovalSettingsInput = z.input<typeof approvalSettingsSchema>;

/** The decree's table; what an environment gets when it says nothing. */
export const DEFAULT_APPROVAL_SETTINGS: ApprovalSettings = approvalSettingsSchema.parse({ levels: DECREE_85_APPROVERS, maxValidityDays: 90 });

/** Typed identity for environment files. */
export function defineApprovalSettings(settings: ApprovalSettingsInput): ApprovalSettingsInput {
  return settings;
}

/** Validates `approvals` of a loaded environment; `source` is the environment file for error messages. */
export function approvalSettingsOf(env: Pick<Environment, 'approvals'>, source: string): ApprovalSettings {
  if (env.approvals === undefined) return DEFAULT_APPROVAL_SETTINGS;
  const parsed = approvalSettingsSchema.safeParse(env.approvals);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = formatPath(['approvals', ...issue.path]);
  let value: unknown = env.approvals;
  for (const part of issue.path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part] : undefined;
  if (issue.code === 'unrecognized_keys') throw new InputError(`${source}: ${path}`, `unknown field ${issue.keys.map((k) => show(k)).join(', ')} (known: levels, maxValidityDays)`);
  throw new InputError(`${source}: ${path}`, `${value === undefined ? 'missing' : show(value)}: ${issue.message}`);
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
