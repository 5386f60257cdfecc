import { pathTo, shortestPaths } from '../../network/reachability';
import type { Rule } from '../../rule';
import { fail, pass, VN_2016 } from '../support';
import { pathText, reachOf } from './reach';

export const govInternetApart: Rule = {
  id: 'NDC-NET-004',
  title: 'The government network never reaches the internet, and the internet never reaches the government network',
  family: 'segmentation',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: { profile: VN_2016, reference: 'Decision 2629/QD-TTg (specialised data network of Party and State agencies); Decree 85/2016/ND-CP' },
  explanation:
    'The specialised data network of Party and State agencies is kept apart from the internet. Over the one-hop reachability of all engines, and assuming every reached host or pod can be used to go on, no path may lead from the government network to the internet or back: neither directly (a router with an external gateway next to the interconnect) nor through a host both sides reach.',
  remediation: 'Remove the first hop of the path shown: an external gateway on a router of the interconnect, an egress rule to 0.0.0.0/0 or to the government network, or a tier reached from both sides (serve internet users from a separate DMZ tier).',
  check(context) {
    const reach = reachOf(context);
    const subject = `${context.cloud.envName} (government network)`;
    const problems: string[] = [];
    for (const [from, to] of [
      ['gov-network', 'internet'],
      ['internet', 'gov-network'],
    ] as const) {
      const path = pathTo(shortestPaths(reach, [from]), to);
      if (path) problems.push(`${from} reaches ${to}: ${pathText(path)} (first hop allowed by ${path[0].allows.flatMap((a) => a.rules.map((r) => `${r.file}: ${r.address}`)).join(', ')})`);
    }
    return [problems.length ? fail(subject, problems.join('; ')) : pass(subject, 'no path joins the government network and the internet, in either direction')];
  },
};
