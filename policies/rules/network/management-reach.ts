import type { Rule } from '../../rule';
import { fail, pass, VN_2016, verdict } from '../support';
import { serviceOf, within } from '../../network/services';
import { collectionServiceOf, describe, ProblemsBySystem, reachOf } from './reach';

export const managementReach: Rule = {
  id: 'NDC-NET-006',
  title: "Management zones are reached only from the management zones' privileged-access hosts",
  family: 'segmentation',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: { profile: VN_2016, reference: 'Circular 12/2022/TT-BTTTT, Annex, levels 3-4 (management zone; privileged access management)' },
  explanation:
    "Whoever reaches the management zone reaches the controls of every system it administers. Computed over all engines, a host or pod in a management zone may be reached only from the privileged-access hosts (bastion / PAM, by their service or tier name) or from the management zones themselves (where the artifacts declare no such hosts, the operators' addresses); the cluster's log collectors and patch mirror, which every tier sends to on their one port and which administer nothing, take that port from anywhere in their cluster: never from the internet, the government network, or an application, database or DMZ tier.",
  remediation: 'Remove the rule that admits the source named in the finding into the management zone; administer through the bastion / PAM hosts of the management zone.',
  check(context) {
    const reach = reachOf(context);
    const problems = new ProblemsBySystem();
    for (const hop of reach.hops) {
      const to = reach.model.byId.get(hop.to)!;
      if (to.zoneKind !== 'management') continue;
      const from = reach.model.byId.get(hop.from)!;
      if (from.privileged || from.zoneKind === 'management') continue;
      // The log collectors and the patch mirror take what every tier sends on their one port, and administer nothing.
      const collection = collectionServiceOf(context, to);
      if (collection && hop.allows.every((a) => within(a.service, serviceOf(collection.port.protocol, collection.port.from, collection.port.to)))) continue;
      problems.note(to.system, `${describe(hop)}: ${from.zone} is neither a management zone nor a privileged-access host`);
    }
    const platform = problems.of(undefined);
    return [
      ...context.cloud.systems.map((s) => verdict(s, problems.of(s.id), 'its management endpoints are reached only from management zones and privileged-access hosts')),
      platform.length ? fail(`${context.cloud.envName} (platform)`, platform.join('; ')) : pass(`${context.cloud.envName} (platform)`, 'the shared management zone is reached only from management zones and privileged-access hosts'),
    ];
  },
};
