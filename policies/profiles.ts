import { InputError } from '../core/errors';
import { DECREE_85_APPROVER_FLOOR, DEFAULT_PUE_TARGET, type ApproverTable, type LevelCriterion } from '../environments/vocabulary';

/**
 * Regulation profiles: named, versioned rule sets. The regulations changed in 2025-26, so an environment
 * names the profile it is held to and every report says which one was used. The packs in force are those
 * the registry (policies/registry.ts) lists under the profile's name; the profile holds their data:
 * figures, citations, approver floors and intervals. The rule code is shared; profiles differ by data.
 */

/**
 * Where a figure or citation stands: `confirmed` from the official text, or `reported` (by compliance
 * publications citing the gazette) and not yet checked against it. Reports show every `reported` one.
 */
export type Provenance = 'confirmed' | 'reported';

/** A legal instrument a profile cites. */
export interface Instrument {
  readonly id: string;
  readonly title: string;
  readonly status: Provenance;
  /** YYYY-MM-DD, when known. */
  readonly inForce?: string;
}

/** What a rule enforces, in a profile: an article (or annex, section) of one of the profile's instruments. */
export interface Citation {
  readonly instrument: string;
  readonly article: string;
  readonly status: Provenance;
}

/** A rule that enforces the platform's own bound rather than a legal text cites this. */
export const NDC_POLICY = 'ndc policy';
export type CitationEntry = Citation | typeof NDC_POLICY;

/** A figure with where it comes from. */
export interface Sourced<T> {
  readonly value: T;
  readonly status: Provenance;
  readonly source: string;
}

export type SecurityLevelKey = 1 | 2 | 3 | 4 | 5;

/**
 * The periodic activities whose interval a profile sets per level, named as the evidence records name
 * their kinds (environments/evidence.ts): the evidence rules and `ndc schedule` read `intervals`.
 */
export const INTERVAL_KINDS = ['assessment', 'restore-test', 'penetration-test', 'vulnerability-scan', 'incident-drill', 'risk-assessment'] as const;
export type IntervalKind = (typeof INTERVAL_KINDS)[number];

/** Where an interval comes from: the official text, reported figures, or ndc's own bound where the regulation has none. */
export type IntervalBasis = Provenance | typeof NDC_POLICY;

/** One interval: every `months` months, with its basis and source. */
export interface IntervalFigure {
  readonly months: number;
  readonly basis: IntervalBasis;
  readonly source: string;
}

/** kind -> level -> interval. A level without an entry has no interval for that kind: nothing falls due. */
export type IntervalTable = Readonly<Record<IntervalKind, Readonly<Partial<Record<SecurityLevelKey, IntervalFigure>>>>>;

/** What an assessor organisation must be, from which level. */
export interface AssessorRequirement {
  /** From this level the assessor is a licensed or designated organisation of the environment's list. */
  readonly licensedFromLevel: Sourced<number>;
  /** From this level the assessor must also be a professional organisation (when the profile says so). */
  readonly professionalFromLevel?: Sourced<number>;
}

/** Requirements that fix a system's lowest security level, by what it processes or serves. */
export interface LevelFloor {
  /** A classification (`secret`: state secrets) or a declared criterion of the system (`levelCriteria`). */
  readonly when: { readonly classification: 'secret' } | { readonly criterion: LevelCriterion };
  readonly minLevel: SecurityLevelKey;
  readonly citation: Citation;
}

