import type { ControlDetector } from './control';
import { clustersWithOutsideTraffic, hopsInto, hostProblems, reachOf, runs, serviceHosts, showHop } from './traffic-paths';

/**
 * Web application firewall in front of every internet-facing tier from level 2: requests from the edge
 * reach the system's application tiers only from its WAF hosts (nginx + ModSecurity + OWASP CRS) in the DMZ.
 */
export const webApplicationFirewall: ControlDetector = {
  id: 'waf',
  name: 'web application firewall (nginx + ModSecurity + OWASP Core Rule Set)',
  requiredFromLevel: 2,
  citation: 'Circular 12/2022/TT-BTTTT, Annex, level 2 network security (WAF)',
  check(system, context) {
    const clusters = clustersWithOutsideTraffic(system, 'internet');
    const reach = reachOf(context);
    const into = hopsInto(reach, system);
    const fromInternet = into.filter(({ from }) => from.kind === 'internet' || from.actsAs === 'internet');
    if (clusters.length === 0 && fromInternet.length === 0) {
      return system.internetFacing ? 'internet-facing, but no flow or rule admits traffic from the internet' : 'not reachable from the internet';
    }
    const waf = serviceHosts(context, system, 'waf');
    const ips = serviceHosts(context, system, 'ips');
    const problems = hostProblems(context, system, waf, 'WAF', 'dmz', [...new Set([...clusters, ...fromInternet.map(({ to }) => to.cluster ?? '')])].filter((c) => c !== ''));
    // The edge is the internet and the IPS hosts it forwards from: past it, only the WAF may be reached.
    for (const { hop, from, to } of into) {
      const fromEdge = from.kind === 'internet' || from.actsAs === 'internet' || runs(ips, from);
      if (!fromEdge || runs(waf, to) || runs(ips, to)) continue;
      // Web traffic is TCP: a hop that allows only UDP or ICMP (media, ping) is the IPS's to inspect, not the WAF's.
      if (!hop.allows.some((a) => a.service.protocol === 'tcp' || a.service.protocol === 'any')) continue;
      problems.push(`reached from the edge without the WAF: ${showHop(hop)}`);
    }
    for (const cluster of clusters) {
      const fed = into.some(({ from, to }) => to.cluster === cluster && runs(waf, to) && runs(ips, from));
      if ((waf.byCluster.get(cluster) ?? []).length > 0 && !fed) problems.push(`the WAF hosts in cluster ${cluster} receive no traffic from the edge (no rule admits the IPS hosts): requests go around them`);
    }
    return problems;
  },
};
