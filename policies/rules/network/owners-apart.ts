import { pathTo, shortestPaths } from '../../network/reachability';
import type { Rule, RuleResult } from '../../rule';
import { fail, notApplicable, pass, VN_2016 } from '../support';
import { declared, pathText, reachOf } from './reach';

export const ownersApart: Rule = {
  id: 'NDC-NET-003',
  title: 'No path between level 4-5 systems of different owners except through declared flows',
  family: 'segmentation',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: { profile: VN_2016, reference: 'Decree 85/2016/ND-CP art. 9 and Circular 12/2022/TT-BTTTT (levels 4-5 in a shared cloud: physically separate hosts, storage and core network)' },
  explanation:
    'Level 4-5 systems of different agencies share the national clusters but must not be able to reach each other: a compromise of one agency\'s system would otherwise open another\'s. Starting from every host and pod of a level 4-5 system, the shortest paths over the one-hop reachability of all engines (a reached host used to go on) must not arrive at a level 4-5 system of another owner, unless every hop of the path is a flow the model declares.',
  remediation: 'Remove the rule that opens the first undeclared hop of the path (a security-group rule, a remote group or CIDR reaching another system, a NetworkPolicy selecting another namespace), or declare the integration as flows and have both owners approve it.',
  check(context) {
    const reach = reachOf(context);
    const results: RuleResult[] = [];
    const endpointsOf = new Map<string, string[]>();
    for (const e of reach.model.endpoints) if (e.system && (e.kind === 'hosts' || e.kind === 'pods')) (endpointsOf.get(e.system) ?? endpointsOf.set(e.system, []).get(e.system)!).push(e.id);
    for (const system of context.cloud.systems) {
      if (system.level < 4) {
        results.push(notApplicable(system.node.path, `level ${system.level}: the rule covers levels 4 and 5`, system.id));
        continue;
      }
      const previous = shortestPaths(reach, endpointsOf.get(system.id) ?? []);
      const problems: string[] = [];
      for (const [id] of previous) {
        const target = reach.model.byId.get(id);
        if (!target?.system || target.system === system.id || (target.level ?? 0) < 4 || target.owner === system.ownerAgency) continue;
        const path = pathTo(previous, id)!;
        const undeclared = path.find((hop) => !declared(context, reach, hop));
        if (undeclared) problems.push(`${pathText(path)} reaches ${target.system} (${target.owner ?? 'unknown owner'}, level ${target.level}); ${undeclared.from} -> ${undeclared.to} is no declared flow`);
      }
      results.push(problems.length ? fail(system.node.path, problems.slice(0, 4).concat(problems.length > 4 ? [`and ${problems.length - 4} more`] : []).join('; '), system.id) : pass(system.node.path, 'no path to a level 4-5 system of another owner', system.id));
    }
    return results;
  },
};