export interface RegulationProfile {
  readonly name: string;
  /** Bumped whenever the packs or parameters change: part of the policy digest. */
  readonly version: string;
  readonly title: string;
  /** Whether the profile as a whole rests on confirmed texts or on reported ones. */
  readonly status: Provenance;
  readonly sources: readonly string[];
  readonly instruments: readonly Instrument[];
  /**
   * The fewest approvers each security level needs under this regulation: an environment's `approvals`
   * may add roles or reviewers, never drop below these. Not a parameter, so no environment overrides it.
   */
  readonly approverFloor: { readonly table: ApproverTable; readonly source: string; readonly status: Provenance };
  readonly parameters: {
    readonly minClusters: number;
    readonly minClusterDistanceKm: number;
    /** PUE target of a cluster that declares none. */
    readonly defaultPueTarget: number;
    /** Longest recovery point objective per level (hours), levels 3-5. */
    readonly maxRpoHours: Readonly<Record<3 | 4 | 5, number>>;
    /** Shortest backup retention per level (days), levels 3-5. */
    readonly minRetentionDays: Readonly<Record<3 | 4 | 5, number>>;
    /** Fewest distinct links between a level-5 system's primary and recovery clusters. */
    readonly minRecoveryLinks: number;
  };
  /** Where each parameter comes from (a `reported` one is shown as such in every report). */
  readonly parameterSources: Readonly<Record<keyof RegulationProfile['parameters'], { readonly status: Provenance; readonly source: string }>>;
  /** Periodic activities per level: the evidence rules and `ndc schedule` read this table. */
  readonly intervals: IntervalTable;
  readonly assessor: AssessorRequirement;
  readonly levelFloors: readonly LevelFloor[];
  /**
   * Rule ids (a trailing `*` matches a prefix) whose mandatory enforcement an environment override may not
   * weaken: only a dated exception (policy.exceptions) can waive their findings.
   */
  readonly protectedRules: readonly string[];
  /** The requirement each rule enforces (policies/citations.ts) -> what it cites under this profile. */
  readonly citations: Readonly<Record<string, readonly CitationEntry[]>>;
  /** For a newer profile: when environments on the older one must meet it, per requirement (the transition report). */
  readonly transition?: Transition;
}

/** A newer profile's transition from an older one. */
export interface Transition {
  readonly from: string;
  /** The deadline each requirement gets; requirements not listed get `defaultDeadline`. */
  readonly deadlines: Readonly<Record<string, string>>;
  readonly defaultDeadline: string;
  readonly status: Provenance;
  readonly source: string;
  /** Why the deadlines were assigned as they are. */
  readonly rationale: string;
}

/** The id of the profile every shipped environment is held to. */
export const VN_2016 = 'vn-2016';
/** The 2026 regulation as reported: Law 116/2025/QH15, Decree 331/2026/ND-CP, TCVN 14423:2026. */
export const VN_2026 = 'vn-2026';

const DECREE_85 = 'Decree 85/2016/ND-CP';
const CIRCULAR_12 = 'Circular 12/2022/TT-BTTTT';
const TCVN_11930 = 'TCVN 11930:2017';
const DECISION_2629 = 'Decision 2629/QD-TTg';
const LAW_116 = 'Law on Cybersecurity 116/2025/QH15';
const DECREE_331 = 'Decree 331/2026/ND-CP';
const TCVN_14423 = 'TCVN 14423:2026';
const LAW_91 = 'Law 91/2025/QH15';

const confirmed = (instrument: string, article: string): Citation => ({ instrument, article, status: 'confirmed' });
const reported = (instrument: string, article: string): Citation => ({ instrument, article, status: 'reported' });
const figure = (months: number, basis: IntervalBasis, source: string): IntervalFigure => ({ months, basis, source });
const REPORTED_2026 = `${DECREE_331} (reported 2026 figures; not yet checked against the official text)`;
const NO_FIGURE = 'ndc policy: no interval in the regulation for this level';

/** The 2016 assessment intervals (24/24/12/12/6 months): Decree 85 art. 20 and the level table. */
function assessmentIntervals(basis: IntervalBasis, source: string): IntervalTable['assessment'] {
  return { 1: figure(24, basis, source), 2: figure(24, basis, source), 3: figure(12, basis, source), 4: figure(12, basis, source), 5: figure(6, basis, source) };
}

/**
 * The intervals both profiles share: the reported 2026 restore-test and penetration-test figures at levels
 * 4-5 (applied in advance under vn-2016), and ndc's own bounds where the regulation sets none.
 */
