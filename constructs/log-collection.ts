import { Construct } from 'constructs';
import { hostAddress } from '../core/cidr';
import type { NetworkSegment } from './network';
import { Port } from './port';
import { propError } from './props';

const COLLECTION_SERVICE = Symbol.for('ndc.CollectionService');

/**
 * The software the platform's log collection, SIEM forwarding, endpoint protection and central patching
 * run, each pinned. All of it is open source and in wide use in government and enterprise SOCs:
 * Fluent Bit (CNCF graduated) ships logs, Fluentd (CNCF graduated, fluent-package LTS) aggregates them,
 * OpenSearch with its Security Analytics plugin is the SIEM, ClamAV scans for malware, Ubuntu's
 * unattended-upgrades applies patches from a per-cluster mirror of the national mirror.
 */
export const SECURITY_SOFTWARE = {
  /** Log shipper on every instance (apt package) and every Kubernetes node (DaemonSet). */
  logAgent: { product: 'Fluent Bit', version: '3.2.10', package: 'fluent-bit', image: 'cr.fluentbit.io/fluent/fluent-bit:3.2.10' },
  /** The cluster's log collectors: Fluentd from the fluent-package LTS series (td-agent's successor). */
  logCollector: { product: 'Fluentd (fluent-package LTS)', version: '5.0.7', package: 'fluent-package' },
  /** The SIEM: OpenSearch, whose distribution bundles the Security Analytics plugin (Sigma rules, findings, alerts). */
  siem: { product: 'OpenSearch with Security Analytics', version: '2.19.1' },
  /** Anti-malware on every instance: the ClamAV daemon with on-access scanning, signatures from the patch mirror. */
  antiMalware: { product: 'ClamAV', packages: ['clamav-daemon', 'clamav-freshclam'] },
  /** Central patching: unattended-upgrades against the cluster's mirror of the national Ubuntu mirror. */
  patching: { product: 'unattended-upgrades', packages: ['unattended-upgrades'] },
  /** The cluster's patch mirror: nginx serving the Ubuntu mirror (apt-mirror) and ClamAV's database (cvdupdate). */
  patchMirror: { product: 'nginx serving an apt-mirror copy of the national Ubuntu mirror and a cvdupdate ClamAV database mirror', version: '1.26.3' },
} as const;

/** Fluentd's forward protocol (with TLS), on which the collectors accept logs from the agents. */
export const LOG_FORWARD_PORT = 24224;
/** The patch mirror's HTTP port: apt archives and ClamAV databases are signed, so their mirrors are plain HTTP. */
export const PATCH_MIRROR_PORT = 80;
/** OpenSearch's REST port (TLS): the collectors forward security events of level 3+ systems to the SIEM there. */
export const SIEM_PORT = 9200;

/** What a collection service is for, which decides who sends to it. */
export type CollectionPurpose = 'logs' | 'patches';

export interface CollectionServiceProps {
  /** The cluster's management segment, where the service runs. */
  readonly segment: NetworkSegment;
  readonly purpose: CollectionPurpose;
  /** The one port every instance of the cluster reaches the service on. */
  readonly port: Port;
  /** Default: 2 (high availability, anti-affinity). */
  readonly instances?: number;
  /** Default: `c4.xlarge`. */
  readonly flavor?: string;
  /** Buffer or mirror volume per instance in GB. Default: 500. */
  readonly volumeGb?: number;
  readonly software: string;
}

/**
 * A shared service in a cluster's management zone that every system instance placed in the cluster sends
 * to on one port: the log collectors (every instance and node ships its logs there) and the patch mirror
 * (every instance takes updates and anti-malware signatures from there). It belongs to the platform, not
 * to a system; each system declares its own flows to it (SystemPlacement adds them).
 */
export class CollectionService extends Construct {
  static isCollectionService(x: unknown): x is CollectionService {
    return typeof x === 'object' && x !== null && COLLECTION_SERVICE in x;
  }

  readonly segment: NetworkSegment;
  readonly purpose: CollectionPurpose;
  readonly port: Port;
  readonly instances: number;
  readonly flavor: string;
  readonly volumeGb: number;
  readonly software: string;

  constructor(scope: Construct, id: string, props: CollectionServiceProps) {
    super(scope, id);
    Object.defineProperty(this, COLLECTION_SERVICE, { value: true });
    if (props.segment.zone !== 'management') throw propError(this, 'segment', props.segment.node.path, 'collection services run in the management zone');
    this.segment = props.segment;
    this.purpose = props.purpose;
    this.port = props.port;
    this.instances = props.instances ?? 2;
    if (!Number.isInteger(this.instances) || this.instances < 1 || this.instances > 10) throw propError(this, 'instances', this.instances, 'must be a whole number from 1 to 10 (each purpose has ten fixed addresses)');
    this.flavor = props.flavor ?? 'c4.xlarge';
    this.volumeGb = props.volumeGb ?? 500;
    this.software = props.software;
  }

  /**
   * The fixed addresses of the service's instances in the management segment (hosts 10-19 for the log
   * collectors, 20-29 for the patch mirror), which agents are configured with at synthesis.
   */
  get addresses(): string[] {
    const first = this.purpose === 'logs' ? 10 : 20;
    return Array.from({ length: this.instances }, (_, n) => hostAddress(this.segment.cidr, first + n));
  }

  /** The service name, as instances and security groups are tagged (`ndc:service=log-collector`). */
  get name(): string {
    return this.node.id;
  }
}

/** The collection services of a cluster with a management segment: the log collectors and the patch mirror. */
export function addCollectionServices(cluster: Construct, management: NetworkSegment): CollectionService[] {
  return [
    new CollectionService(cluster, 'log-collector', {
      segment: management,
      purpose: 'logs',
      port: Port.tcp(LOG_FORWARD_PORT),
      software: `${SECURITY_SOFTWARE.logCollector.product} ${SECURITY_SOFTWARE.logCollector.version}`,
    }),
    new CollectionService(cluster, 'patch-mirror', {
      segment: management,
      purpose: 'patches',
      port: Port.tcp(PATCH_MIRROR_PORT),
      volumeGb: 2000,
      software: `${SECURITY_SOFTWARE.patchMirror.product} (nginx ${SECURITY_SOFTWARE.patchMirror.version})`,
    }),
  ];
}

/** Object-lock retention of a system's log bucket, as MinIO takes it: whole years, else days (a month is 365/12 days, rounded up). */
export function lockRetention(months: number): { readonly years: number } | { readonly days: number } {
  return months % 12 === 0 ? { years: months / 12 } : { days: Math.ceil((months * 365) / 12) };
}

/** The months an object-lock default retention keeps objects (the inverse of lockRetention, rounding down). */
export function retentionMonthsOf(retention: { readonly years?: unknown; readonly days?: unknown }): number {
  if (typeof retention.years === 'number') return retention.years * 12;
  if (typeof retention.days === 'number') return Math.floor((retention.days * 12) / 365 + 1e-9);
  return 0;
}
