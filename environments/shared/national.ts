import type { EnvironmentInput } from '../schema';
import { DEFAULT_PUE_TARGET, NATIONAL_SITES, ZONE_SEGMENT_PREFIX, ZONES, type NationalSiteId } from '../vocabulary';

/**
 * The national clusters and information systems shared by staging and prod. Each environment picks its
 * own address space (`base` is the first octet pair's second octet) and sizes (`scale` multiplies
 * instance counts, at least one instance per tier).
 */

type RegionInput = EnvironmentInput['regions'][number];
type SystemInput = NonNullable<EnvironmentInput['systems']>[number];

/** A cluster's address plan: its /16, one zone segment per zone from the start; dedicated networks use the upper half. */
function addressPlan(secondOctet: number): RegionInput['addressPlan'] {
  const thirdOctetsPerZone = 2 ** (32 - ZONE_SEGMENT_PREFIX) / 256;
  const segments: Record<string, string> = {};
  ZONES.forEach((zone, i) => {
    segments[zone] = `10.${secondOctet}.${i * thirdOctetsPerZone}.0/${ZONE_SEGMENT_PREFIX}`;
  });
  return { cidr: `10.${secondOctet}.0.0/16`, segments };
}

function nationalRegion(id: NationalSiteId, secondOctet: number): RegionInput {
  const site = NATIONAL_SITES[id];
  return {
    id,
    name: site.name,
    site: site.site,
    location: { ...site.location },
    openstackRegion: site.openstackRegion,
    availabilityZones: site.availabilityZones.map((az) => ({ id: az })),
    green: { pueTarget: DEFAULT_PUE_TARGET, pue: site.pue, energySource: site.energySource },
    addressPlan: addressPlan(secondOctet),
  };
}

export interface NationalOptions {
  /** Second octet of the first cluster's 10.x.0.0/16; the others follow by steps of 10. */
  readonly base: number;
}

export function nationalRegions({ base }: NationalOptions): RegionInput[] {
  return [nationalRegion('north', base), nationalRegion('central', base + 10), nationalRegion('south', base + 20)];
}

// A tier that runs redundant instances in prod keeps at least two at any scale: staging rehearses prod's high availability.
const scaled = (n: number, scale: number) => (n < 2 ? n : Math.max(2, Math.round(n * scale)));

export interface SystemsOptions extends NationalOptions {
  readonly scale: number;
}