const SHARED_INTERVALS: Omit<IntervalTable, 'assessment'> = {
  'restore-test': { 1: figure(12, NDC_POLICY, NO_FIGURE), 2: figure(12, NDC_POLICY, NO_FIGURE), 3: figure(6, NDC_POLICY, NO_FIGURE), 4: figure(6, 'reported', REPORTED_2026), 5: figure(3, 'reported', REPORTED_2026) },
  'penetration-test': { 3: figure(12, NDC_POLICY, NO_FIGURE), 4: figure(12, 'reported', REPORTED_2026), 5: figure(6, 'reported', REPORTED_2026) },
  'vulnerability-scan': { 1: figure(12, NDC_POLICY, NDC_POLICY), 2: figure(6, NDC_POLICY, NDC_POLICY), 3: figure(6, NDC_POLICY, NDC_POLICY), 4: figure(3, NDC_POLICY, NDC_POLICY), 5: figure(3, NDC_POLICY, NDC_POLICY) },
  'incident-drill': { 3: figure(12, NDC_POLICY, NDC_POLICY), 4: figure(12, NDC_POLICY, NDC_POLICY), 5: figure(6, NDC_POLICY, NDC_POLICY) },
  'risk-assessment': { 1: figure(24, NDC_POLICY, NDC_POLICY), 2: figure(24, NDC_POLICY, NDC_POLICY), 3: figure(12, NDC_POLICY, NDC_POLICY), 4: figure(12, NDC_POLICY, NDC_POLICY), 5: figure(12, NDC_POLICY, NDC_POLICY) },
};

const VN_2016_CITATIONS: Record<string, readonly CitationEntry[]> = {
  zoning: [confirmed(CIRCULAR_12, 'Annex (network zoning by level)'), confirmed(TCVN_11930, 'section 6 (network access control)')],
  'shared-cloud-isolation': [confirmed(DECREE_85, 'art. 9'), confirmed(CIRCULAR_12, 'Annex (systems in a shared cloud: logical isolation at level 3, physical separation from level 4)')],
  'level-controls': [confirmed(CIRCULAR_12, 'Annex (baseline controls by level)'), confirmed(TCVN_11930, 'requirements by level')],
  // The retention figures per level (1/3/6/12 months) are the reported 2026 ones, applied in advance.
  logging: [confirmed(CIRCULAR_12, 'Annex (log management)'), reported(DECREE_331, 'log retention 1/3/6/12 months for levels 2/3/4/5 (reported 2026 figures)')],
  'recovery-site': [confirmed(CIRCULAR_12, 'Annex, levels 4-5 (redundancy; level 5: redundant site with redundant links)')],
  assessment: [confirmed(DECREE_85, 'art. 20')],
  assessor: [confirmed(DECREE_85, 'art. 20(2)(c)')],
  'level-criteria': [confirmed(DECREE_85, 'art. 7-11 (criteria for levels 1-5)')],
  backup: [confirmed(CIRCULAR_12, 'Annex, level 3 and up (central backup, 3-2-1, encrypted; backup protection from level 4)')],
  // Levels 4-5 take the reported 2026 figures in advance; levels 1-3 are ndc's own bound (profile intervals).
  'restore-test': [reported(DECREE_331, 'restore tests every 6 months at level 4, every quarter at level 5 (reported 2026 figures)'), NDC_POLICY],
  'penetration-test': [reported(DECREE_331, 'penetration tests yearly at level 4, every 6 months at level 5 (reported 2026 figures)'), NDC_POLICY],
  'vulnerability-scan': [NDC_POLICY],
  'incident-drill': [NDC_POLICY],
  'risk-assessment': [NDC_POLICY],
  'gov-network': [confirmed(DECISION_2629, 'programme tasks (specialised data network of Party and State agencies)'), confirmed(DECREE_85, 'art. 9')],
  clusters: [confirmed(DECISION_2629, 'programme tasks (unified government cloud on at least three national data-center clusters)')],
  authentication: [confirmed(TCVN_11930, 'protection of authentication information'), confirmed(CIRCULAR_12, 'Annex (access control)')],
  'internet-facing': [confirmed(CIRCULAR_12, 'Annex, level 2 and up (WAF, encrypted transport, logging for internet-facing systems)')],
  residency: [NDC_POLICY],
  'public-edge': [NDC_POLICY],
  'cluster-distance': [NDC_POLICY],
  green: [NDC_POLICY],
  'engine-validity': [NDC_POLICY],
  'cdk-nag': [NDC_POLICY],
};

