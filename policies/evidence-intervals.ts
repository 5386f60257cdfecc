import type { SecurityLevel } from '../constructs';
import type { EvidenceKind } from '../environments/evidence';
import type { RegulationProfile } from './profiles';

/**
 * How often each kind of evidence must be renewed, per security level. This table is the one place the
 * figures live until the regulation profiles carry their own `intervals` (policies/profiles.ts); a profile
 * that does carry them is read instead.
 */

/** Where a figure comes from: the official text, compliance publications citing it, or ndc's own bound. */
export type IntervalBasis = 'confirmed' | 'reported' | 'ndc policy';

export interface EvidenceInterval {
  readonly months: number;
  readonly basis: IntervalBasis;
  /** The article or publication it comes from, or what ndc policy decided. */
  readonly source: string;
}

/** kind -> level -> interval; a level without an entry has no interval for that kind. */
export type IntervalTable = Readonly<Partial<Record<EvidenceKind, Readonly<Partial<Record<SecurityLevel, EvidenceInterval>>>>>>;

const confirmed = (months: number, source: string): EvidenceInterval => ({ months, basis: 'confirmed', source });
const reported = (months: number, source: string): EvidenceInterval => ({ months, basis: 'reported', source });
const ndcPolicy = (months: number, source: string): EvidenceInterval => ({ months, basis: 'ndc policy', source });

const ASSESSMENT = 'Decree 85/2016/ND-CP art. 20; Circular 12/2022/TT-BTTTT';
const REPORTED_2026 = 'reported 2026 figures (Decree 331/2026/ND-CP as cited by compliance publications; not yet checked against the official text)';
const NDC = 'ndc policy: no interval in the regulation for this level';

export const EVIDENCE_INTERVALS: IntervalTable = {
  assessment: { 1: confirmed(24, ASSESSMENT), 2: confirmed(24, ASSESSMENT), 3: confirmed(12, ASSESSMENT), 4: confirmed(12, ASSESSMENT), 5: confirmed(6, ASSESSMENT) },
  'restore-test': { 1: ndcPolicy(12, NDC), 2: ndcPolicy(12, NDC), 3: ndcPolicy(6, NDC), 4: reported(6, REPORTED_2026), 5: reported(3, REPORTED_2026) },
  'penetration-test': { 3: ndcPolicy(12, NDC), 4: reported(12, REPORTED_2026), 5: reported(6, REPORTED_2026) },
  'vulnerability-scan': {
    1: ndcPolicy(12, 'ndc policy'),
    2: ndcPolicy(6, 'ndc policy'),
    3: ndcPolicy(6, 'ndc policy'),
    4: ndcPolicy(3, 'ndc policy'),
    5: ndcPolicy(3, 'ndc policy'),
  },
  'incident-drill': { 3: ndcPolicy(12, 'ndc policy'), 4: ndcPolicy(12, 'ndc policy'), 5: ndcPolicy(6, 'ndc policy') },
  'risk-assessment': {
    1: ndcPolicy(24, 'ndc policy'),
    2: ndcPolicy(24, 'ndc policy'),
    3: ndcPolicy(12, 'ndc policy'),
    4: ndcPolicy(12, 'ndc policy'),
    5: ndcPolicy(12, 'ndc policy'),
  },
};

/** The intervals a profile holds systems to: its own table when it has one, else ndc's. */
export function intervalsOf(profile: RegulationProfile | undefined): IntervalTable {
  return (profile as (RegulationProfile & { readonly intervals?: IntervalTable }) | undefined)?.intervals ?? EVIDENCE_INTERVALS;
}

/** The interval of a kind at a level under a profile, or undefined when that level has none. */
export function intervalFor(profile: RegulationProfile | undefined, kind: EvidenceKind, level: number): EvidenceInterval | undefined {
  return intervalsOf(profile)[kind]?.[level as SecurityLevel];
}
