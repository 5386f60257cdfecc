import { Construct } from 'constructs';
import { TIER_DEFAULTS } from '../environments/vocabulary';
import type { NetworkSegment } from './network';
import { propError } from './props';
import type { SecurityService } from './security-services';
import type { StoragePool } from './storage';

const COMPUTE_POOL = Symbol.for('ndc.ComputePool');

export interface ComputePoolProps {
  readonly segment: NetworkSegment;
  /** Instances in the pool. Default: 2 (high availability). */
  readonly instances?: number;
  /** Nova flavor. Default: `c4.large`. */
  readonly flavor?: string;
  readonly image?: string;
  /** Data volume per instance in GB (0: none). Default: 0. */
  readonly volumeGb?: number;
  readonly storage: StoragePool;
  /** Run only on hosts dedicated to this system (levels 4-5). Default: false. */
  readonly dedicatedHosts?: boolean;
  /** Host aggregate of the dedicated hosts. */
  readonly hostAggregate?: string;
  /** Spread instances over hosts (server group anti-affinity). Default: true when instances > 1. */
  readonly antiAffinity?: boolean;
  /** Availability zones the instances are spread over, round-robin. */
  readonly availabilityZones: readonly string[];
  /** Kubernetes requests per instance. */
  readonly cpu?: number;
  readonly memoryGb?: number;
  /** The security service this pool runs (IPS, WAF, database firewall, jump hosts), if any. */
  readonly securityService?: SecurityService;
}

/** The instances of one tier of an information system in one cluster. */
export class ComputePool extends Construct {
  static isComputePool(x: unknown): x is ComputePool {
    return typeof x === 'object' && x !== null && COMPUTE_POOL in x;
  }

  readonly segment: NetworkSegment;
  readonly instances: number;
  readonly flavor: string;
  readonly image?: string;
  readonly volumeGb: number;
  readonly storage: StoragePool;
  readonly dedicatedHosts: boolean;
  readonly hostAggregate?: string;
  readonly antiAffinity: boolean;
  readonly availabilityZones: readonly string[];
  readonly cpu: number;
  readonly memoryGb: number;
  readonly securityService?: SecurityService;

  constructor(scope: Construct, id: string, props: ComputePoolProps) {
    super(scope, id);
    Object.defineProperty(this, COMPUTE_POOL, { value: true });
    this.segment = props.segment;
    this.instances = props.instances ?? TIER_DEFAULTS.instances;
    if (!Number.isInteger(this.instances) || this.instances < 1) throw propError(this, 'instances', this.instances, 'must be a whole number of at least 1');
    this.flavor = props.flavor ?? TIER_DEFAULTS.flavor;
    this.image = props.image;
    this.volumeGb = props.volumeGb ?? TIER_DEFAULTS.volumeGb;
    if (!Number.isInteger(this.volumeGb) || this.volumeGb < 0) throw propError(this, 'volumeGb', this.volumeGb, 'must be a whole number of GB, 0 for none');
    this.storage = props.storage;
    this.dedicatedHosts = props.dedicatedHosts ?? false;
    this.hostAggregate = props.hostAggregate;
    this.antiAffinity = props.antiAffinity ?? this.instances > 1;
    if (props.availabilityZones.length === 0) throw propError(this, 'availabilityZones', props.availabilityZones, 'needs at least one availability zone');
    this.availabilityZones = props.availabilityZones;
    this.cpu = props.cpu ?? TIER_DEFAULTS.cpu;
    this.memoryGb = props.memoryGb ?? TIER_DEFAULTS.memoryGb;
    this.securityService = props.securityService;
  }

  /** The tier name (the construct id). */
  get tier(): string {
    return this.node.id;
  }

  /** Availability zone of the n-th instance (0-based): spread round-robin. */
  zoneOf(index: number): string {
    return this.availabilityZones[index % this.availabilityZones.length];
  }
}