/** 2026: the same requirements, cited in the reported replacement texts (articles not yet confirmed). */
const VN_2026_CITATIONS: Record<string, readonly CitationEntry[]> = {
  ...VN_2016_CITATIONS,
  zoning: [reported(DECREE_331, 'security requirements by level (network zoning)'), reported(TCVN_14423, 'network access control')],
  'shared-cloud-isolation': [reported(DECREE_331, 'security requirements by level (systems in a shared cloud)')],
  'level-controls': [reported(DECREE_331, 'security requirements by level (baseline controls)'), reported(TCVN_14423, 'requirements by level')],
  logging: [reported(DECREE_331, 'log retention 1/3/6/12 months for levels 2/3/4/5; immutable logs in a separate zone from level 4')],
  'recovery-site': [reported(DECREE_331, 'level 5: recovery site with at least two links to the primary')],
  assessment: [reported(DECREE_331, 'periodic assessment by level')],
  assessor: [reported(DECREE_331, 'assessor organisations (licensed or designated from level 3; professional at level 5)')],
  'level-criteria': [reported(DECREE_331, 'criteria for levels 1-5')],
  backup: [reported(DECREE_331, 'security requirements by level (backup)')],
  'restore-test': [reported(DECREE_331, 'restore tests every 6 months at level 4, every quarter at level 5'), NDC_POLICY],
  'penetration-test': [reported(DECREE_331, 'penetration tests yearly at level 4, every 6 months at level 5'), NDC_POLICY],
  'gov-network': [confirmed(DECISION_2629, 'programme tasks (specialised data network of Party and State agencies)'), reported(DECREE_331, 'security requirements by level (network zoning)')],
  authentication: [reported(TCVN_14423, 'protection of authentication information'), reported(DECREE_331, 'MFA for administration and remote access from level 1')],
  'internet-facing': [reported(DECREE_331, 'security requirements by level (internet-facing systems)')],
};

