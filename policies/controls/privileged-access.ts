import { isSynchronousRecording } from '../../constructs';
import { resourcesOfType } from '../artifacts/terraform';
import type { ArtifactSet } from '../rule';
import { allowsPort } from '../network/services';
import type { ControlDetector } from './control';
import { hopsInto, hostProblems, reachOf, runs, serviceHosts, showHop } from './traffic-paths';

/**
 * Privileged access from level 3: SSH to every tier of the system only from its jump hosts (Teleport) in
 * the management zone; from level 4 those hosts record every session synchronously (no recording, no session).
 */
export const privilegedAccessManagement: ControlDetector = {
  id: 'privilegedAccessManagement',
  name: 'privileged-access (jump) hosts (Teleport) with session recording',
  requiredFromLevel: 3,
  citation: 'Circular 12/2022/TT-BTTTT, Annex, levels 3-4 (management zone; privileged access management)',
  check(system, context) {
    const reach = reachOf(context);
    const hosts = serviceHosts(context, system, 'privileged-access');
    const problems = hostProblems(context, system, hosts, 'jump', 'management');
    for (const { hop, from, to } of hopsInto(reach, system)) {
      if (runs(hosts, to) || runs(hosts, from) || from.kind === 'zone-addresses') continue;
      if (!hop.allows.some((a) => allowsPort(a.service, 'tcp', 22))) continue;
      problems.push(`administered (tcp/22) from outside the jump hosts: ${showHop(hop)}`);
    }
    // Hosts reached on SSH from addresses without declared hosts: the jump hosts' segment is the only accepted range.
    for (const { hop, from, to } of hopsInto(reach, system)) {
      if (from.kind !== 'zone-addresses' || runs(hosts, to) || from.zoneKind === 'management') continue;
      if (hop.allows.some((a) => allowsPort(a.service, 'tcp', 22))) problems.push(`administered (tcp/22) from outside the jump hosts: ${showHop(hop)}`);
    }
    if (system.level >= 4) {
      for (const [cluster, instances] of hosts.byCluster) {
        for (const instance of instances) {
          const mode = (instance.config.metadata as Record<string, string> | undefined)?.['ndc:session-recording'];
          if (!isSynchronousRecording(mode)) problems.push(`jump host ${String(instance.config.name)} in cluster ${cluster} does not record sessions synchronously (ndc:session-recording=${mode ?? 'absent'}; level ${system.level} needs proxy-sync or node-sync)`);
        }
      }
      const attached = attachedInstancesOf(context.artifacts);
      for (const [cluster, instances] of hosts.byCluster) {
        for (const instance of instances) {
          if (!attached.has(`\${openstack_compute_instance_v2.${instance.name}.id}`)) problems.push(`jump host ${String(instance.config.name)} in cluster ${cluster} has no volume for its session recordings`);
        }
      }
    }
    return problems;
  },
};

const attachedCache = new WeakMap<ArtifactSet, ReadonlySet<string>>();

/** The `instance_id` of every volume attachment, once per artifact set. */
function attachedInstancesOf(artifacts: ArtifactSet): ReadonlySet<string> {
  const cached = attachedCache.get(artifacts);
  if (cached) return cached;
  const attached = new Set(resourcesOfType(artifacts, 'openstack_compute_volume_attach_v2').map((r) => String(r.config.instance_id)));
  attachedCache.set(artifacts, attached);
  return attached;
}
