import type { Rule } from '../../rule';
import { requirementsFor } from '../../../constructs';
import { tagsOf, terraformIndex } from '../../terraform';
import { VN_2016, verdict } from '../support';

/** The zones each level requires exist, for the system, in every cluster it runs in, and are rendered. */
export const zonesRequired: Rule = {
  id: 'NDC-LVL-001',
  title: 'Every network zone the security level requires is deployed in each cluster the system runs in',
  family: 'security-level',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: { profile: VN_2016, reference: 'Circular 12/2022/TT-BTTTT, Annex (network zoning by level); TCVN 11930:2017 section 6' },
  explanation:
    'Level 1 needs internal, edge and DMZ zones; level 2 adds an internal-server zone; level 3 adds database and management zones; levels 4-5 add a device-management zone. Without the zone the tiers that belong there share a segment with others and the controls between zones cannot be applied.',
  remediation: 'Add the missing segment to the cluster address plan (regions[].addressPlan.segments), or for levels 4-5 give the system a dedicated network large enough for one /24 per zone, then synthesize again.',
  check({ cloud, artifacts }) {
    const index = terraformIndex(artifacts);
    const rendered = new Set(
      index.networks.map((n) => {
        const t = tagsOf(n);
        return `${t.cluster}|${t.zone}|${t.system ?? ''}`;
      }),
    );
    return cloud.systems.map((system) => {
      const problems: string[] = [];
      const required = requirementsFor(system.level).zones;
      for (const placement of system.placements) {
        const have = new Set(placement.segments.map((s) => s.zone));
        const missing = required.filter((z) => !have.has(z));
        if (missing.length > 0) problems.push(`${placement.cluster.id}: no ${missing.join(', ')} zone`);
        const owner = placement.ownsSegments ? system.id : '';
        const unrendered = required.filter((z) => have.has(z) && !rendered.has(`${placement.cluster.id}|${z}|${owner}`));
        if (unrendered.length > 0) problems.push(`${placement.cluster.id}: ${unrendered.join(', ')} zone not in the Terraform artifacts`);
      }
      return verdict(system, problems, `level ${system.level} zones (${required.join(', ')}) present in ${system.clusters.map((c) => c.id).join(', ')}`);
    });
  },
};