export const PROFILES: Readonly<Record<string, RegulationProfile>> = {
  [VN_2016]: {
    name: VN_2016,
    version: '2026.12',
    title: 'Decree 85/2016/ND-CP, Circular 12/2022/TT-BTTTT, TCVN 11930:2017',
    status: 'confirmed',
    sources: [DECREE_85, CIRCULAR_12, TCVN_11930, DECISION_2629],
    instruments: [
      { id: DECREE_85, title: 'Security of information systems by classification', status: 'confirmed', inForce: '2016-07-01' },
      { id: CIRCULAR_12, title: 'Details and guidance of Decree 85/2016/ND-CP', status: 'confirmed' },
      { id: TCVN_11930, title: 'Information security: basic requirements by level', status: 'confirmed' },
      { id: DECISION_2629, title: 'Digital Government Programme', status: 'confirmed', inForce: '2025-12-01' },
      // The reported restore-test figures are applied, advisory, ahead of the 2026 decree.
      { id: DECREE_331, title: 'Security levels of information systems (replaces Decree 85/2016/ND-CP)', status: 'reported', inForce: '2026-08-19' },
    ],
    approverFloor: { table: DECREE_85_APPROVER_FLOOR, source: `${DECREE_85} art. 12`, status: 'confirmed' },
    parameters: {
      minClusters: 3,
      minClusterDistanceKm: 100,
      defaultPueTarget: DEFAULT_PUE_TARGET,
      maxRpoHours: { 3: 24, 4: 4, 5: 1 },
      minRetentionDays: { 3: 90, 4: 365, 5: 365 },
      minRecoveryLinks: 2,
    },
    parameterSources: {
      minClusters: { status: 'confirmed', source: `${DECISION_2629} (at least three national data-center clusters)` },
      minClusterDistanceKm: { status: 'confirmed', source: NDC_POLICY },
      defaultPueTarget: { status: 'confirmed', source: NDC_POLICY },
      maxRpoHours: { status: 'confirmed', source: NDC_POLICY },
      minRetentionDays: { status: 'confirmed', source: NDC_POLICY },
      minRecoveryLinks: { status: 'confirmed', source: `${CIRCULAR_12}, Annex, level 5 (redundant links)` },
    },
    intervals: { assessment: assessmentIntervals('confirmed', `${DECREE_85} art. 20; ${CIRCULAR_12}`), ...SHARED_INTERVALS },
    assessor: { licensedFromLevel: { value: 3, status: 'confirmed', source: `${DECREE_85} art. 20(2)(c)` } },
    levelFloors: [
      { when: { classification: 'secret' }, minLevel: 3, citation: reported(DECREE_85, 'art. 9 (state secrets: level 3 or above)') },
      { when: { criterion: 'national-e-government-24x7' }, minLevel: 4, citation: reported(DECREE_85, 'art. 10 (national e-government systems operated 24/7)') },
      { when: { criterion: 'shared-national-infrastructure' }, minLevel: 4, citation: confirmed(DECREE_85, 'art. 10(3)') },
    ],
    protectedRules: ['NDC-VAL-*', 'NDC-NET-*', 'NDC-LVL-011'],
    citations: VN_2016_CITATIONS,
  },
  [VN_2026]: {
    name: VN_2026,
    version: '2026.12',
    title: 'Law on Cybersecurity 116/2025/QH15, Decree 331/2026/ND-CP, TCVN 14423:2026, Law 91/2025/QH15 (reported texts)',
    status: 'reported',
    sources: [LAW_116, DECREE_331, TCVN_14423, LAW_91, DECISION_2629],
    instruments: [
      { id: LAW_116, title: 'Law on Cybersecurity', status: 'reported', inForce: '2026-07-01' },
      { id: DECREE_331, title: 'Security levels of information systems (replaces Decree 85/2016/ND-CP)', status: 'reported', inForce: '2026-08-19' },
      { id: TCVN_14423, title: 'Information security requirements by level (replaces TCVN 11930:2017)', status: 'reported' },
      { id: LAW_91, title: 'Personal data protection (regulates cross-border transfer)', status: 'confirmed', inForce: '2026-01-01' },
      { id: DECISION_2629, title: 'Digital Government Programme', status: 'confirmed', inForce: '2025-12-01' },
    ],
    approverFloor: { table: DECREE_85_APPROVER_FLOOR, source: `${DECREE_331} (reported; the approval authorities of Decree 85/2016/ND-CP art. 12 until confirmed)`, status: 'reported' },
    parameters: {
      minClusters: 3,
      minClusterDistanceKm: 100,
      defaultPueTarget: DEFAULT_PUE_TARGET,
      maxRpoHours: { 3: 24, 4: 4, 5: 1 },
      minRetentionDays: { 3: 90, 4: 365, 5: 365 },
      minRecoveryLinks: 2,
    },
    parameterSources: {
      minClusters: { status: 'confirmed', source: `${DECISION_2629} (at least three national data-center clusters)` },
      minClusterDistanceKm: { status: 'confirmed', source: NDC_POLICY },
      defaultPueTarget: { status: 'confirmed', source: NDC_POLICY },
      maxRpoHours: { status: 'confirmed', source: NDC_POLICY },
      minRetentionDays: { status: 'confirmed', source: NDC_POLICY },
      minRecoveryLinks: { status: 'reported', source: `${DECREE_331} (level 5: at least two links between the primary and the recovery site)` },
    },
    intervals: { assessment: assessmentIntervals('reported', `${DECREE_331} (reported; the Decree 85/2016 intervals until confirmed)`), ...SHARED_INTERVALS },
    assessor: {
      licensedFromLevel: { value: 3, status: 'reported', source: `${DECREE_331} (as ${DECREE_85} art. 20(2)(c))` },
      professionalFromLevel: { value: 5, status: 'reported', source: `${DECREE_331} (a professional assessor organisation at level 5)` },
    },
    levelFloors: [
      { when: { classification: 'secret' }, minLevel: 3, citation: reported(DECREE_331, 'criteria for levels (state secrets)') },
      { when: { criterion: 'national-e-government-24x7' }, minLevel: 4, citation: reported(DECREE_331, 'criteria for levels (national e-government systems operated 24/7)') },
      { when: { criterion: 'shared-national-infrastructure' }, minLevel: 4, citation: reported(DECREE_331, 'criteria for levels (shared national infrastructure)') },
    ],
    protectedRules: ['NDC-VAL-*', 'NDC-NET-*', 'NDC-LVL-011'],
    citations: VN_2026_CITATIONS,
    transition: {
      from: VN_2016,
      // Reported texts give two dates; ndc assigns the earlier one to what the platform can change in its own
      // configuration (citations, assessor records, links declared) and the later one to requirements that
      // need new work on the ground (tests, links, re-assessment), pending the official text.
      deadlines: {
        'recovery-site': '2027-07-01',
        'restore-test': '2027-07-01',
        'penetration-test': '2027-07-01',
        'vulnerability-scan': '2027-07-01',
        'incident-drill': '2027-07-01',
        'risk-assessment': '2027-07-01',
        'level-criteria': '2027-07-01',
        assessment: '2027-07-01',
        logging: '2027-07-01',
        authentication: '2027-07-01',
      },
      defaultDeadline: '2027-01-01',
      status: 'reported',
      source: `${DECREE_331} transitional provisions (reported: 1 Jan 2027 and 1 Jul 2027)`,
      rationale:
        'the reported texts name two transition deadlines; ndc gives 1 Jul 2027 to requirements that need new work on the ground (re-levelling a system, new links, restore and penetration tests, scans, drills, risk and security re-assessment, log retention, MFA) and 1 Jan 2027 to everything else, until the official text says otherwise',
    },
  },
};

