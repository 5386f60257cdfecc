import type { ControlDetector } from './control';
import { clustersWithOutsideTraffic, hopsInto, hostProblems, reachOf, runs, serviceHosts, showHop } from './traffic-paths';

/**
 * Intrusion prevention on the edge / DMZ boundary: every connection from the internet or the government
 * network enters the system at its IPS hosts (Suricata in IPS mode) in the edge zone, and nowhere else.
 */
export const intrusionPrevention: ControlDetector = {
  id: 'ips',
  name: 'intrusion prevention (Suricata, IPS mode) on the edge / DMZ boundary',
  requiredFromLevel: 1,
  citation: 'Circular 12/2022/TT-BTTTT, Annex, level 1 network security (firewall with intrusion prevention)',
  check(system, context) {
    const clusters = clustersWithOutsideTraffic(system);
    const reach = reachOf(context);
    const inbound = hopsInto(reach, system).filter(({ from }) => from.kind === 'internet' || from.kind === 'gov-network' || from.actsAs === 'internet');
    if (clusters.length === 0 && inbound.length === 0) return 'no traffic enters the system from outside the cluster';
    const hosts = serviceHosts(context, system, 'ips');
    const problems = hostProblems(context, system, hosts, 'IPS', 'edge', [...new Set([...clusters, ...inbound.map(({ to }) => to.cluster ?? '')])].filter((c) => c !== ''));
    for (const { hop, to } of inbound) if (!runs(hosts, to)) problems.push(`reached from outside without the IPS: ${showHop(hop)}`);
    return problems;
  },
};
