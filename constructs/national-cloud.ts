import { Construct } from 'constructs';
import type { Cidr } from '../core/cidr';
import { firstOverlap, mustParseCidr } from '../core/cidr';
import type { Stage } from '../environments/vocabulary';
import { InformationSystem } from './information-system';
import type { FlowPeer } from './network';
import { cidrProp, propError } from './props';
import type { RegionalCluster } from './regional-cluster';
import { clustersOf } from './regional-cluster';

/** Every address: where internet traffic may come from. */
const EVERYWHERE = mustParseCidr('0.0.0.0/0');

export interface NationalCloudProps {
  readonly stage?: Stage;
  readonly description?: string;
  /** Regulation profile the policy packs evaluate. Default: `vn-2016`. */
  readonly profile?: string;
  /** National backbone between the clusters, one /24 per cluster. Default: 10.0.0.0/16. */
  readonly interconnectCidr?: string;
  /** The specialised data network of Party and State agencies. Default: 172.16.0.0/12. */
  readonly govNetworkCidr?: string;
  /** Cluster id hosting shared services (SIEM, central logging, bastion / PAM). Default: the first cluster. */
  readonly sharedServicesCluster?: string;
}

/**
 * The root of one environment's national government cloud: its regional clusters and the information
 * systems they host. Construct paths (`prod/north/dmz`) name every part in errors and reports.
 */
export class NationalCloud extends Construct {
  readonly stage: Stage;
  readonly description: string;
  readonly profile: string;
  readonly interconnect: Cidr;
  readonly govNetwork: Cidr;
  private readonly sharedServicesId?: string;

  constructor(id: string, props: NationalCloudProps = {}) {
    // A NationalCloud is always a root: it has no scope.
    super(undefined as unknown as Construct, id);
    this.stage = props.stage ?? 'development';
    this.description = props.description ?? id;
    this.profile = props.profile ?? 'vn-2016';
    this.interconnect = cidrProp(this, 'interconnectCidr', props.interconnectCidr ?? '10.0.0.0/16');
    this.govNetwork = cidrProp(this, 'govNetworkCidr', props.govNetworkCidr ?? '172.16.0.0/12');
    this.sharedServicesId = props.sharedServicesCluster;
    this.node.addValidation({ validate: () => this.validateClusters() });
  }

  get envName(): string {
    return this.node.id;
  }

  get clusters(): RegionalCluster[] {
    return [...clustersOf(this)];
  }

  cluster(id: string): RegionalCluster {
    const found = this.clusters.find((c) => c.id === id);
    if (!found) throw propError(this, 'cluster', id, `is not a cluster of this cloud (clusters: ${this.clusters.map((c) => c.id).join(', ')})`);
    return found;
  }

  get systems(): InformationSystem[] {
    return this.node.children.filter(InformationSystem.isInformationSystem);
  }

  system(id: string): InformationSystem {
    const found = this.systems.find((s) => s.id === id);
    if (!found) throw propError(this, 'system', id, `is not a system of this cloud (systems: ${this.systems.map((s) => s.id).join(', ')})`);
    return found;
  }

  /** The addresses traffic from a flow peer comes from: anywhere, the government network, or the segment's block. */
  peerRange(peer: FlowPeer): Cidr {
    if (peer === 'internet') return EVERYWHERE;
    if (peer === 'gov-network') return this.govNetwork;
    return peer.cidr;
  }

  get sharedServicesCluster(): RegionalCluster {
    if (this.sharedServicesId !== undefined) return this.cluster(this.sharedServicesId);
    const first = this.clusters[0];
    if (!first) throw propError(this, 'clusters', [], 'a national cloud needs at least one regional cluster');
    return first;
  }

  /** Cross-cluster checks that no single construct can make. */
  private validateClusters(): string[] {
    const errors: string[] = [];
    const clusters = this.clusters;
    const blocks: { name: string; block: Cidr }[] = [
      { name: 'interconnect', block: this.interconnect },
      { name: 'government network', block: this.govNetwork },
      ...clusters.map((c) => ({ name: `cluster ${c.id}`, block: c.cidr })),
    ];
    const pair = firstOverlap(blocks, (b) => b.block);
    if (pair) errors.push(`${pair[1].name} (${pair[1].block.text}) overlaps ${pair[0].name} (${pair[0].block.text})`);
    return errors;
  }

  /** Runs every construct validation; throws one error listing the first problem with its path. */
  validate(): void {
    for (const construct of this.node.findAll()) {
      const errors = construct.node.validate();
      if (errors.length > 0) throw propError(construct, '(validation)', construct.node.path, errors[0]);
    }
  }
}
