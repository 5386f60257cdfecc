import type { Rule } from '../../rule';
import { terraformIndex } from '../../artifacts/terraform';
import { vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

/** Levels 4-5 in a shared cloud: physically separate hosts, storage and core network. */
export const dedicatedInfrastructure: Rule = {
  id: 'NDC-LVL-003',
  title: 'Level 4-5 systems run on dedicated hosts, dedicated storage and their own core network',
  family: 'security-level',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex, level 4 requirements for systems in a shared cloud (physical separation)'),
  explanation:
    'A level 4 or 5 system in the shared national cloud must not share hypervisors, storage backends or the core network with other tenants. The model gives it a dedicated network (its own router on the backbone), a dedicated volume type and flavors bound to its own host aggregate.',
  remediation: 'Set dedicatedHosts to true (the default for levels 4-5) and give the system dedicatedNetworks for each cluster it runs in; do not override its storage.',
  check: perSystem({
    fromLevel: 4,
    belowLevel: 'physical separation is required from level 4',
    prepare: ({ artifacts }) => terraformIndex(artifacts),
    judge(system, index) {
      const problems: string[] = [];
      for (const placement of system.placements) {
        const at = placement.cluster.id;
        if (!placement.ownsSegments) problems.push(`${at}: no dedicated core network`);
        if (placement.storage.dedicatedTo !== system.id) problems.push(`${at}: storage pool ${placement.storage.volumeType} is shared`);
        for (const pool of placement.computePools) if (!pool.dedicatedHosts) problems.push(`${at}: tier ${pool.tier} is not on dedicated hosts`);
      }
      const instances = index.instancesBySystem.get(system.id) ?? [];
      for (const instance of instances) {
        const aggregate = (instance.config.metadata as Record<string, string>)['ndc:host-aggregate'];
        if (!aggregate || !String(instance.config.flavor_name ?? '').endsWith(aggregate)) problems.push(`instance ${instance.name} is not bound to a dedicated host aggregate`);
      }
      for (const volume of index.volumesBySystem.get(system.id) ?? []) {
        if (volume.config.volume_type !== `dedicated-${system.id}`) problems.push(`volume ${volume.name} uses volume type ${String(volume.config.volume_type)}, not dedicated-${system.id}`);
      }
      if (instances.length === 0) problems.push('no instances of the system in the Terraform artifacts');
      return judged(problems.slice(0, 5).concat(problems.length > 5 ? [`and ${problems.length - 5} more`] : []), `dedicated hosts, storage and core network in ${system.clusters.map((c) => c.id).join(', ')} (${instances.length} instances)`);
    },
  }),
};