/** The information systems of the national cloud (Decision 2629/QD-TTg), sized by `scale`. */
export function nationalSystems({ base, scale }: SystemsOptions): SystemInput[] {
  const north = base;
  const central = base + 10;
  const south = base + 20;
  return [
    {
      id: 'public-service-portal',
      name: 'National Public Service Portal',
      level: 4,
      ownerAgency: 'Government Office',
      classification: 'confidential',
      levelCriteria: ['national-e-government-24x7'],
      personalData: true,
      internetFacing: true,
      primaryRegion: 'north',
      recoveryRegion: 'south',
      dedicatedNetworks: { north: `10.${north}.128.0/21`, south: `10.${south}.128.0/21` },
      tiers: [
        { name: 'web', zone: 'dmz', instances: scaled(6, scale), flavor: 'c4.xlarge', volumeGb: 100 },
        { name: 'app', zone: 'internal-server', instances: scaled(6, scale), flavor: 'c4.2xlarge', volumeGb: 200 },
        { name: 'db', zone: 'database', instances: scaled(3, scale), flavor: 'm4.4xlarge', volumeGb: 2000 },
      ],
      flows: [
        { from: 'internet', to: 'dmz', protocol: 'tcp', ports: 443, description: 'citizens reach the portal over HTTPS' },
        { from: 'dmz', to: 'internal-server', protocol: 'tcp', ports: 8443, description: 'web tier calls the application API' },
        { from: 'internal-server', to: 'database', protocol: 'tcp', ports: 5432, description: 'application reads and writes PostgreSQL' },
      ],
      backup: {
        schedule: '0 */4 * * *',
        retentionDays: 365,
        rpoHours: 4,
        copies: [
          { region: 'central', medium: 'object', immutable: true },
          { region: 'south', medium: 'disk', immutable: true },
        ],
      },
    },
    {
      id: 'population-db',
      name: 'National Population Database',
      level: 5,
      ownerAgency: 'Ministry of Public Security',
      classification: 'secret',
      personalData: true,
      primaryRegion: 'north',
      recoveryRegion: 'south',
      dedicatedNetworks: { north: `10.${north}.136.0/21`, south: `10.${south}.136.0/21` },
      tiers: [
        { name: 'api', zone: 'internal-server', instances: scaled(6, scale), flavor: 'c4.2xlarge', volumeGb: 200 },
        { name: 'db', zone: 'database', instances: scaled(5, scale), flavor: 'm4.8xlarge', volumeGb: 8000 },
      ],
      flows: [
        { from: 'gov-network', to: 'internal-server', protocol: 'tcp', ports: 443, description: 'agencies query the population API over the specialised data network' },
        { from: 'internal-server', to: 'database', protocol: 'tcp', ports: 5432, description: 'API reads and writes the database' },
      ],
      backup: {
        schedule: '0 * * * *',
        retentionDays: 3650,
        rpoHours: 1,
        copies: [
          { region: 'central', medium: 'object', immutable: true },
          { region: 'south', medium: 'tape', immutable: true },
        ],
      },
    },
    {
      id: 'e-document-exchange',
      name: 'National E-Document Exchange Platform',
      level: 3,
      ownerAgency: 'Government Office',
      classification: 'confidential',
      primaryRegion: 'central',
      recoveryRegion: 'north',
      tiers: [
        { name: 'gateway', zone: 'dmz', instances: scaled(3, scale), flavor: 'c4.large', volumeGb: 50 },
        { name: 'app', zone: 'internal-server', instances: scaled(4, scale), flavor: 'c4.xlarge', volumeGb: 200 },
        { name: 'db', zone: 'database', instances: scaled(3, scale), flavor: 'm4.2xlarge', volumeGb: 1000 },
      ],
      flows: [
        { from: 'gov-network', to: 'dmz', protocol: 'tcp', ports: 443, description: 'agencies exchange documents over the specialised data network' },
        { from: 'dmz', to: 'internal-server', protocol: 'tcp', ports: 8443 },
        { from: 'internal-server', to: 'database', protocol: 'tcp', ports: 5432 },
      ],
      backup: {
        schedule: '0 1 * * *',
        retentionDays: 180,
        rpoHours: 24,
        copies: [
          { region: 'north', medium: 'object' },
          { region: 'south', medium: 'disk' },
        ],
      },
    },
    {
      id: 'online-meeting',
      name: 'National Online Meeting Platform',
      level: 3,
      ownerAgency: 'Government Office',
      classification: 'confidential',
      primaryRegion: 'south',
      recoveryRegion: 'central',
      tiers: [
        { name: 'media', zone: 'dmz', instances: scaled(8, scale), flavor: 'c4.2xlarge', volumeGb: 50 },
        { name: 'control', zone: 'internal-server', instances: scaled(3, scale), flavor: 'c4.xlarge', volumeGb: 100 },
        { name: 'db', zone: 'database', instances: scaled(3, scale), flavor: 'm4.xlarge', volumeGb: 500 },
      ],
      flows: [
        { from: 'gov-network', to: 'dmz', protocol: 'tcp', ports: 443, description: 'meeting signalling' },
        { from: 'gov-network', to: 'dmz', protocol: 'udp', ports: [10000, 20000], description: 'meeting media (SRTP)' },
        { from: 'dmz', to: 'internal-server', protocol: 'tcp', ports: 8443 },
        { from: 'internal-server', to: 'database', protocol: 'tcp', ports: 5432 },
      ],
      backup: {
        schedule: '30 2 * * *',
        retentionDays: 90,
        rpoHours: 24,
        copies: [
          { region: 'central', medium: 'object' },
          { region: 'north', medium: 'disk' },
        ],
      },
    },
    {
      id: 'digital-signature-ca',
      name: 'Government Digital Signature Certification Authority',
      level: 4,
      ownerAgency: 'Government Cipher Committee',
      classification: 'secret',
      primaryRegion: 'north',
      recoveryRegion: 'central',
      dedicatedNetworks: { north: `10.${north}.144.0/21`, central: `10.${central}.144.0/21` },
      tiers: [
        { name: 'ra', zone: 'dmz', instances: scaled(3, scale), flavor: 'c4.large', volumeGb: 50 },
        { name: 'ca', zone: 'internal-server', instances: scaled(2, scale), flavor: 'c4.xlarge', volumeGb: 100 },
        { name: 'db', zone: 'database', instances: scaled(2, scale), flavor: 'm4.xlarge', volumeGb: 500 },
      ],
      flows: [
        { from: 'gov-network', to: 'dmz', protocol: 'tcp', ports: 443, description: 'certificate requests from agencies' },
        { from: 'dmz', to: 'internal-server', protocol: 'tcp', ports: 8443, description: 'registration authority calls the CA' },
        { from: 'internal-server', to: 'database', protocol: 'tcp', ports: 5432 },
      ],
      backup: {
        // Every 4 hours: a level-4 system may lose at most 4 hours of data (NDC-BAK-004; was 6 h).
        schedule: '0 */4 * * *',
        retentionDays: 3650,
        rpoHours: 4,
        copies: [
          { region: 'central', medium: 'object', immutable: true },
          { region: 'south', medium: 'tape', immutable: true },
        ],
      },
    },
    {
      id: 'open-data-portal',
      name: 'National Open Data Portal',
      level: 2,
      ownerAgency: 'Ministry of Science and Technology',
      classification: 'public',
      internetFacing: true,
      primaryRegion: 'central',
      recoveryRegion: 'south',
      tiers: [
        { name: 'web', zone: 'dmz', instances: scaled(3, scale), flavor: 'c4.large', volumeGb: 50 },
        { name: 'catalog', zone: 'internal-server', instances: scaled(2, scale), flavor: 'c4.large', volumeGb: 500 },
      ],
      flows: [
        { from: 'internet', to: 'dmz', protocol: 'tcp', ports: 443, description: 'citizens browse and download open data' },
        { from: 'dmz', to: 'internal-server', protocol: 'tcp', ports: 8080 },
      ],
      backup: { schedule: '0 3 * * *', retentionDays: 30, rpoHours: 24, copies: [{ region: 'south', medium: 'object' }] },
      // Public, non-personal level-2 datasets: also served from the commercial CDN edge (environment `edge`).
      publicEdge: true,
    },
  ];
}

