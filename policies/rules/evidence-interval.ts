import type { InformationSystem } from '../../constructs';
import type { EvidenceKind } from '../../environments/evidence';
import { latestEvidenceOf } from '../evidence-index';
import { intervalFor } from '../evidence-intervals';
import type { Rule, RuleContext } from '../rule';
import { doesNotApply, judged, perSystem, type SystemVerdict } from './per-system';
import { addMonths, isoDay, profileOf } from './support';

/**
 * The rules that check a kind of evidence is renewed within its interval share this check: the latest
 * record of the kind for the system must exist, not be a failure, and not be past its due date (the
 * interval after it was performed, or the record's own validUntil when that comes first).
 */

/** When a record performed on `performed` and valid until `validUntil` is due again, at `months` months. */
export function dueDate(performed: string, validUntil: string, months: number): string {
  const next = addMonths(performed, months);
  return validUntil < next ? validUntil : next;
}

/** The verdict of one system on one kind of evidence (also used by ndc schedule's view of what is overdue). */
export function evidenceVerdict(
  system: InformationSystem,
  kind: EvidenceKind,
  context: RuleContext,
  today: string,
  applies: (system: InformationSystem) => string | true = () => true,
): SystemVerdict {
  const interval = intervalFor(profileOf(context), kind, system.level);
  if (!interval) return doesNotApply(`level ${system.level}: no ${kind} interval in profile ${profileOf(context).name}`);
  const applicable = applies(system);
  if (applicable !== true) return doesNotApply(applicable);
  const every = `every ${interval.months} month${interval.months === 1 ? '' : 's'} at level ${system.level}, ${interval.basis}`;
  const latest = latestEvidenceOf(context.evidence, system.id, kind);
  if (!latest) return judged([`${kind}: none recorded under evidence/${context.env.name}/ (due ${every})`], '');
  const due = dueDate(latest.performed, latest.validUntil, interval.months);
  const last = `last ${kind} ${latest.performed} by ${latest.by} (${latest.source})`;
  const problems: string[] = [];
  if (latest.performed > today) problems.push(`${last}: performed after ${today}`);
  else if (latest.result === 'fail') problems.push(`${last}: result fail; a passing ${kind} was due by ${due}`);
  else if (due < today) problems.push(`${last}: overdue since ${due} (${every})`);
  return judged(problems, `${last}: ${latest.result}; next due ${due} (${every})`);
}

export interface EvidenceRuleSpec extends Omit<Rule, 'check'> {
  readonly kind: EvidenceKind;
  /** true, or why the rule does not apply to a system that has an interval (a level 1-2 system without backups). */
  readonly applies?: (system: InformationSystem) => string | true;
}

/** A rule checking one kind of evidence against the profile's interval for each system's level. */
export function evidenceIntervalRule({ kind, applies, ...rule }: EvidenceRuleSpec): Rule {
  return {
    ...rule,
    check: perSystem({
      prepare: ({ asOf }) => isoDay(asOf),
      judge: (system, today, context) => evidenceVerdict(system, kind, context, today, applies),
    }),
  };
}
