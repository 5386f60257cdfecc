import type { Rule, RuleResult } from '../../rule';
import { addressOf, resolve, tagsOf, terraformIndex } from '../../artifacts/terraform';
import { fail, pass, vn2016 } from '../support';
import { judged, systemResults } from '../per-system';

export const defaultDeny: Rule = {
  id: 'NDC-SEG-001',
  title: 'Security groups deny by default: no provider default rules, every instance in a security group',
  family: 'segmentation',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('TCVN 11930:2017 section 6 (network access control: deny all not explicitly allowed)'),
  explanation: 'OpenStack adds allow-all egress rules to a new security group unless told not to, and an instance without a group gets the permissive default group. Everything that no Flow allows must be denied.',
  remediation: 'Keep delete_default_rules = true on every security group (the cluster stacks set it) and attach each instance to its tier\'s group.',
  check(context) {
    const { cloud, artifacts } = context;
    const index = terraformIndex(artifacts);
    const bySystem = new Map<string, string[]>();
    const platform: string[] = [];
    const note = (system: string | undefined, problem: string) => (system ? (bySystem.get(system) ?? bySystem.set(system, []).get(system)!) : platform).push(problem);
    for (const group of index.securityGroups.values()) {
      if (group.config.delete_default_rules !== true) note(tagsOf(group).system, `${addressOf(group)} keeps the provider's default allow rules`);
    }
    for (const instance of index.instances) {
      const system = (instance.config.metadata as Record<string, string> | undefined)?.['ndc:system'];
      const groups = (instance.config.security_groups as unknown[] | undefined) ?? [];
      if (groups.length === 0 || groups.some((g) => !resolve(artifacts, instance, g))) note(system, `${addressOf(instance)} is not only in security groups declared by ndc`);
    }
    const results: RuleResult[] = systemResults(context, { judge: (s) => judged(bySystem.get(s.id) ?? [], 'every security group of the system denies by default') });
    const known = new Set(cloud.systems.map((s) => s.id));
    const unknown = [...bySystem.keys()].filter((id) => !known.has(id));
    for (const id of unknown) results.push(fail(`${cloud.envName}/${id}`, bySystem.get(id)!.join('; ')));
    results.push(platform.length ? fail(`${cloud.envName} (platform)`, platform.join('; ')) : pass(`${cloud.envName} (platform)`, 'shared-service security groups deny by default'));
    return results;
  },
};
