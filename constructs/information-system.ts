import { Construct } from 'constructs';
import type { Cidr } from '../core/cidr';
import { subdivide } from '../core/cidr';
import { CLASSIFICATIONS, DEDICATED_ZONE_PREFIX, isExternalPeer, TIER_DEFAULTS, ZONES, type Classification, type ExternalPeer, type Zone } from '../environments/vocabulary';
import { BackupPlan, type BackupPlanProps } from './backup';
import { ComputePool } from './compute';
import { Flow, NetworkSegment } from './network';
import { Port } from './port';
import { propError } from './props';
import type { RegionalCluster } from './regional-cluster';
import { clustersOf } from './regional-cluster';
import { isSecurityLevel, requirementsFor, type SecurityLevel } from './security-level';
import { ADMIN_SSH_PORT, DATABASE_FIREWALL, IPS, PRIVILEGED_ACCESS, PRIVILEGED_ACCESS_PORT, RESERVED_TIERS, SERVICE_FROM_LEVEL, WAF, type SecurityService } from './security-services';
import { StoragePool } from './storage';

const SYSTEM = Symbol.for('ndc.InformationSystem');
const PLACEMENT = Symbol.for('ndc.SystemPlacement');

export interface TierProps {
  readonly name: string;
  readonly zone: Zone;
  /** Default: TIER_DEFAULTS.instances. */
  readonly instances?: number;
  readonly flavor?: string;
  readonly volumeGb?: number;
  readonly cpu?: number;
  readonly memoryGb?: number;
}

/** Allowed traffic between the zones of a system, applied in every cluster the system runs in. */
export interface FlowSpec {
  readonly from: Zone | ExternalPeer;
  readonly to: Zone;
  readonly port: Port;
  readonly description?: string;
  /** Only these tiers of the `from` zone send it. Default: the system's own (non-security) tiers there. */
  readonly fromTiers?: readonly string[];
  /** Only these tiers of the `to` zone receive it. Default: the system's own (non-security) tiers there. */
  readonly toTiers?: readonly string[];
}

export interface InformationSystemProps {
  readonly level: number;
  readonly name?: string;
  readonly ownerAgency?: string;
  /** Default: `internal`. */
  readonly classification?: Classification;
  readonly personalData?: boolean;
  readonly internetFacing?: boolean;
  /** The cluster the system runs in, or its id. */
  readonly primary: RegionalCluster | string;
  /** Default for levels 4-5: the cluster farthest from the primary (at least 30 km away for level 5). */
  readonly recovery?: RegionalCluster | string;
  /** Default: one `app` tier of two instances in the internal-server zone. */
  readonly tiers?: readonly TierProps[];
  readonly flows?: readonly FlowSpec[];
  /** Levels 4-5: the system's own core network per cluster id. Default: a free /DEDICATED_NETWORK_PREFIX of the cluster. */
  readonly dedicatedNetworks?: Readonly<Record<string, string>>;
  /** Default: true for levels 4-5. */
  readonly dedicatedHosts?: boolean;
  /** Default: a level-aware plan for level 3 and up; none below unless given. */
  readonly backup?: Omit<BackupPlanProps, 'copies'> & { copies?: BackupPlanProps['copies'] };
  /** Object-lock retention of the system's log bucket in months. Default: the level's minimum (1/3/6/12 for levels 2-5); never below it. */
  readonly logRetentionMonths?: number;
  /** Served from the public edge (open data only). Default: false. */
  readonly publicEdge?: boolean;
}

/** A system's log archive: the vault holding its bucket, the retention and the object-lock mode (none below level 2). */
export interface LogArchive {
  readonly cluster: RegionalCluster;
  readonly retentionMonths: number;
  readonly lockMode?: 'GOVERNANCE' | 'COMPLIANCE';
}

/** How a system is isolated from other tenants of the shared cloud. */
export type Isolation = 'shared' | 'logical' | 'physical';

/**
 * An information system of the digital government at a security level: where it runs, its tiers, the
 * traffic it allows, its backups. Level-aware secure defaults: level 3 gets database and management zones
 * and logical isolation; levels 4-5 dedicated hosts, storage and core network; level 5 a recovery cluster.
 */
export class InformationSystem extends Construct {
  static isInformationSystem(x: unknown): x is InformationSystem {
    return typeof x === 'object' && x !== null && SYSTEM in x;
  }

