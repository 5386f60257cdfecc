import { TARGET_ZONE_KINDS } from '../../network/reachability';
import type { Rule } from '../../rule';
import { fail, pass, VN_2016, verdict } from '../support';
import { describe, ProblemsBySystem, reachOf } from './reach';

export const internetOneHop: Rule = {
  id: 'NDC-NET-001',
  title: 'Nothing in a database, management or device-management zone is reached from the internet in one hop',
  family: 'segmentation',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: { profile: VN_2016, reference: 'Circular 12/2022/TT-BTTTT, Annex (edge, DMZ, database and management zones, level 3 and up); TCVN 11930:2017 section 6' },
  explanation:
    'The zone structure exists so that an attacker from the internet meets the edge and the DMZ first. Computed from the artifacts of all three engines together (security groups, NetworkPolicies, the public edge), any host or pod in a database, management or device-management zone that the internet reaches directly is one exploit away from the data or the controls, whatever the model says.',
  remediation: 'Remove the rule named in the finding (a security-group rule or NetworkPolicy open to 0.0.0.0/0, a port with a floating IP, a CDN origin pointing inside); reach the zone through the DMZ and application tiers with declared flows, then synthesize again.',
  check(context) {
    const reach = reachOf(context);
    const problems = new ProblemsBySystem();
    for (const hop of reach.out.get('internet') ?? []) {
      const to = reach.model.byId.get(hop.to)!;
      if ((TARGET_ZONE_KINDS as readonly string[]).includes(to.zoneKind)) problems.note(to.system, `${describe(hop)}: ${to.zone} is a ${to.zoneKind} zone`);
    }
    const platform = problems.of(undefined);
    return [
      ...context.cloud.systems.map((s) => verdict(s, problems.of(s.id), 'the internet reaches none of its database, management or device-management endpoints in one hop')),
      platform.length ? fail(`${context.cloud.envName} (platform)`, platform.join('; ')) : pass(`${context.cloud.envName} (platform)`, 'the internet reaches no shared database or management endpoint in one hop'),
    ];
  },
};
