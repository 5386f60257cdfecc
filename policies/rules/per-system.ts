import type { InformationSystem } from '../../constructs';
import type { Rule, RuleContext, RuleResult } from '../rule';
import { notApplicable, verdict } from './support';

/**
 * Most rules judge each information system on its own: this is the loop they share, so a rule file holds
 * only its small per-system judgement (cdk-nag style).
 */

/** One system's judgement: the problems found (none means it passes) and what a pass says, or why the rule does not apply. */
export type SystemVerdict = { readonly problems: readonly string[]; readonly ok: string } | { readonly notApplicable: string };

export const judged = (problems: readonly string[], ok: string): SystemVerdict => ({ problems, ok });
export const doesNotApply = (why: string): SystemVerdict => ({ notApplicable: why });

export interface SystemCheck<Prepared> {
  /** Systems below this level are not applicable, reported as `level N` (followed by `: belowLevel` when given). */
  readonly fromLevel?: number;
  readonly belowLevel?: string;
  /** Work done once per evaluation (an index of the artifacts, a profile parameter) and handed to each judgement. */
  readonly prepare?: (context: RuleContext) => Prepared;
  readonly judge: (system: InformationSystem, prepared: Prepared, context: RuleContext) => SystemVerdict;
}

/** One result per system of the cloud, in the cloud's order, with the system's construct path as subject. */
export function systemResults<Prepared = undefined>(context: RuleContext, check: SystemCheck<Prepared>): RuleResult[] {
  const prepared = check.prepare ? check.prepare(context) : (undefined as Prepared);
  return context.cloud.systems.map((system) => {
    if (check.fromLevel !== undefined && system.level < check.fromLevel) {
      return notApplicable(system.node.path, check.belowLevel === undefined ? `level ${system.level}` : `level ${system.level}: ${check.belowLevel}`, system.id);
    }
    const outcome = check.judge(system, prepared, context);
    return 'notApplicable' in outcome ? notApplicable(system.node.path, outcome.notApplicable, system.id) : verdict(system, outcome.problems, outcome.ok);
  });
}

/** A rule's check made of one judgement per system. */
export function perSystem<Prepared = undefined>(check: SystemCheck<Prepared>): Rule['check'] {
  return (context) => systemResults(context, check);
}