  readonly level: SecurityLevel;
  readonly displayName: string;
  readonly ownerAgency: string;
  readonly classification: Classification;
  readonly personalData: boolean;
  readonly internetFacing: boolean;
  readonly primary: RegionalCluster;
  readonly recovery?: RegionalCluster;
  readonly isolation: Isolation;
  readonly dedicatedHosts: boolean;
  /** The system's own tiers followed by the security services' tiers. */
  readonly tiers: readonly Required<TierProps>[];
  /** The security services the level and the traffic require, by tier name (security-services.ts). */
  readonly securityServices: ReadonlyMap<string, SecurityService>;
  /** The flows as built: the system's own, routed through its security services, plus administration. */
  readonly flows: readonly FlowSpec[];
  /** The flows as the system declares them (its owner's design, before routing), for the rules that judge the design. */
  readonly declaredFlows: readonly FlowSpec[];
  /** Zones the system has in each cluster: those its level requires plus those its tiers and flows use. */
  readonly zones: readonly Zone[];
  readonly backup?: BackupPlan;
  readonly logRetentionMonths: number;
  /** Where the system's logs are archived: a bucket in the backup vault of its primary cluster, object-locked for its retention. */
  readonly logArchive: LogArchive;
  readonly publicEdge: boolean;

  constructor(scope: Construct, id: string, props: InformationSystemProps) {
    super(scope, id);
    Object.defineProperty(this, SYSTEM, { value: true });
    if (!isSecurityLevel(props.level)) throw propError(this, 'level', props.level, 'security level must be 1, 2, 3, 4 or 5 (Decree 85/2016/ND-CP)');
    const level = props.level;
    const requirements = requirementsFor(level);
    this.level = level;
    this.displayName = props.name ?? id;
    this.ownerAgency = props.ownerAgency ?? 'unassigned';
    this.classification = props.classification ?? 'internal';
    if (!CLASSIFICATIONS.includes(this.classification)) throw propError(this, 'classification', this.classification, `must be one of ${CLASSIFICATIONS.join(', ')}`);
    this.personalData = props.personalData ?? false;
    this.internetFacing = props.internetFacing ?? false;
    const clusters = [...clustersOf(scope)];
    const resolve = (prop: string, ref: RegionalCluster | string): RegionalCluster => {
      if (typeof ref !== 'string') return ref;
      const found = clusters.find((c) => c.id === ref);
      if (!found) throw propError(this, prop, ref, `is not a cluster of this cloud (clusters: ${clusters.map((c) => c.id).join(', ') || 'none'})`);
      return found;
    };
    this.primary = resolve('primary', props.primary);
    const recovery = props.recovery === undefined ? undefined : resolve('recovery', props.recovery);
    this.isolation = requirements.isolation;
    this.dedicatedHosts = props.dedicatedHosts ?? requirements.isolation === 'physical';
    this.publicEdge = props.publicEdge ?? false;

    if (recovery === this.primary) throw propError(this, 'recovery', recovery.id, 'is the primary cluster; recovery must be in another regional cluster');
    this.recovery = recovery ?? (level >= 4 ? this.defaultRecovery(clusters, requirements.recoverySiteMinKm ?? 0) : undefined);

    const tiers = props.tiers ?? [{ name: 'app', zone: 'internal-server' as Zone }];
    if (tiers.length === 0) throw propError(this, 'tiers', tiers, 'a system needs at least one tier');
    for (const tier of tiers) {
      if (RESERVED_TIERS.has(tier.name)) throw propError(this, 'tiers', tier.name, `is the name of a security service's tier (reserved: ${[...RESERVED_TIERS].join(', ')}); rename the tier`);
    }
    const ownTiers = tiers.map((t) => ({ ...TIER_DEFAULTS, ...t }));
    const { services, flows } = routeThroughSecurityServices(level, ownTiers, props.flows ?? []);
    this.securityServices = new Map(services.map((s) => [s.tier, s]));
    this.tiers = [...ownTiers, ...services.map((s) => ({ ...TIER_DEFAULTS, name: s.tier, zone: s.zone, flavor: s.flavor, volumeGb: s.volumeGb }))];
    this.flows = [...flows, ...administrationFlows(level, this.tiers)];
    this.declaredFlows = props.flows ?? [];
    const zoneSet = new Set<Zone>([...requirements.zones, ...this.tiers.map((t) => t.zone)]);
    for (const flow of this.flows) {
      zoneSet.add(flow.to);
      if (!isExternalPeer(flow.from)) zoneSet.add(flow.from);
    }
    this.zones = ZONES.filter((z) => zoneSet.has(z));

    this.logRetentionMonths = props.logRetentionMonths ?? requirements.logRetentionMonths;
    if (!Number.isInteger(this.logRetentionMonths) || this.logRetentionMonths < requirements.logRetentionMonths) {
      throw propError(this, 'logRetentionMonths', this.logRetentionMonths, `must be a whole number of months, at least the ${requirements.logRetentionMonths} level ${level} requires`);
    }
    // Levels 2-3 lock logs against deletion (governance); from level 4 nobody can shorten or lift the lock (compliance).
    this.logArchive = {
      cluster: this.primary,
      retentionMonths: this.logRetentionMonths,
      lockMode: this.logRetentionMonths === 0 ? undefined : level >= 4 ? 'COMPLIANCE' : 'GOVERNANCE',
    };

    const backupProps = props.backup ?? (level >= 3 ? {} : undefined);
    if (backupProps) {
      const candidates = [...(this.recovery ? [this.recovery] : []), ...clusters.filter((c) => c !== this.recovery)];
      this.backup = new BackupPlan(this, 'backup', { ...backupProps, level, primary: this.primary, candidates });
    }

    new SystemPlacement(this, this.primary.id, { cluster: this.primary, role: 'primary', dedicatedNetwork: props.dedicatedNetworks?.[this.primary.id] });
    if (this.recovery) {
      new SystemPlacement(this, this.recovery.id, { cluster: this.recovery, role: 'recovery', dedicatedNetwork: props.dedicatedNetworks?.[this.recovery.id] });
    }
    for (const clusterId of Object.keys(props.dedicatedNetworks ?? {})) {
      if (clusterId !== this.primary.id && clusterId !== this.recovery?.id) {
        throw propError(this, `dedicatedNetworks.${clusterId}`, clusterId, `the system does not run in cluster ${clusterId} (primary ${this.primary.id}${this.recovery ? `, recovery ${this.recovery.id}` : ''})`);
      }
    }
  }

