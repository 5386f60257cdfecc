import type { Coordinates } from '../core/geo';

/**
 * The words and numbers of the national cloud, defined once and zod-free: the environment schema, the
 * environment data and the constructs all derive from these.
 */

/** Network zones of a cluster, in address-plan order (the n-th zone gets the n-th block). */
export const ZONES = [
  'edge',
  'dmz',
  'internal-server',
  'database',
  'management',
  'device-management',
  'backup',
  'gov-interconnect',
] as const;
export type Zone = (typeof ZONES)[number];

/** Where traffic can come from besides a zone of the same cluster. */
export const EXTERNAL_PEERS = ['internet', 'gov-network'] as const;
export type ExternalPeer = (typeof EXTERNAL_PEERS)[number];

/** True when a flow end is the internet or the government network rather than a zone or segment. */
export function isExternalPeer(peer: unknown): peer is ExternalPeer {
  return (EXTERNAL_PEERS as readonly unknown[]).includes(peer);
}

export const CLASSIFICATIONS = ['public', 'internal', 'confidential', 'secret'] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

/**
 * What a system serves that fixes its lowest security level under the regulation (the profile's
 * `levelFloors`): a national e-government service operated 24/7, shared national infrastructure.
 */
export const LEVEL_CRITERIA = ['national-e-government-24x7', 'shared-national-infrastructure'] as const;
export type LevelCriterion = (typeof LEVEL_CRITERIA)[number];

/** How an assessor organisation is entitled to assess: licensed, or designated by the competent authority. */
export const ASSESSOR_STANDINGS = ['licensed', 'designated'] as const;
export type AssessorStanding = (typeof ASSESSOR_STANDINGS)[number];

/** Where a backup copy is kept. */
export const BACKUP_MEDIA = ['object', 'disk', 'tape'] as const;
export type BackupMedium = (typeof BACKUP_MEDIA)[number];

export const STAGES = ['development', 'staging', 'production'] as const;
export type Stage = (typeof STAGES)[number];

/** Prefix length of a cluster's shared per-zone segment (one /22 per zone from the start of the range). */
export const ZONE_SEGMENT_PREFIX = 22;

/** Prefix length of the per-zone block cut out of a system's dedicated network (one /24 per zone). */
export const DEDICATED_ZONE_PREFIX = 24;

/** The largest prefix a dedicated network may have: room for one zone block per zone (a /21 for eight zones). */
export const DEDICATED_NETWORK_PREFIX = DEDICATED_ZONE_PREFIX - Math.ceil(Math.log2(ZONES.length));

/** Prefix length of each cluster's block of the national backbone (interconnect), one per cluster. */
export const INTERCONNECT_BLOCK_PREFIX = 24;

/** The default power usage effectiveness a cluster must meet. */
export const DEFAULT_PUE_TARGET = 1.4;

export interface NationalSite {
  readonly name: string;
  readonly site: string;
  readonly location: Coordinates;
  readonly openstackRegion: string;
  readonly availabilityZones: readonly string[];
  readonly pue: number;
  readonly energySource: string;
}

/** The national data-center clusters (Decision 2629/QD-TTg). */
export const NATIONAL_SITES = {
  north: {
    name: 'Hoa Lac, Hanoi',
    site: 'National Data Center No. 1 (Hoa Lac Hi-Tech Park)',
    location: { lat: 21.0136, lon: 105.5259 },
    openstackRegion: 'VN-North',
    availabilityZones: ['north-a', 'north-b', 'north-c'],
    pue: 1.32,
    energySource: 'grid with rooftop solar and certified renewable supply',
  },
  central: {
    name: 'Da Nang',
    site: 'Central Regional Data Center Cluster (Da Nang)',
    location: { lat: 16.0544, lon: 108.2022 },
    openstackRegion: 'VN-Central',
    availabilityZones: ['central-a', 'central-b'],
    pue: 1.38,
    energySource: 'grid with wind power purchase agreement',
  },
  south: {
    name: 'Ho Chi Minh City',
    site: 'Southern Regional Data Center Cluster (Ho Chi Minh City)',
    location: { lat: 10.8231, lon: 106.6297 },
    openstackRegion: 'VN-South',
    availabilityZones: ['south-a', 'south-b', 'south-c'],
    pue: 1.36,
    energySource: 'grid with solar power purchase agreement',
  },
} as const satisfies Record<string, NationalSite>;
export type NationalSiteId = keyof typeof NATIONAL_SITES;

export function nationalSite(id: string): NationalSite | undefined {
  return Object.hasOwn(NATIONAL_SITES, id) ? NATIONAL_SITES[id as NationalSiteId] : undefined;
}

/** What a tier gets for what it leaves out, in the environment schema and in the constructs alike. */
export const TIER_DEFAULTS = { instances: 2, flavor: 'c4.large', volumeGb: 0, cpu: 2, memoryGb: 4 } as const;

/** Reviewer roles of a security dossier. */
export const APPROVER_ROLES = ['security-unit', 'system-owner', 'national-authority'] as const;
export type ApproverRole = (typeof APPROVER_ROLES)[number];

/** Roles per security level, `'1'` to `'5'`; a role listed twice needs two distinct reviewers. */
export type ApproverTable = Readonly<Record<'1' | '2' | '3' | '4' | '5', readonly ApproverRole[]>>;

/**
 * The least Decree 85/2016/ND-CP art. 12 allows: levels 1-2 the owner's security unit; level 3 the
 * security unit appraises and the system owner approves; levels 4-5 the national cyber-security authority
 * appraises and the owner approves. The vn-2016 profile's approver floor: no environment goes below it.
 */
export const DECREE_85_APPROVER_FLOOR = {
  '1': ['security-unit'],
  '2': ['security-unit'],
  '3': ['security-unit', 'system-owner'],
  '4': ['national-authority', 'system-owner'],
  '5': ['national-authority', 'system-owner'],
} as const satisfies ApproverTable;

/**
 * The approver table prod and staging use, and what an environment without `approvals` gets: the
 * decree's floor plus a second, distinct national-authority reviewer at level 5 (ndc's choice for the
 * systems whose list the Prime Minister approves; the decree does not require it).
 */
export const DECREE_85_APPROVERS = {
  ...DECREE_85_APPROVER_FLOOR,
  '5': ['national-authority', 'national-authority', 'system-owner'],
} as const satisfies ApproverTable;

/** The longest an approval stays valid when the environment sets no limit, in days. */
export const DEFAULT_MAX_APPROVAL_DAYS = 90;
