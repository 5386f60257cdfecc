import type { Rule, RuleResult } from '../../rule';
import { clusterObjects, isEmptySelector, objectsIn, isNamespace, isNetworkPolicy, policyTypesOf, specOf, subjectOf, systemOf } from '../../artifacts/kubernetes';
import { vn2016 } from '../support';

/** NDC-K8S-001: every namespace denies all ingress and all egress that no allow policy opens. */
export const defaultDeny: Rule = {
  id: 'NDC-K8S-001',
  title: 'Every namespace has default-deny NetworkPolicies for ingress and egress',
  family: 'kubernetes',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Decree 85/2016/ND-CP and TCVN 11930:2017: network segmentation; Circular 12/2022/TT-BTTTT: logical isolation in a shared cloud (level 3 and up)'),
  explanation:
    'Kubernetes lets every pod talk to every other pod, in any namespace, and to anywhere outside, until a NetworkPolicy selects it. ' +
    'A namespace without a policy that selects all its pods with no ingress rule, and one with no egress rule, is open in that direction: ' +
    'the zones the security groups keep apart would meet inside the cluster.',
  remediation: 'Synthesize with ndc synth (the renderer adds default-deny-ingress and default-deny-egress to every system namespace); do not remove them from the artifact.',
  check(context) {
    const results: RuleResult[] = [];
    const all = clusterObjects(context);
    for (const { cluster, object: namespace } of all.filter((o) => isNamespace(o.object))) {
      const policies = objectsIn(context, cluster, namespace.metadata.name).filter((o) => isNetworkPolicy(o.object)).map((o) => specOf(o.object));
      // A deny-all policy selects every pod, governs the direction and allows nothing in it.
      const denies = (direction: 'Ingress' | 'Egress') =>
        policies.some((spec) => isEmptySelector(spec.podSelector ?? {}) && policyTypesOf(spec).includes(direction) && ((direction === 'Ingress' ? spec.ingress : spec.egress) ?? []).length === 0);
      const missing = (['Ingress', 'Egress'] as const).filter((d) => !denies(d));
      results.push({
        status: missing.length === 0 ? 'pass' : 'fail',
        systemId: systemOf(context, namespace)?.id,
        subject: subjectOf(cluster, namespace),
        message:
          missing.length === 0
            ? `namespace ${namespace.metadata.name} denies ingress and egress by default`
            : `namespace ${namespace.metadata.name} has no default-deny ${missing.join(' or ').toLowerCase()} policy (a NetworkPolicy with podSelector {}, policyTypes ${missing.join(', ')} and no rules)`,
      });
    }
    return results;
  },
};
