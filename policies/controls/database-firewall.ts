import type { ControlDetector } from './control';
import { serviceOf, within } from '../network/services';
import { endpointsOf, hopsInto, hostProblems, reachOf, runs, serviceHosts, showHop } from './traffic-paths';

/**
 * Database firewall from level 3: the system's database tiers accept connections only from its database
 * firewall hosts (AcraServer with AcraCensor) in the database zone; SSH (administration) is left to the privileged-access control.
 */
export const databaseFirewall: ControlDetector = {
  id: 'databaseFirewall',
  name: 'database firewall (Acra: AcraServer SQL proxy with AcraCensor)',
  requiredFromLevel: 3,
  citation: 'Circular 12/2022/TT-BTTTT, Annex, level 3 network security (database firewall)',
  check(system, context) {
    const reach = reachOf(context);
    const hosts = serviceHosts(context, system, 'database-firewall');
    const databaseTiers = system.tiers.filter((t) => t.zone === 'database' && !system.securityServices.has(t.name));
    const databaseEndpoints = endpointsOf(reach, system).filter((e) => e.zoneKind === 'database' && (e.kind === 'hosts' || e.kind === 'pods') && !runs(hosts, e));
    if (databaseTiers.length === 0 && databaseEndpoints.length === 0) return 'no database tier';
    const problems = hostProblems(context, system, hosts, 'database firewall', 'database');
    for (const { hop, from, to } of hopsInto(reach, system)) {
      if (to.zoneKind !== 'database' || runs(hosts, to) || runs(hosts, from)) continue;
      // The addresses of the database segment itself are where the firewall hosts run (what pods see of them).
      if (from.kind === 'zone-addresses' && from.zone === to.zone) continue;
      // SSH is administration, whose path (only from the jump hosts) is the privileged-access control's to check.
      if (hop.allows.every((a) => within(a.service, serviceOf('tcp', 22)))) continue;
      problems.push(`database reached without the database firewall: ${showHop(hop)}`);
    }
    return problems;
  },
};
