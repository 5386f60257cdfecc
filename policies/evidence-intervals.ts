import { PROFILES, VN_2016, type IntervalFigure, type IntervalTable, type RegulationProfile } from './profiles';

/**
 * How often each kind of evidence must be renewed, per security level: the profile's `intervals` table
 * (policies/profiles.ts), read the same way by the evidence rules, `ndc schedule` and `ndc evidence`.
 */

export type { IntervalBasis, IntervalFigure, IntervalTable } from './profiles';

/** The intervals a profile holds systems to (vn-2016's when none is given, as the rules' default profile). */
export function intervalsOf(profile: RegulationProfile | undefined): IntervalTable {
  return (profile ?? PROFILES[VN_2016]).intervals;
}

/** The interval of a kind at a level under a profile, or undefined when that level (or kind, such as a contract) has none. */
export function intervalFor(profile: RegulationProfile | undefined, kind: string, level: number): IntervalFigure | undefined {
  const table = intervalsOf(profile) as Readonly<Record<string, Readonly<Partial<Record<number, IntervalFigure>>> | undefined>>;
  return table[kind]?.[level];
}
