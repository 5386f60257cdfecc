import type { Rule } from '../../rule';
import { resolve, tagsOf, terraformIndex } from '../../artifacts/terraform';
import { vn2016 } from '../support';
import { doesNotApply, judged, perSystem } from '../per-system';

/** Level 3 in a shared cloud: every instance sits only in the system's own security groups. */
export const logicalIsolation: Rule = {
  id: 'NDC-LVL-002',
  title: 'Level 3 systems are logically isolated: their instances use only their own security groups',
  family: 'security-level',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex, level 3 requirements for systems in a shared cloud (logical isolation)'),
  explanation:
    'A level-3 system in the shared national cloud must be isolated logically from other tenants: its instances must be reachable only through security groups generated for that system, and its rules may name only its own groups as peers.',
  remediation: 'Do not attach shared or foreign security groups to the system\'s instances; express traffic between systems as flows from the gov-network or a zone, and synthesize again.',
  check: perSystem({
    prepare: ({ artifacts }) => terraformIndex(artifacts),
    judge(system, index, { artifacts }) {
      if (system.level !== 3) return doesNotApply(`level ${system.level}: the level-3 logical isolation rule does not apply`);
      const problems: string[] = [];
      const instances = index.instancesBySystem.get(system.id) ?? [];
      if (instances.length === 0) problems.push('no instances of the system in the Terraform artifacts');
      for (const instance of instances) {
        const groups = (instance.config.security_groups as unknown[] | undefined) ?? [];
        if (groups.length === 0) problems.push(`${instance.name} has no security group`);
        for (const ref of groups) {
          const group = resolve(artifacts, instance, ref);
          if (!group || tagsOf(group).system !== system.id) problems.push(`${instance.name} uses security group ${String(ref)}, not one of the system's own`);
        }
      }
      for (const { rule } of index.rulesBySystem.get(system.id) ?? []) {
        if (rule.config.remote_group_id === undefined) continue;
        const peer = resolve(artifacts, rule, rule.config.remote_group_id);
        if (!peer || tagsOf(peer).system !== system.id) problems.push(`rule ${rule.name} admits security group ${String(rule.config.remote_group_id)} of another tenant`);
      }
      return judged(problems, `${instances.length} instances only in the system's own security groups`);
    },
  }),
};
