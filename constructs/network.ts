import { Construct } from 'constructs';
import type { Cidr } from '../core/cidr';
import { isExternalPeer, ZONES, type ExternalPeer, type Zone } from '../environments/vocabulary';
import type { Port } from './port';
import { cidrProp, propError } from './props';

const SEGMENT = Symbol.for('ndc.NetworkSegment');
const FLOW = Symbol.for('ndc.Flow');

export interface NetworkSegmentProps {
  /** The zone of the level table this segment implements. Default: the construct id. */
  readonly zone?: Zone;
  readonly cidr: string;
  /** The information system this segment is dedicated to (a physically separate core network). */
  readonly dedicatedTo?: string;
}

/** A network zone of a regional cluster (edge, DMZ, database, ...): one network and subnet. */
export class NetworkSegment extends Construct {
  static isNetworkSegment(x: unknown): x is NetworkSegment {
    return typeof x === 'object' && x !== null && SEGMENT in x;
  }

  readonly zone: Zone;
  readonly cidr: Cidr;
  readonly dedicatedTo?: string;

  constructor(scope: Construct, id: string, props: NetworkSegmentProps) {
    super(scope, id);
    Object.defineProperty(this, SEGMENT, { value: true });
    const zone = props.zone ?? (id as Zone);
    if (!ZONES.includes(zone)) throw propError(this, 'zone', zone, `is not a network zone (valid: ${ZONES.join(', ')})`);
    this.zone = zone;
    this.cidr = cidrProp(this, 'cidr', props.cidr);
    this.dedicatedTo = props.dedicatedTo;
  }
}

/** One end of a flow: a segment, or traffic from outside the cluster. */
export type FlowPeer = NetworkSegment | ExternalPeer;

export interface FlowProps {
  readonly from: FlowPeer;
  readonly to: NetworkSegment;
  readonly port: Port;
  readonly description?: string;
  /** The platform collection service (log collector, patch mirror) this flow sends to, when it is one. */
  readonly collection?: string;
  /** Only these tiers of the `from` segment send it. Default: every tier there that is not a security service. */
  readonly fromTiers?: readonly string[];
  /** Only these tiers of the `to` segment receive it. Default: every tier there that is not a security service. */
  readonly toTiers?: readonly string[];
}

/**
 * Allowed traffic from one segment (or the internet, or the government network) to another, by
 * protocol and port. Segments deny everything that no Flow allows.
 */
export class Flow extends Construct {
  static isFlow(x: unknown): x is Flow {
    return typeof x === 'object' && x !== null && FLOW in x;
  }

  readonly from: FlowPeer;
  readonly to: NetworkSegment;
  readonly port: Port;
  readonly description?: string;
  readonly collection?: string;
  readonly fromTiers?: readonly string[];
  readonly toTiers?: readonly string[];

  constructor(scope: Construct, id: string, props: FlowProps) {
    super(scope, id);
    Object.defineProperty(this, FLOW, { value: true });
    // Within one segment a flow must name tiers that tell its two ends apart.
    const sameSegment = NetworkSegment.isNetworkSegment(props.from) && props.from === props.to;
    const unnamed = props.fromTiers === undefined && props.toTiers === undefined;
    const overlapping = props.fromTiers !== undefined && props.toTiers !== undefined && props.fromTiers.some((t) => props.toTiers!.includes(t));
    if (sameSegment && (unnamed || overlapping)) {
      throw propError(this, 'from', (props.from as NetworkSegment).node.path, 'a flow connects two different segments, or different tiers of one segment');
    }
    this.from = props.from;
    this.to = props.to;
    this.port = props.port;
    this.description = props.description;
    this.collection = props.collection;
    this.fromTiers = props.fromTiers;
    this.toTiers = props.toTiers;
  }

  /** The zone or external peer traffic comes from. */
  get fromZone(): Zone | ExternalPeer {
    return isExternalPeer(this.from) ? this.from : this.from.zone;
  }

  /** True when the tier (of the flow's `to` segment) receives it: named, or by default any tier that is not a security service. */
  reaches(tier: string, securityService: boolean): boolean {
    return this.toTiers ? this.toTiers.includes(tier) : !securityService;
  }

  /** True when the tier (of the flow's `from` segment) sends it. */
  sentBy(tier: string, securityService: boolean): boolean {
    return this.fromTiers ? this.fromTiers.includes(tier) : !securityService;
  }

  /** The segment traffic comes from, or undefined when it comes from outside the cluster. */
  get fromSegment(): NetworkSegment | undefined {
    return isExternalPeer(this.from) ? undefined : this.from;
  }
}
