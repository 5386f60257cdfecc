import { z } from 'zod';
import { InputError, problemsError, show } from '../core/errors';
import { calendarDateProblem } from '../core/dates';
import type { Environment } from '../environments/schema';
import { formatPath } from '../environments/validate';

/**
 * `env.policy`: the environment's policy settings. The environment schema reserves it as an open record;
 * the policy engine owns its shape and validates it here, with one-line errors naming the field.
 */

const isoDate = z.string().superRefine((text, ctx) => {
  const problem = calendarDateProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: text });
});
const ruleId = z.string().regex(/^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9]+)+$/, 'must be a rule id such as NDC-SEG-001 or AwsSolutions-S1');

export const exceptionSchema = z
  .strictObject({
    rule: ruleId,
    /** The information system the exception covers (all its findings for the rule). */
    system: z.string().min(1).optional(),
    /** Or one subject: a construct path or artifact address as the report shows it. */
    resource: z.string().min(1).optional(),
    reason: z.string().trim().min(20, 'must explain the exception in at least 20 characters'),
    grantedBy: z.string().trim().min(1),
    /** Last day the exception applies (inclusive). */
    expires: isoDate,
  })
  .refine((e) => (e.system === undefined) !== (e.resource === undefined), { message: 'must name exactly one of system or resource', path: ['system'] });

export const policySettingsSchema = z.strictObject({
  /** Rule id -> enforcement in this environment. Every override is shown in the report. */
  overrides: z.record(ruleId, z.enum(['mandatory', 'advisory', 'disabled'])).default({}),
  exceptions: z.array(exceptionSchema).default([]),
  /** Parameters of the profile's rules this environment tightens or relaxes (shown in the report). */
  parameters: z
    .strictObject({
      /** NDC-TOP-002: minimum great-circle distance between any two regional clusters. */
      minClusterDistanceKm: z.number().positive().max(20000, 'must be at most 20000 km (half the Earth\'s circumference)').optional(),
      /** NDC-TOP-001: minimum number of regional clusters. */
      minClusters: z.number().int().min(1).max(100, 'must be at most 100 clusters').optional(),
    })
    .default({}),
});

export type PolicySettings = z.output<typeof policySettingsSchema>;
export type PolicyException = PolicySettings['exceptions'][number];
export type PolicyParameters = PolicySettings['parameters'];

/** Validates `env.policy`; `source` is the environment file for the error message. */
export function policySettingsOf(env: Environment, source: string): PolicySettings {
  const parsed = policySettingsSchema.safeParse(env.policy ?? {});
  if (parsed.success) return parsed.data;
  // Every problem at once, one line each, like the rest of the environment file.
  throw problemsError(
    parsed.error.issues.map((issue) => {
      let value: unknown = env.policy;
      for (const part of issue.path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part] : undefined;
      const reason = issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => show(k)).join(', ')}` : issue.message;
      return new InputError(`${source}: ${formatPath(['policy', ...issue.path])}`, `${value === undefined ? 'missing' : show(value)}: ${reason}`);
    }),
  );
}