export function profileNamed(name: string, where: string): RegulationProfile {
  const profile = Object.hasOwn(PROFILES, name) ? PROFILES[name] : undefined;
  if (!profile) throw new InputError(where, `${JSON.stringify(name)} is not a regulation profile (known: ${Object.keys(PROFILES).join(', ')})`);
  return profile;
}

/** Whether a rule id is one of the profile's protected rules (`NDC-NET-*` matches a prefix). */
export function isProtectedRule(profile: RegulationProfile, ruleId: string): boolean {
  return profile.protectedRules.some((p) => (p.endsWith('*') ? ruleId.startsWith(p.slice(0, -1)) : ruleId === p));
}

/** One line per figure or citation of the profile that is reported, not confirmed: what every report lists. */
export function reportedFigures(profile: RegulationProfile): string[] {
  const out: string[] = [];
  if (profile.status === 'reported') out.push(`profile ${profile.name}: based on reported texts (${profile.instruments.filter((i) => i.status === 'reported').map((i) => i.id).join(', ')})`);
  if (profile.approverFloor.status === 'reported') out.push(`approver floor: ${profile.approverFloor.source}`);
  for (const [name, { status, source }] of Object.entries(profile.parameterSources)) {
    if (status === 'reported') out.push(`parameter ${name} = ${JSON.stringify(profile.parameters[name as keyof RegulationProfile['parameters']])}: ${source}`);
  }
  for (const kind of INTERVAL_KINDS) {
    const levels = Object.entries(profile.intervals[kind]).filter(([, f]) => f.basis === 'reported');
    if (levels.length) out.push(`interval ${kind}: ${levels.map(([level, f]) => `level ${level} every ${f.months} months`).join(', ')} (${levels[0][1].source})`);
  }
  const { licensedFromLevel, professionalFromLevel } = profile.assessor;
  if (licensedFromLevel.status === 'reported') out.push(`assessor licensed or designated from level ${licensedFromLevel.value}: ${licensedFromLevel.source}`);
  if (professionalFromLevel?.status === 'reported') out.push(`assessor a professional organisation from level ${professionalFromLevel.value}: ${professionalFromLevel.source}`);
  for (const floor of profile.levelFloors) {
    if (floor.citation.status === 'reported') out.push(`minimum level ${floor.minLevel} for ${'classification' in floor.when ? `${floor.when.classification} data` : floor.when.criterion}: ${floor.citation.instrument} ${floor.citation.article}`);
  }
  for (const [requirement, entries] of Object.entries(profile.citations)) {
    const unconfirmed = entries.filter((e): e is Citation => e !== NDC_POLICY && e.status === 'reported');
    if (unconfirmed.length) out.push(`citation for ${requirement}: ${unconfirmed.map((e) => `${e.instrument} ${e.article}`).join('; ')}`);
  }
  if (profile.transition?.status === 'reported') out.push(`transition deadlines: ${profile.transition.source}`);
  return out;
}
