import { endpointsOf } from '../../controls/traffic-paths';
import { pathTo, shortestPaths } from '../../network/reachability';
import type { Rule, RuleResult } from '../../rule';
import { fail, notApplicable, pass, VN_2016 } from '../support';
import { pathText, reachOf } from './reach';

/** Distinct zones a path from the internet must cross to reach a level 4-5 data tier. */
export const MIN_ZONES_CROSSED = 3;

export const internetDepth: Rule = {
  id: 'NDC-NET-002',
  title: 'The shortest internet path to a level 4-5 data tier crosses at least three distinct zones',
  family: 'segmentation',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: { profile: VN_2016, reference: 'Decree 85/2016/ND-CP art. 9 (levels 4-5); Circular 12/2022/TT-BTTTT, Annex (defence in depth through the DMZ, internal-server and database zones)' },
  explanation:
    'Defence in depth: data of level 4-5 systems must sit behind at least the DMZ and the application zone, so an attacker from the internet has to take over hosts in three distinct zones (the last one the database zone) before touching it. The path is computed over the one-hop reachability of all engines, assuming every reached host or pod can be used to go on; no path at all passes.',
  remediation: 'Remove the shortcut the path shows (a flow or rule letting a DMZ or edge tier reach the database directly, or the internet reach an application tier), so that the data tier is reached only from the application tier.',
  check(context) {
    const reach = reachOf(context);
    const previous = shortestPaths(reach, ['internet']);
    const results: RuleResult[] = [];
    for (const system of context.cloud.systems) {
      if (system.level < 4) {
        results.push(notApplicable(system.node.path, `level ${system.level}: the rule covers levels 4 and 5`, system.id));
        continue;
      }
      const dataTiers = endpointsOf(reach, system).filter((e) => e.zoneKind === 'database' && (e.kind === 'hosts' || e.kind === 'pods'));
      const short: string[] = [];
      let reached = 0;
      for (const tier of dataTiers) {
        const path = pathTo(previous, tier.id);
        if (!path) continue;
        reached++;
        const zones = new Set(path.map((h) => reach.model.byId.get(h.to)!.zone));
        if (zones.size < MIN_ZONES_CROSSED) short.push(`${pathText(path)} crosses ${zones.size} zone${zones.size === 1 ? '' : 's'} (${[...zones].join(', ')}), fewer than ${MIN_ZONES_CROSSED}`);
      }
      const ok = dataTiers.length === 0 ? 'no data tier in the artifacts' : reached === 0 ? `the internet reaches none of its ${dataTiers.length} data tier endpoints` : `every internet path to its data tiers crosses at least ${MIN_ZONES_CROSSED} zones`;
      results.push(short.length ? fail(system.node.path, short.join('; '), system.id) : pass(system.node.path, ok, system.id));
    }
    return results;
  },
};