  get id(): string {
    return this.node.id;
  }

  get placements(): SystemPlacement[] {
    return this.node.children.filter(SystemPlacement.isSystemPlacement);
  }

  /** Clusters the system runs in, primary first. */
  get clusters(): RegionalCluster[] {
    return this.placements.map((p) => p.cluster);
  }

  private defaultRecovery(clusters: readonly RegionalCluster[], minKm: number): RegionalCluster | undefined {
    const others = clusters.filter((c) => c !== this.primary).map((c) => ({ c, km: this.primary.distanceKmTo(c) }));
    const far = others.filter((o) => o.km >= minKm).sort((a, b) => b.km - a.km || a.c.id.localeCompare(b.c.id));
    if (far.length === 0 && this.level === 5) {
      throw propError(this, 'recovery', undefined, `a level-5 system needs a recovery cluster at least ${minKm} km from ${this.primary.id}; add one to the cloud or set recovery`);
    }
    return far[0]?.c;
  }
}

export interface SystemPlacementProps {
  readonly cluster: RegionalCluster;
  readonly role: 'primary' | 'recovery';
  readonly dedicatedNetwork?: string;
}

/**
 * A system's footprint in one cluster: its segments (the cluster's shared ones, or for physical isolation
 * its own core network cut into one /24 per zone), compute pools, storage and flows.
 */
export class SystemPlacement extends Construct {
  static isSystemPlacement(x: unknown): x is SystemPlacement {
    return typeof x === 'object' && x !== null && PLACEMENT in x;
  }

  readonly cluster: RegionalCluster;
  readonly role: 'primary' | 'recovery';
  readonly system: InformationSystem;
  readonly dedicatedNetwork?: Cidr;
  readonly storage: StoragePool;
  private readonly segmentsByZone = new Map<Zone, NetworkSegment>();

