import { POD_SECURITY } from '../../../stacks/kubernetes/labels';
import type { Rule, RuleResult } from '../../rule';
import { clusterObjects, isNamespace, subjectOf, systemOf } from '../../artifacts/kubernetes';
import { vn2016 } from '../support';

/** NDC-K8S-003: every namespace enforces the Pod Security `restricted` profile. */
export const podSecurityRestricted: Rule = {
  id: 'NDC-K8S-003',
  title: 'Pods run restricted: every namespace enforces Pod Security "restricted"',
  family: 'kubernetes',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('TCVN 11930:2017: server hardening and least privilege; Decree 85/2016/ND-CP'),
  explanation:
    'Pod Security admission rejects pods that run as root, escalate privileges, use host namespaces, host paths or added capabilities ' +
    'only in namespaces labelled pod-security.kubernetes.io/enforce: restricted. Without the label a compromised workload can take over ' +
    'its node, and with it every tenant scheduled there. audit and warn, when set, must not be weaker, so violations are reported too.',
  remediation: 'Synthesize with ndc synth (system namespaces get enforce, audit and warn set to restricted); run workloads as non-root with a read-only root file system and no added capabilities.',
  check(context) {
    const results: RuleResult[] = [];
    for (const { cluster, object: namespace } of clusterObjects(context).filter((o) => isNamespace(o.object))) {
      const labels = namespace.metadata.labels ?? {};
      const problems: string[] = [];
      if (labels[POD_SECURITY.enforce] !== 'restricted') problems.push(`${POD_SECURITY.enforce} is ${labels[POD_SECURITY.enforce] === undefined ? 'not set' : JSON.stringify(labels[POD_SECURITY.enforce])}`);
      for (const mode of [POD_SECURITY.audit, POD_SECURITY.warn]) {
        if (labels[mode] !== undefined && labels[mode] !== 'restricted') problems.push(`${mode} is ${JSON.stringify(labels[mode])}`);
      }
      results.push({
        status: problems.length === 0 ? 'pass' : 'fail',
        systemId: systemOf(context, namespace)?.id,
        subject: subjectOf(cluster, namespace),
        message: problems.length === 0 ? `namespace ${namespace.metadata.name} enforces Pod Security restricted` : `namespace ${namespace.metadata.name}: ${problems.join('; ')} (must be "restricted")`,
      });
    }
    return results;
  },
};
