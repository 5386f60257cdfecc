import { contains, parseCidr, type Cidr } from '../../../core/cidr';
import type { Flow, NationalCloud, SystemPlacement } from '../../../constructs';
import { CLUSTER_DNS } from '../../../stacks/kubernetes/labels';
import type { Rule, RuleResult } from '../../rule';
import {
  clusterObjects,
  isEmptySelector,
  isNetworkPolicy,
  placementOf,
  selectedTiers,
  specOf,
  subjectOf,
  systemOf,
  type LabelSelector,
  type NetworkPolicyPeer,
  type NetworkPolicyPort,
  type NetworkPolicyRule,
} from '../../artifacts/kubernetes';
import { vn2016 } from '../support';

/** NDC-K8S-005: every connection a NetworkPolicy allows is one a Flow of the model allows. */
export const allowWithinFlows: Rule = {
  id: 'NDC-K8S-005',
  title: "Allow policies never exceed the model's Flows",
  family: 'segmentation',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Decree 85/2016/ND-CP and TCVN 11930:2017: network zones and controlled traffic between them'),
  explanation:
    'The Flows of the environment are the single statement of what traffic a system allows; the Terraform security groups and the ' +
    'Kubernetes NetworkPolicies are both derived from them, and reviewers approve them. Each allowed (source, destination, port) of every ' +
    'NetworkPolicy must be covered by a Flow of the system in that cluster: pods are matched to zones through their tier, ipBlocks must lie ' +
    'within the Flow\'s peer range (the internet, the government network, or a segment). The only other allowance is DNS (port 53) to the ' +
    'kube-dns pods of kube-system, without which no Service name resolves.',
  remediation: 'Add the Flow to the system in environments/<env>.ts and synthesize again, or remove the extra rule; never edit the artifact by hand.',
  check(context) {
    const results: RuleResult[] = [];
    for (const { cluster, object: policy } of clusterObjects(context).filter((o) => isNetworkPolicy(o.object))) {
      const namespace = policy.metadata.namespace ?? 'default';
      const system = systemOf(context, namespace);
      const placement = system && placementOf(system, cluster);
      const spec = specOf(policy);
      const excess: string[] = [];
      const rules = [...(spec.ingress ?? []).map((r, i) => ({ rule: r, at: `ingress[${i}]`, ingress: true })), ...(spec.egress ?? []).map((r, i) => ({ rule: r, at: `egress[${i}]`, ingress: false }))];
      if (rules.length > 0) {
        if (!placement) {
          excess.push(`namespace ${namespace} is no system of the model in cluster ${cluster}, so no Flow allows anything here`);
        } else {
          const tiers = placement.computePools.map((p) => p.tier);
          const selected = selectedTiers(spec.podSelector, tiers);
          if (typeof selected === 'string') excess.push(`podSelector ${selected}`);
          else for (const { rule, at, ingress } of rules) excess.push(...ruleExcess(context.cloud, placement, selected, rule, at, ingress));
        }
      }
      results.push({
        status: excess.length === 0 ? 'pass' : 'fail',
        systemId: system?.id,
        subject: subjectOf(cluster, policy),
        message: excess.length === 0 ? (rules.length === 0 ? 'allows nothing' : 'every connection it allows is covered by a Flow of the model') : `allows more than the model's Flows: ${excess.slice(0, 3).join('; ')}${excess.length > 3 ? `; and ${excess.length - 3} more` : ''}`,
      });
    }
    return results;
  },
};

/** One end of a connection inside the namespace (a tier) or outside it (an address range). */
type End = { tier: string } | { cidr: Cidr };