  constructor(system: InformationSystem, id: string, props: SystemPlacementProps) {
    super(system, id);
    Object.defineProperty(this, PLACEMENT, { value: true });
    this.system = system;
    this.cluster = props.cluster;
    this.role = props.role;
    const physical = system.isolation === 'physical';
    if (physical) {
      this.dedicatedNetwork = props.cluster.reserveDedicatedNetwork(system, `dedicatedNetworks.${props.cluster.id}`, props.dedicatedNetwork);
      const network = new Construct(this, 'network');
      ZONES.forEach((zone, i) => {
        if (!system.zones.includes(zone)) return;
        this.segmentsByZone.set(zone, new NetworkSegment(network, zone, { zone, cidr: subdivide(this.dedicatedNetwork!, DEDICATED_ZONE_PREFIX, i).text, dedicatedTo: system.id }));
      });
      this.storage = new StoragePool(this, 'storage', { dedicatedTo: system.id });
    } else {
      for (const zone of system.zones) {
        if (!props.cluster.hasSegment(zone)) throw propError(system, 'zones', zone, `cluster ${props.cluster.id} has no ${zone} segment, which this level-${system.level} system needs`);
        this.segmentsByZone.set(zone, props.cluster.segment(zone));
      }
      this.storage = props.cluster.storage;
    }
    const azs = props.cluster.availabilityZones.map((az) => az.node.id);
    const standby = props.role === 'recovery';
    for (const tier of system.tiers) {
      new ComputePool(this, tier.name, {
        segment: this.segment(tier.zone),
        // The recovery cluster runs a warm standby at half size.
        instances: standby ? Math.max(1, Math.ceil(tier.instances / 2)) : tier.instances,
        flavor: tier.flavor,
        image: props.cluster.image,
        volumeGb: tier.volumeGb,
        storage: this.storage,
        dedicatedHosts: system.dedicatedHosts,
        hostAggregate: system.dedicatedHosts ? props.cluster.dedicatedHostAggregate : undefined,
        availabilityZones: azs,
        cpu: tier.cpu,
        memoryGb: tier.memoryGb,
        securityService: system.securityServices.get(tier.name),
      });
    }
    const flows = new Construct(this, 'flows');
    system.flows.forEach((spec, i) => {
      const from = isExternalPeer(spec.from) ? spec.from : this.segment(spec.from);
      // `<n>-<from>-to-<to>`: the network model reads the zones back from this path (tiers are in the flow's props).
      new Flow(flows, `${i}-${spec.from}-to-${spec.to}`, { from, to: this.segment(spec.to), port: spec.port, description: spec.description, fromTiers: spec.fromTiers, toTiers: spec.toTiers });
    });
    // Every tier, security services included, ships its logs to the cluster's collectors and takes patches and
    // signatures from its mirror, in the cluster's management zone (for levels 4-5, across from the system's
    // own core network). No tier of the system receives these flows (toTiers empty): the services do.
    for (const service of props.cluster.collectionServices) {
      for (const zone of ZONES.filter((z) => system.tiers.some((t) => t.zone === z))) {
        const senders = system.tiers.filter((t) => t.zone === zone).map((t) => t.name);
        const description = service.purpose === 'logs' ? 'logs to the cluster\'s log collectors' : 'updates and anti-malware signatures from the cluster\'s patch mirror';
        new Flow(flows, `${service.name}-from-${zone}`, { from: this.segment(zone), to: service.segment, port: service.port, description, collection: service.name, fromTiers: senders, toTiers: [] });
      }
    }
  }

  segment(zone: Zone): NetworkSegment {
    const segment = this.segmentsByZone.get(zone);
    if (!segment) throw propError(this.system, 'zones', zone, `the system has no ${zone} zone in cluster ${this.cluster.id} (it has ${[...this.segmentsByZone.keys()].join(', ')})`);
    return segment;
  }

  get segments(): NetworkSegment[] {
    return [...this.segmentsByZone.values()];
  }

  get computePools(): ComputePool[] {
    return this.node.children.filter(ComputePool.isComputePool);
  }

  get flows(): Flow[] {
    return this.node.findChild('flows').node.children.filter(Flow.isFlow);
  }

  /** Dedicated segments belong to the system; shared ones to the cluster. */
  get ownsSegments(): boolean {
    return this.dedicatedNetwork !== undefined;
  }
}

const flowKey = (f: FlowSpec): string => JSON.stringify([f.from, f.fromTiers ?? null, f.to, f.toTiers ?? null, f.port.toString()]);

/**
 * The security services a system's level and traffic require, and its flows routed through them, so
 * that no security group or NetworkPolicy lets traffic go around one:
 * - every flow from outside (internet, government network) enters at the IPS hosts in the edge zone;
 * - from level 2, web (TCP) traffic from the internet goes on from the IPS to the WAF in the DMZ, and only
 *   the WAF forwards it to the tiers it was meant for;
 * - from level 3, the database tiers accept connections only from the database firewall in the database zone.
 */
