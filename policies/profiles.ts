import { InputError } from '../core/errors';
import { DECREE_85_APPROVER_FLOOR, DEFAULT_PUE_TARGET, type ApproverTable } from '../environments/vocabulary';

/**
 * Regulation profiles: named, versioned rule sets. The regulations changed in 2025-26, so an environment
 * names the profile it is held to and every report says which one was used. The packs in force are those
 * the registry (policies/registry.ts) lists under the profile's name; the profile holds their parameters.
 */
export interface RegulationProfile {
  readonly name: string;
  /** Bumped whenever the packs or parameters change: part of the policy digest. */
  readonly version: string;
  readonly title: string;
  readonly sources: readonly string[];
  /**
   * The fewest approvers each security level needs under this regulation: an environment's `approvals`
   * may add roles or reviewers, never drop below these. Not a parameter, so no environment overrides it.
   */
  readonly approverFloor: { readonly table: ApproverTable; readonly source: string };
  readonly parameters: {
    readonly minClusters: number;
    readonly minClusterDistanceKm: number;
    /** PUE target of a cluster that declares none. */
    readonly defaultPueTarget: number;
    /** Longest recovery point objective per level (hours), levels 3-5. */
    readonly maxRpoHours: Readonly<Record<3 | 4 | 5, number>>;
    /** Shortest backup retention per level (days), levels 3-5. */
    readonly minRetentionDays: Readonly<Record<3 | 4 | 5, number>>;
  };
}

/** The id of the profile every shipped environment and every ndc rule is held to. */
export const VN_2016 = 'vn-2016';

export const PROFILES: Readonly<Record<string, RegulationProfile>> = {
  [VN_2016]: {
    name: VN_2016,
    version: '2026.11',
    title: 'Decree 85/2016/ND-CP, Circular 12/2022/TT-BTTTT, TCVN 11930:2017',
    sources: ['Decree 85/2016/ND-CP', 'Circular 12/2022/TT-BTTTT', 'TCVN 11930:2017', 'Decision 2629/QD-TTg'],
    approverFloor: { table: DECREE_85_APPROVER_FLOOR, source: 'Decree 85/2016/ND-CP art. 12' },
    parameters: {
      minClusters: 3,
      minClusterDistanceKm: 100,
      defaultPueTarget: DEFAULT_PUE_TARGET,
      maxRpoHours: { 3: 24, 4: 4, 5: 1 },
      minRetentionDays: { 3: 90, 4: 365, 5: 365 },
    },
  },
};

export function profileNamed(name: string, where: string): RegulationProfile {
  const profile = PROFILES[name];
  if (!profile) throw new InputError(where, `${JSON.stringify(name)} is not a regulation profile (known: ${Object.keys(PROFILES).join(', ')})`);
  return profile;
}
