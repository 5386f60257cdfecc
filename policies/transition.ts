import { InputError } from '../core/errors';
import { requirementOf } from './citations';
import type { PolicyReport } from './engine';
import { PROFILES, profileNamed, type Provenance, type RegulationProfile } from './profiles';

/**
 * The transition report: what an environment still held to one profile would fail under a newer one,
 * and by which transition deadline each must be met.
 */

export interface TransitionItem {
  readonly ruleId: string;
  readonly title: string;
  readonly systemId?: string;
  readonly subject: string;
  readonly message: string;
  /** The requirement the rule enforces (policies/citations.ts), which decides the deadline. */
  readonly requirement?: string;
  readonly deadline: string;
  /** Whether the finding fails under the environment's own profile already (then it is due now, not at the deadline). */
  readonly failsNow: boolean;
  /** Whether the rule's citation under the target profile is reported rather than confirmed. */
  readonly reported: boolean;
}

export interface TransitionReport {
  readonly env: string;
  readonly asOf: string;
  readonly from: { readonly name: string; readonly version: string };
  readonly to: { readonly name: string; readonly version: string; readonly status: Provenance; readonly reported: readonly string[] };
  readonly deadlines: { readonly source: string; readonly status: Provenance; readonly rationale: string; readonly byRequirement: Readonly<Record<string, string>>; readonly otherwise: string };
  /** Mandatory findings under the target profile, in rule order. */
  readonly items: readonly TransitionItem[];
  /** How many of them the environment does not fail under its own profile. */
  readonly newFailures: number;
}

/** The target profile, checked to declare a transition from the environment's profile (else bad input for `--profile`). */
export function transitionTarget(target: string, current: string): RegulationProfile & { readonly transition: NonNullable<RegulationProfile['transition']> } {
  const profile = profileNamed(target, '--profile');
  if (!profile.transition || profile.transition.from !== current) {
    const known = Object.values(PROFILES).flatMap((p) => (p.transition ? [`${p.name} from ${p.transition.from}`] : [])).join(', ') || 'none';
    throw new InputError('--profile', `${JSON.stringify(target)} declares no transition from the environment's profile ${current} (transitions: ${known})`);
  }
  return profile as RegulationProfile & { readonly transition: NonNullable<RegulationProfile['transition']> };
}

/** Compares the two evaluations of the same environment and artifacts. */
export function transitionReport(current: PolicyReport, target: PolicyReport, profile: RegulationProfile & { readonly transition: NonNullable<RegulationProfile['transition']> }): TransitionReport {
  const failing = (r: PolicyReport) => r.findings.filter((f) => f.status === 'fail' && f.enforcement === 'mandatory');
  const now = new Set(failing(current).map((f) => `${f.ruleId}|${f.subject}`));
  const rules = new Map(target.rules.map((r) => [r.id, r]));
  const { transition } = profile;
  const items = failing(target).map((f): TransitionItem => {
    const requirement = requirementOf(f.ruleId);
    const deadline = requirement !== undefined && Object.hasOwn(transition.deadlines, requirement) ? transition.deadlines[requirement] : transition.defaultDeadline;
    return {
      ruleId: f.ruleId,
      title: f.title,
      ...(f.systemId !== undefined ? { systemId: f.systemId } : {}),
      subject: f.subject,
      message: f.message,
      ...(requirement !== undefined ? { requirement } : {}),
      deadline,
      failsNow: now.has(`${f.ruleId}|${f.subject}`),
      reported: rules.get(f.ruleId)?.regulation.status === 'reported',
    };
  });
  return {
    env: target.env,
    asOf: target.asOf,
    from: { name: current.profile.name, version: current.profile.version },
    to: { name: target.profile.name, version: target.profile.version, status: target.profile.status, reported: target.profile.reported },
    deadlines: { source: transition.source, status: transition.status, rationale: transition.rationale, byRequirement: transition.deadlines, otherwise: transition.defaultDeadline },
    items,
    newFailures: items.filter((i) => !i.failsNow).length,
  };
}

/** The transition report as text. */
export function transitionText(report: TransitionReport): string {
  const lines: string[] = [];
  lines.push(`Transition of ${report.env} from ${report.from.name} ${report.from.version} to ${report.to.name} ${report.to.version} as of ${report.asOf}${report.to.status === 'reported' ? ' (profile based on reported texts)' : ''}`);
  lines.push(`Deadlines: ${report.deadlines.source}${report.deadlines.status === 'reported' ? ' [reported]' : ''}`);
  lines.push(`  chosen: ${report.deadlines.rationale}`);
  const later = Object.entries(report.deadlines.byRequirement).map(([req, day]) => `${req} ${day}`);
  lines.push(`  by requirement: ${later.join(', ')}; everything else ${report.deadlines.otherwise}`);
  for (const line of report.to.reported) lines.push(`  reported, not confirmed from the official text: ${line}`);
  if (report.items.length === 0) lines.push(`Nothing would fail under ${report.to.name}: no mandatory finding.`);
  for (const item of report.items) {
    const when = item.failsNow ? `due now (fails under ${report.from.name} too)` : `by ${item.deadline}`;
    lines.push(`WOULD FAIL ${item.ruleId} ${when}${item.reported ? ' [reported]' : ''} ${item.subject}: ${item.message}`);
  }
  lines.push(
    report.items.length === 0
      ? `READY: ${report.env} meets ${report.to.name}'s mandatory rules`
      : `NOT READY: ${report.items.length} mandatory finding${report.items.length === 1 ? '' : 's'} under ${report.to.name} (${report.newFailures} new, ${report.items.length - report.newFailures} failing under ${report.from.name} already)`,
  );
  return `${lines.join('\n')}\n`;
}