function ruleExcess(cloud: NationalCloud, placement: SystemPlacement, selected: readonly string[], rule: NetworkPolicyRule, at: string, ingress: boolean): string[] {
  const peers = (ingress ? rule.from : rule.to) ?? [];
  if (peers.length === 0) return [`${at} allows ${ingress ? 'every source' : 'every destination'}`];
  if (!rule.ports || rule.ports.length === 0) return [`${at} allows every port`];
  const out: string[] = [];
  const tiers = placement.computePools.map((p) => p.tier);
  peers.forEach((peer, j) => {
    const where = `${at}.${ingress ? 'from' : 'to'}[${j}]`;
    if (!ingress && isClusterDns(peer)) {
      for (const port of rule.ports!) if (!(port.port === CLUSTER_DNS.port && port.endPort === undefined && ['UDP', 'TCP'].includes(port.protocol ?? 'TCP'))) out.push(`${where} (cluster DNS) allows ${showPort(port)}, only 53 is needed`);
      return;
    }
    let ends: End[];
    if (peer.namespaceSelector !== undefined) {
      out.push(`${where} admits pods of other namespaces (namespaceSelector), which no Flow allows`);
      return;
    } else if (peer.ipBlock) {
      const cidr = parseCidr(peer.ipBlock.cidr);
      if (typeof cidr === 'string') {
        out.push(`${where} ipBlock ${peer.ipBlock.cidr}: ${cidr}`);
        return;
      }
      ends = [{ cidr }];
    } else {
      const peerTiers = selectedTiers(peer.podSelector, tiers);
      if (typeof peerTiers === 'string') {
        out.push(`${where} ${peerTiers}`);
        return;
      }
      ends = peerTiers.map((tier) => ({ tier }));
    }
    for (const local of selected) {
      for (const end of ends) {
        for (const port of rule.ports!) {
          const covered = placement.flows.some((flow) => portCovered(port, flow) && (ingress ? coversIngress(cloud, placement, flow, end, local) : coversEgress(placement, flow, local, end)));
          if (!covered) out.push(`${where}: ${ingress ? `${showEnd(end)} -> tier ${local}` : `tier ${local} -> ${showEnd(end)}`} on ${showPort(port)} has no Flow`);
        }
      }
    }
  });
  return out;
}

function segmentOfTier(placement: SystemPlacement, tier: string) {
  return placement.computePools.find((p) => p.tier === tier)!.segment;
}

/** Traffic from `source` into pods of tier `target`. */
function coversIngress(cloud: NationalCloud, placement: SystemPlacement, flow: Flow, source: End, target: string): boolean {
  if (flow.to !== segmentOfTier(placement, target)) return false;
  if ('tier' in source) return flow.from === segmentOfTier(placement, source.tier);
  return contains(cloud.peerRange(flow.from), source.cidr);
}

/** Traffic from pods of tier `source` to `target`. */
function coversEgress(placement: SystemPlacement, flow: Flow, source: string, target: End): boolean {
  if (flow.from !== segmentOfTier(placement, source)) return false;
  if ('tier' in target) return flow.to === segmentOfTier(placement, target.tier);
  return contains(flow.to.cidr, target.cidr);
}

function portCovered(port: NetworkPolicyPort, flow: Flow): boolean {
  if (typeof port.port !== 'number') return false;
  const protocol = (port.protocol ?? 'TCP').toLowerCase();
  if (protocol !== flow.port.protocol || flow.port.from === undefined || flow.port.to === undefined) return false;
  return flow.port.from <= port.port && (port.endPort ?? port.port) <= flow.port.to;
}

function isClusterDns(peer: NetworkPolicyPeer): boolean {
  const ns = peer.namespaceSelector as LabelSelector | undefined;
  const pods = peer.podSelector as LabelSelector | undefined;
  if (!ns || !pods || peer.ipBlock || isEmptySelector(ns) || isEmptySelector(pods)) return false;
  const same = (a: Record<string, string> | undefined, b: Readonly<Record<string, string>>) => JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b).sort());
  return (ns.matchExpressions ?? []).length === 0 && (pods.matchExpressions ?? []).length === 0 && same(ns.matchLabels, { 'kubernetes.io/metadata.name': CLUSTER_DNS.namespace }) && same(pods.matchLabels, CLUSTER_DNS.podLabels);
}

function showEnd(end: End): string {
  return 'tier' in end ? `tier ${end.tier}` : end.cidr.text;
}

function showPort(port: NetworkPolicyPort): string {
  if (port.port === undefined) return `every ${(port.protocol ?? 'TCP').toLowerCase()} port`;
  if (typeof port.port === 'string') return `named port ${port.port} (cannot be checked against a Flow)`;
  return `${(port.protocol ?? 'TCP').toLowerCase()}/${port.port}${port.endPort !== undefined ? `-${port.endPort}` : ''}`;
}