export function routeThroughSecurityServices(level: SecurityLevel, tiers: readonly Required<TierProps>[], flows: readonly FlowSpec[]): { services: SecurityService[]; flows: FlowSpec[] } {
  const external = flows.filter((f) => isExternalPeer(f.from));
  const behindWaf = (f: FlowSpec) => level >= SERVICE_FROM_LEVEL.waf && f.from === 'internet' && f.port.protocol === 'tcp';
  const databaseFirewall = level >= SERVICE_FROM_LEVEL['database-firewall'] && tiers.some((t) => t.zone === DATABASE_FIREWALL.zone);
  const services: SecurityService[] = [];
  if (external.length > 0) services.push(IPS);
  if (external.some(behindWaf)) services.push(WAF);
  if (databaseFirewall) services.push(DATABASE_FIREWALL);
  if (level >= SERVICE_FROM_LEVEL['privileged-access']) services.push(PRIVILEGED_ACCESS);

  const out = new Map<string, FlowSpec>();
  const add = (f: FlowSpec) => out.set(flowKey(f), out.get(flowKey(f)) ?? f);
  for (const flow of flows) {
    const why = flow.description ? `: ${flow.description}` : '';
    if (isExternalPeer(flow.from)) {
      add({ ...flow, to: IPS.zone, toTiers: [IPS.tier], description: `enters through the IPS${why}` });
      if (behindWaf(flow)) {
        add({ from: IPS.zone, fromTiers: [IPS.tier], to: WAF.zone, toTiers: [WAF.tier], port: flow.port, description: `the IPS forwards web traffic to the WAF${why}` });
        add({ from: WAF.zone, fromTiers: [WAF.tier], to: flow.to, toTiers: flow.toTiers, port: flow.port, description: `the WAF forwards filtered requests${why}` });
      } else {
        add({ from: IPS.zone, fromTiers: [IPS.tier], to: flow.to, toTiers: flow.toTiers, port: flow.port, description: `the IPS forwards inspected traffic${why}` });
      }
    } else if (databaseFirewall && flow.to === DATABASE_FIREWALL.zone && flow.from !== DATABASE_FIREWALL.zone) {
      add({ ...flow, toTiers: [DATABASE_FIREWALL.tier], description: `through the database firewall${why}` });
      add({ from: DATABASE_FIREWALL.zone, fromTiers: [DATABASE_FIREWALL.tier], to: flow.to, toTiers: flow.toTiers, port: flow.port, description: `the database firewall forwards allowed statements${why}` });
    } else {
      add(flow);
    }
  }
  return { services, flows: [...out.values()] };
}

/**
 * Administration (SSH) of every tier, security services included: below level 3 from the management zone;
 * from level 3 only from the privileged-access (jump) hosts, which the operators reach in the management zone.
 */
function administrationFlows(level: SecurityLevel, tiers: readonly Required<TierProps>[]): FlowSpec[] {
  const jump = level >= SERVICE_FROM_LEVEL['privileged-access'];
  const zones = [...new Set(tiers.map((t) => t.zone))];
  const out: FlowSpec[] = [];
  for (const zone of ZONES.filter((z) => zones.includes(z))) {
    const administered = tiers.filter((t) => t.zone === zone && t.name !== PRIVILEGED_ACCESS.tier).map((t) => t.name);
    if (administered.length === 0) continue;
    if (jump) {
      out.push({ from: PRIVILEGED_ACCESS.zone, fromTiers: [PRIVILEGED_ACCESS.tier], to: zone, toTiers: administered, port: Port.tcp(ADMIN_SSH_PORT), description: 'administration only through the privileged-access (jump) hosts' });
    } else if (zone !== 'management') {
      out.push({ from: 'management', to: zone, toTiers: administered, port: Port.tcp(ADMIN_SSH_PORT), description: 'administration from the management zone' });
    }
  }
  if (jump) out.push({ from: PRIVILEGED_ACCESS.zone, to: PRIVILEGED_ACCESS.zone, toTiers: [PRIVILEGED_ACCESS.tier], port: Port.tcp(PRIVILEGED_ACCESS_PORT), description: "operators open sessions at the jump hosts' Teleport proxy" });
  return out;
}
