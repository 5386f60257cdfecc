import type { InformationSystem } from '../../constructs';
import { PROFILES, VN_2016, type RegulationProfile } from '../profiles';
import type { Rule, RuleContext, RuleResult } from '../rule';

/** Small builders shared by the rules, so each rule file reads as its check. */

export const pass = (subject: string, message: string, systemId?: string): RuleResult => ({ status: 'pass', subject, message, systemId });
export const fail = (subject: string, message: string, systemId?: string): RuleResult => ({ status: 'fail', subject, message, systemId });
export const notApplicable = (subject: string, message: string, systemId?: string): RuleResult => ({ status: 'not-applicable', subject, message, systemId });

/** A verdict on one system: its construct path is the subject. */
export function verdict(system: InformationSystem, problems: readonly string[], ok: string): RuleResult {
  return problems.length === 0 ? pass(system.node.path, ok, system.id) : fail(system.node.path, problems.join('; '), system.id);
}

export { VN_2016 };

/** A rule's regulation: the vn-2016 profile and the article or annex the rule implements. */
export const vn2016 = (reference: string): Rule['regulation'] => ({ profile: VN_2016, reference });

export function profileOf(context: RuleContext): RegulationProfile {
  return context.profile ?? PROFILES[VN_2016];
}

/** `date` plus `months` calendar months, as YYYY-MM-DD. */
export function addMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.toISOString().slice(0, 10);
}

export const isoDay = (date: Date): string => date.toISOString().slice(0, 10);

/** When an activity last done on `last` (YYYY-MM-DD) and repeated every `months` months is next due, and whether `today` is past it. */
export function nextDue(last: string, months: number, today: string): { readonly due: string; readonly overdue: boolean } {
  const due = addMonths(last, months);
  return { due, overdue: due < today };
}
