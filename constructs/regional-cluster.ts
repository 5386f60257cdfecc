import { Construct } from 'constructs';
import type { Cidr } from '../core/cidr';
import { contains, firstOverlap, mustParseCidr, overlaps, subdivide } from '../core/cidr';
import { distanceKm, type Coordinates } from '../core/geo';
import { DEDICATED_NETWORK_PREFIX, DEFAULT_PUE_TARGET, NATIONAL_SITES, nationalSite, ZONE_SEGMENT_PREFIX, ZONES, type Zone } from '../environments/vocabulary';
import { BackupVault, type BackupVaultProps } from './backup-vault';
import { addCollectionServices, CollectionService } from './log-collection';
import { NetworkSegment } from './network';
import { cidrProp, propError } from './props';
import { StoragePool } from './storage';

const CLUSTER = Symbol.for('ndc.RegionalCluster');
const AZ = Symbol.for('ndc.AvailabilityZone');

export interface AvailabilityZoneProps {
  readonly name?: string;
}

/** A failure domain inside a regional cluster (separate power and cooling). */
export class AvailabilityZone extends Construct {
  static isAvailabilityZone(x: unknown): x is AvailabilityZone {
    return typeof x === 'object' && x !== null && AZ in x;
  }
  readonly displayName: string;
  constructor(scope: Construct, id: string, props: AvailabilityZoneProps = {}) {
    super(scope, id);
    Object.defineProperty(this, AZ, { value: true });
    this.displayName = props.name ?? id;
  }
}

export interface GreenProps {
  /** Power usage effectiveness the cluster must meet. Default: DEFAULT_PUE_TARGET (1.4). */
  readonly pueTarget?: number;
  readonly pue: number;
  readonly energySource: string;
}

export interface RegionalClusterProps {
  readonly name?: string;
  readonly site?: string;
  /** A national cluster (level 3+ data and personal data may live only here). Default: true. */
  readonly national?: boolean;
  readonly location?: Coordinates;
  readonly openstackRegion?: string;
  /** Default: `<id>-a`, `<id>-b`. */
  readonly availabilityZones?: readonly { id: string; name?: string }[];
  readonly green?: GreenProps;
  /** The cluster's range. Default: 10.(10 x position).0.0/16. */
  readonly cidr?: string;
  /** One block per zone. Default: one /ZONE_SEGMENT_PREFIX per zone from the start of the range, in the order of ZONES. */
  readonly segments?: Partial<Record<Zone, string>>;
  readonly image?: string;
  readonly externalNetwork?: string;
  readonly dedicatedHostAggregate?: string;
  readonly backupVault?: BackupVaultProps;
}

/**
 * Each scope's clusters in the order they were added (as among its children): read once per system, where
 * filtering the scope's children (every system among them) made building a national cloud quadratic.
 */
const CLUSTERS_OF = new WeakMap<Construct, RegionalCluster[]>();

/** The clusters added to `scope`, in order. */
export function clustersOf(scope: Construct): readonly RegionalCluster[] {
  return CLUSTERS_OF.get(scope) ?? [];
}

/** One regional data-center cluster: availability zones, network segments, storage and a backup vault. */
export class RegionalCluster extends Construct {
  static isRegionalCluster(x: unknown): x is RegionalCluster {
    return typeof x === 'object' && x !== null && CLUSTER in x;
  }

  readonly displayName: string;
  readonly site: string;
  readonly national: boolean;
  readonly location: Coordinates;
  readonly openstackRegion: string;
  readonly green: Required<GreenProps>;
  readonly cidr: Cidr;
  readonly image: string;
  readonly externalNetwork: string;
  readonly dedicatedHostAggregate: string;
  readonly storage: StoragePool;
  readonly backupVault: BackupVault;
  private readonly segments = new Map<Zone, NetworkSegment>();
  private readonly dedicatedBlocks: Cidr[] = [];

