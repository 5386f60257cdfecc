import { contains, overlaps, parseCidr, type Cidr } from '../../../core/cidr';
import { kubernetesSettings } from '../../../stacks/kubernetes/settings';
import type { Rule, RuleContext, RuleResult } from '../../rule';
import { clusterObjects, isEmptySelector, isNamespace, objectsIn, isNetworkPolicy, levelOf, policyTypesOf, specOf, subjectOf, systemOf } from '../../artifacts/kubernetes';
import { vn2016 } from '../support';

/** NDC-K8S-002: no policy admits traffic from every namespace into a level 3+ namespace. */
export const noAllNamespacesIngress: Rule = {
  id: 'NDC-K8S-002',
  title: 'Nothing allows traffic from all namespaces into a level 3+ namespace',
  family: 'kubernetes',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('Decree 85/2016/ND-CP, TCVN 11930:2017 and Circular 12/2022/TT-BTTTT: logical isolation of level 3+ systems in a shared cloud'),
  explanation:
    'A level 3 or higher system must be logically isolated from the other tenants of the shared cloud. An ingress rule with no sources, ' +
    'or a peer whose namespaceSelector is {} (every namespace), lets any workload of any agency in the cluster reach the system, whatever ' +
    'the default-deny policy says, because NetworkPolicies add up. Where the environment gives the cluster\'s pod network ' +
    '(kubernetes.podNetworks), an ipBlock that covers it without excepting it counts too: network plugins such as Calico match pod ' +
    'addresses against ipBlocks, so 0.0.0.0/0 would admit every pod of the cluster.',
  remediation: 'Name the sources: pods of this namespace by tier label, or the ranges the model\'s Flows allow as ipBlocks. Change the Flows in the environment, not the artifact.',
  check(context) {
    const results: RuleResult[] = [];
    const all = clusterObjects(context);
    const podNetworks = podNetworksOf(context);
    for (const { cluster, object: namespace } of all.filter((o) => isNamespace(o.object))) {
      const level = levelOf(context, namespace);
      if (level === undefined || level < 3) continue;
      for (const { object: policy } of objectsIn(context, cluster, namespace.metadata.name).filter((o) => isNetworkPolicy(o.object))) {
        const spec = specOf(policy);
        const problems: string[] = [];
        if (policyTypesOf(spec).includes('Ingress')) {
          (spec.ingress ?? []).forEach((rule, i) => {
            if (!rule.from || rule.from.length === 0) problems.push(`ingress[${i}] has no from: it admits every source, all namespaces included`);
            (rule.from ?? []).forEach((peer, j) => {
              if (peer.namespaceSelector !== undefined && isEmptySelector(peer.namespaceSelector)) problems.push(`ingress[${i}].from[${j}] has namespaceSelector {}: every namespace`);
              const pods = podNetworks.get(cluster);
              const block = peer.ipBlock && parseCidr(peer.ipBlock.cidr);
              if (pods && block && typeof block !== 'string' && overlaps(block, pods)) {
                const excepted = (peer.ipBlock!.except ?? []).map((e) => parseCidr(e)).some((e) => typeof e !== 'string' && contains(e, pods));
                if (!excepted) problems.push(`ingress[${i}].from[${j}] ipBlock ${block.text} covers the pod network ${pods.text}: every pod of the cluster, all namespaces included`);
              }
            });
          });
        }
        results.push({
          status: problems.length === 0 ? 'pass' : 'fail',
          systemId: systemOf(context, namespace)?.id,
          subject: subjectOf(cluster, policy),
          message: problems.length === 0 ? `level-${level} namespace ${namespace.metadata.name}: admits no traffic from all namespaces` : `level-${level} namespace ${namespace.metadata.name}: ${problems.join('; ')}`,
        });
      }
    }
    return results;
  },
};

/** The clusters' pod networks from the environment, when it gives them (settings synthesis already validated). */
function podNetworksOf(context: RuleContext): ReadonlyMap<string, Cidr> {
  try {
    return kubernetesSettings(context.env, context.cloud).podNetworks;
  } catch {
    return new Map();
  }
}
