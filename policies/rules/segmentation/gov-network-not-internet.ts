import type { Rule, RuleResult } from '../../rule';
import { addressOf, resolve, tagsOf, terraformIndex } from '../../artifacts/terraform';
import { fail, pass, vn2016 } from '../support';
import { judged, systemResults } from '../per-system';

export const govNetworkNotInternet: Rule = {
  id: 'NDC-SEG-006',
  title: 'The government network is never routed to the internet',
  family: 'segmentation',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('Decision 2629/QD-TTg (specialised data network of Party and State agencies); Decree 85/2016/ND-CP'),
  explanation: 'The specialised data network of Party and State agencies is separate from the internet. No router that carries the gov-interconnect segment or a system segment reached from the government network may have an external (internet) gateway, and no tier reached from the government network may also be reached from the internet.',
  remediation: 'Remove the external gateway from the router, or serve internet users from a separate DMZ tier that the government network does not reach.',
  check(context) {
    const { cloud, artifacts } = context;
    const results: RuleResult[] = systemResults(context, {
      judge(system) {
        const fromGov = new Set(system.declaredFlows.filter((f) => f.from === 'gov-network').map((f) => f.to));
        const both = system.declaredFlows.filter((f) => f.from === 'internet' && fromGov.has(f.to)).map((f) => `${f.to} is reached from both the government network and the internet`);
        return judged(both, fromGov.size ? 'zones reached from the government network are not reached from the internet' : 'not reached from the government network');
      },
    });
    // Routers with an external gateway must not attach a gov-interconnect subnet.
    const govSubnets = new Set(
      cloud.clusters.filter((c) => c.hasSegment('gov-interconnect')).map((c) => c.segment('gov-interconnect').cidr.text).concat(cloud.govNetwork.text),
    );
    const index = terraformIndex(artifacts);
    const problems: string[] = [];
    for (const router of index.routers) {
      if (router.config.external_network_id === undefined && router.config.external_gateway === undefined) continue;
      for (const iface of index.routerInterfaces) {
        if (resolve(artifacts, iface, iface.config.router_id)?.name !== router.name || iface.stack !== router.stack) continue;
        const subnet = resolve(artifacts, iface, iface.config.subnet_id);
        if (subnet && (govSubnets.has(String(subnet.config.cidr)) || tagsOf(subnet).zone === 'gov-interconnect')) problems.push(`${addressOf(router)} has an external gateway and an interface on ${String(subnet.config.cidr)} (gov-interconnect)`);
      }
    }
    results.push(problems.length ? fail(`${cloud.envName} (routers)`, problems.join('; ')) : pass(`${cloud.envName} (routers)`, 'no router joins the government network to an external gateway'));
    return results;
  },
};