  constructor(scope: Construct, id: string, props: RegionalClusterProps = {}) {
    super(scope, id);
    Object.defineProperty(this, CLUSTER, { value: true });
    const siblings = CLUSTERS_OF.get(scope) ?? [];
    siblings.push(this);
    CLUSTERS_OF.set(scope, siblings);
    // Clusters named after a national site (Decision 2629/QD-TTg) default to that site's data.
    const known = nationalSite(id);
    // 1-based position among the cloud's clusters (this one is already a child), for the default range.
    const position = siblings.length;
    this.displayName = props.name ?? known?.name ?? id;
    this.site = props.site ?? known?.site ?? id;
    this.national = props.national ?? true;
    const location = props.location ?? known?.location;
    if (!location) throw propError(this, 'location', location, `is required for a cluster that is not one of the national sites (${Object.keys(NATIONAL_SITES).join(', ')})`);
    if (Math.abs(location.lat) > 90 || Math.abs(location.lon) > 180) throw propError(this, 'location', location, 'latitude must be within -90..90 and longitude within -180..180');
    this.location = location;
    this.openstackRegion = props.openstackRegion ?? known?.openstackRegion ?? id;
    const green = props.green ?? (known ? { pue: known.pue, energySource: known.energySource } : undefined);
    if (!green) throw propError(this, 'green', green, 'a cluster must declare its PUE and energy source');
    this.green = { pueTarget: green.pueTarget ?? DEFAULT_PUE_TARGET, pue: green.pue, energySource: green.energySource };
    if (!(this.green.pue >= 1)) throw propError(this, 'green.pue', this.green.pue, 'PUE is a ratio of at least 1.0');
    this.image = props.image ?? 'ubuntu-24.04-hardened';
    this.externalNetwork = props.externalNetwork ?? 'public';
    this.dedicatedHostAggregate = props.dedicatedHostAggregate ?? 'dedicated';

    const azs = props.availabilityZones ?? [{ id: `${id}-a` }, { id: `${id}-b` }];
    if (azs.length === 0) throw propError(this, 'availabilityZones', azs, 'a cluster needs at least one availability zone');
    for (const az of azs) new AvailabilityZone(this, az.id, { name: az.name });

    this.cidr = cidrProp(this, 'cidr', props.cidr ?? `10.${10 * position}.0.0/16`);
    const segments = props.segments ?? Object.fromEntries(ZONES.map((zone, i) => [zone, subdivide(this.cidr, ZONE_SEGMENT_PREFIX, i).text]));
    for (const zone of ZONES) {
      const text = segments[zone];
      if (text === undefined) continue;
      const segment = new NetworkSegment(this, zone, { zone, cidr: text });
      if (!contains(this.cidr, segment.cidr)) throw propError(this, `segments.${zone}`, text, `is outside the cluster's range ${this.cidr.text}`);
      this.segments.set(zone, segment);
    }
    const clash = firstOverlap(this.allSegments, (s) => s.cidr);
    if (clash) throw propError(this, `segments.${clash[1].zone}`, clash[1].cidr.text, `overlaps segment ${clash[0].zone} (${clash[0].cidr.text})`);
    this.storage = new StoragePool(this, 'block-storage');
    this.backupVault = new BackupVault(this, 'backup-vault', props.backupVault);
    // Every instance and node of the cluster ships logs to collectors in its management zone and patches from its mirror.
    if (this.segments.has('management')) addCollectionServices(this, this.segments.get('management')!);
  }

  /** The shared services in the management zone that every instance of the cluster sends to (log collectors, patch mirror). */
  get collectionServices(): CollectionService[] {
    return this.node.children.filter(CollectionService.isCollectionService);
  }

  /** The cluster's log collectors, when it has a management zone. */
  get logCollector(): CollectionService | undefined {
    return this.collectionServices.find((s) => s.purpose === 'logs');
  }

  get id(): string {
    return this.node.id;
  }

  get availabilityZones(): AvailabilityZone[] {
    return this.node.children.filter(AvailabilityZone.isAvailabilityZone);
  }

  get zones(): Zone[] {
    return [...this.segments.keys()];
  }

  hasSegment(zone: Zone): boolean {
    return this.segments.has(zone);
  }

  /** The cluster's shared segment for a zone, e.g. `cluster.segment('dmz')`. */
  segment(zone: Zone): NetworkSegment {
    const segment = this.segments.get(zone);
    if (!segment) throw propError(this, 'segments', zone, `this cluster has no ${zone} segment (it has ${this.zones.join(', ')})`);
    return segment;
  }

  get allSegments(): NetworkSegment[] {
    return [...this.segments.values()];
  }

  distanceKmTo(other: RegionalCluster): number {
    return distanceKm(this.location, other.location);
  }

  /**
   * Reserves a block of this cluster's range for a system's dedicated core network. An explicit block must
   * lie in the range and overlap no segment or other dedicated network; without one, the first free
   * /DEDICATED_NETWORK_PREFIX of the upper half of the range is taken.
   */
  reserveDedicatedNetwork(requester: Construct, prop: string, text?: string): Cidr {
    const taken = [...this.allSegments.map((s) => s.cidr), ...this.dedicatedBlocks];
    let block: Cidr;
    if (text !== undefined) {
      block = cidrProp(requester, prop, text);
      if (!contains(this.cidr, block)) throw propError(requester, prop, text, `is outside cluster ${this.id}'s range ${this.cidr.text}`);
      const clash = firstOverlap([...taken, block], (b) => b);
      if (clash) throw propError(requester, prop, text, `overlaps ${clash[0].text} already used in cluster ${this.id}`);
    } else {
      const upper = mustParseCidr(`${[24, 16, 8, 0].map((s) => ((this.cidr.first + (this.cidr.last - this.cidr.first + 1) / 2) >>> s) & 255).join('.')}/${this.cidr.prefix + 1}`);
      const count = 2 ** (DEDICATED_NETWORK_PREFIX - upper.prefix);
      let found: Cidr | undefined;
      for (let i = 0; i < count && !found; i++) {
        const candidate = subdivide(upper, DEDICATED_NETWORK_PREFIX, i);
        if (!taken.some((t) => overlaps(t, candidate))) found = candidate;
      }
      if (!found) throw propError(requester, prop, undefined, `cluster ${this.id} has no free /${DEDICATED_NETWORK_PREFIX} left for a dedicated network; give one explicitly`);
      block = found;
    }
    this.dedicatedBlocks.push(block);
    return block;
  }
}
