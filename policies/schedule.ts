import { EVIDENCE_KINDS, PLATFORM_SYSTEM, latestEvidence, type LoadedEvidenceRecord } from '../environments/evidence';
import type { Environment } from '../environments/schema';
import { intervalFor } from './evidence-intervals';
import { readApprovals } from './approvals/statement';
import { readTrustStore, trustStoreShown } from './approvals/trust-store';
import { profileNamed, type RegulationProfile } from './profiles';
import { dueDate } from './rules/evidence-interval';

/**
 * What falls due for an environment (`ndc schedule`): evidence to renew per the profile's intervals,
 * contracts and records whose validity ends, approvals and reviewer entries that expire. Computed from the
 * files alone, as of one day, so the same inputs give the same schedule.
 */

/** The shared national infrastructure is level 4 (Decree 85/2016/ND-CP art. 10(3)). */
const PLATFORM_LEVEL = 4;

export type ScheduleCategory = 'evidence' | 'approval' | 'reviewer';

export interface ScheduleItem {
  /** The day it falls due or expires (YYYY-MM-DD). */
  readonly date: string;
  /** overdue: the date has passed; due: renew by the date; expires: stops counting after the date. */
  readonly status: 'overdue' | 'due' | 'expires';
  readonly category: ScheduleCategory;
  /** The evidence kind, `approval` or `reviewer key`. */
  readonly what: string;
  /** The system, `national-cloud-platform`, or the reviewer. */
  readonly subject: string;
  readonly detail: string;
  /** The file the date comes from (none for evidence never recorded). */
  readonly source?: string;
  /** Stable across regenerations of the same obligation, so a subscribed calendar updates in place. */
  readonly uid: string;
}

export interface Schedule {
  readonly env: string;
  readonly profile: string;
  /** The day the schedule is computed for. */
  readonly asOf: string;
  readonly days: number;
  /** The last day of the window. */
  readonly until: string;
  readonly items: readonly ScheduleItem[];
}

export interface ScheduleInput {
  readonly root: string;
  readonly env: Environment;
  readonly evidence: readonly LoadedEvidenceRecord[];
  readonly asOf: string;
  readonly days: number;
}

export function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function scheduleOf(input: ScheduleInput): Schedule {
  const { env, asOf, days } = input;
  const until = addDays(asOf, days);
  const profile = profileNamed(env.profile, `environments/${env.name}: profile`);
  const items = [...evidenceItems(input, profile), ...approvalItems(input), ...reviewerItems(input)].filter((i) => i.date <= until);
  items.sort((a, b) => compare(a.date, b.date) || compare(a.category, b.category) || compare(a.subject, b.subject) || compare(a.what, b.what) || compare(a.uid, b.uid));
  return { env: env.name, profile: `${profile.name} ${profile.version}`, asOf, days, until, items };
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function evidenceItems({ env, evidence, asOf }: ScheduleInput, profile: RegulationProfile): ScheduleItem[] {
  const items: ScheduleItem[] = [];
  const subjects: { id: string; level: number; backup: boolean }[] = env.systems.map((s) => ({ id: s.id, level: s.level, backup: s.backup !== undefined || s.level >= 3 }));
  // The platform's evidence is scheduled once the environment records any of it.
  if (evidence.some((r) => r.system === PLATFORM_SYSTEM)) subjects.push({ id: PLATFORM_SYSTEM, level: PLATFORM_LEVEL, backup: false });
  for (const subject of subjects) {
    for (const kind of EVIDENCE_KINDS) {
      const latest = latestEvidence(evidence, subject.id, kind);
      const interval = intervalFor(profile, kind, subject.level);
      const uid = `${env.name}.${subject.id}.${kind}`;
      if (interval && (kind !== 'restore-test' || subject.backup)) {
        const every = `every ${interval.months} month${interval.months === 1 ? '' : 's'} at level ${subject.level}, ${interval.basis}`;
        if (!latest) {
          items.push({ date: asOf, status: 'overdue', category: 'evidence', what: kind, subject: subject.id, detail: `no ${kind} recorded (${every})`, uid });
          continue;
        }
        const due = dueDate(latest.performed, latest.validUntil, interval.months);
        const failed = latest.result === 'fail';
        items.push({
          date: failed ? asOf : due,
          status: failed || due < asOf ? 'overdue' : 'due',
          category: 'evidence',
          what: kind,
          subject: subject.id,
          detail: `${failed ? 'last one failed' : 'last'}: ${latest.performed} by ${latest.by} (${every})`,
          source: latest.source,
          uid,
        });
      } else if (latest) {
        // Kinds without an interval (contracts, licences) are renewed when their own validity ends.
        items.push({ date: latest.validUntil, status: latest.validUntil < asOf ? 'overdue' : 'expires', category: 'evidence', what: kind, subject: subject.id, detail: `valid until ${latest.validUntil}: ${latest.by}`, source: latest.source, uid });
      }
    }
  }
  return items;
}

function approvalItems({ root, env, asOf }: ScheduleInput): ScheduleItem[] {
  const items: ScheduleItem[] = [];
  for (const loaded of readApprovals(root, env.name)) {
    if (!('approval' in loaded)) continue;
    const { statement } = loaded.approval;
    const day = statement.expires.slice(0, 10);
    // An approval that has already expired is no longer anything to plan for.
    if (day < asOf) continue;
    const systems = statement.systems.map((s) => s.id).join(', ');
    items.push({
      date: day,
      status: 'expires',
      category: 'approval',
      what: `${statement.operation} approval`,
      subject: statement.reviewer,
      detail: `${statement.role} approval of ${systems} (digest ${statement.digest.slice(0, 12)}...) expires ${statement.expires}`,
      source: loaded.shown,
      uid: `${env.name}.approval.${statement.reviewer}.${statement.operation}.${statement.digest.slice(0, 16)}`,
    });
  }
  return items;
}

function reviewerItems({ root, env, asOf }: ScheduleInput): ScheduleItem[] {
  const store = readTrustStore(root, env.name);
  if (!store) return [];
  // The newest version written: what the environment's reviewers are about to be, whether or not it is signed yet.
  const latest = store.versions[store.versions.length - 1].body;
  return latest.reviewers
    .filter((r) => r.notAfter.slice(0, 10) >= asOf)
    .map((r) => ({
      date: r.notAfter.slice(0, 10),
      status: 'expires' as const,
      category: 'reviewer' as const,
      what: 'reviewer key',
      subject: r.id,
      detail: `${r.roles.join(', ')} key ${r.keyId.slice(0, 16)}... valid until ${r.notAfter} (trust store version ${latest.version})`,
      source: trustStoreShown(env.name),
      uid: `${env.name}.reviewer.${r.id}.${r.keyId.slice(0, 16)}`,
    }));
}