/**
 * The links of the national backbone: two per pair of clusters (the specialised data network's regional
 * route and its backup route), so a level-5 system's primary and recovery clusters stay joined when one is cut.
 */
export function nationalLinks(): NonNullable<EnvironmentInput['interconnect']['links']> {
  const pairs: Array<[NationalSiteId, NationalSiteId]> = [['north', 'central'], ['north', 'south'], ['central', 'south']];
  return pairs.flatMap(([a, b]) => [
    { id: `${a}-${b}-primary`, between: [a, b] as [string, string], carrier: 'specialised data network, regional route' },
    { id: `${a}-${b}-backup`, between: [a, b] as [string, string], carrier: 'specialised data network, backup route' },
  ]);
}

/** The assessor organisations the national systems' assessments name (licence or designation, issuer, validity). */
export function nationalAssessors(): NonNullable<EnvironmentInput['assessorOrganisations']> {
  return [
    {
      id: 'ais',
      name: 'Authority of Information Security (AIS)',
      standing: 'designated',
      professional: true,
      licence: { number: 'AIS-DES-2025-01', issuer: 'Ministry of Science and Technology', validUntil: '2028-12-31' },
    },
  ];
}

/**
 * The open-data public edge (stacks/public-edge): origin buckets in Singapore, the closest commercial
 * region, CloudFront in front. No account id: the stacks are environment-agnostic and deploy to the
 * account of the CDK CLI's credentials.
 */
export function openDataEdge({ domainName }: { domainName: string }): NonNullable<EnvironmentInput['edge']> {
  return {
    region: 'ap-southeast-1',
    systems: { 'open-data-portal': { domainName, priceClass: 'PriceClass_200', rateLimit: 2000 } },
    logRetentionDays: 365,
    acknowledgements: [
      {
        rule: 'AwsSolutions-CFR1',
        scope: 'open-data-portal',
        reason: 'Open data is published for everyone (Decision 2629/QD-TTg); no country is to be blocked from it.',
      },
    ],
  };
}
