import type { Rule } from '../../rule';
import { requirementsFor } from '../../../constructs';
import { tagsOf, terraformIndex } from '../../artifacts/terraform';
import { vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

/** The zones each level requires exist, for the system, in every cluster it runs in, and are rendered. */
export const zonesRequired: Rule = {
  id: 'NDC-LVL-001',
  title: 'Every network zone the security level requires is deployed in each cluster the system runs in',
  family: 'security-level',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex (network zoning by level); TCVN 11930:2017 section 6'),
  explanation: `${zonesByLevel()}. Without the zone the tiers that belong there share a segment with others and the controls between zones cannot be applied.`,
  remediation: 'Add the missing segment to the cluster address plan (regions[].addressPlan.segments), or for levels 4-5 give the system a dedicated network large enough for one /24 per zone, then synthesize again.',
  check: perSystem({
    prepare: ({ artifacts }) =>
      new Set(
        terraformIndex(artifacts).networks.map((n) => {
          const t = tagsOf(n);
          return `${t.cluster}|${t.zone}|${t.system ?? ''}`;
        }),
      ),
    judge(system, rendered) {
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
      return judged(problems, `level ${system.level} zones (${required.join(', ')}) present in ${system.clusters.map((c) => c.id).join(', ')}`);
    },
  }),
};

/** The zones each level adds, read from the level table the check uses: `Levels 1-2 need a, b; level 3 adds c`. */
export function zonesByLevel(): string {
  const levels = ([1, 2, 3, 4, 5] as const).map(requirementsFor);
  const groups: { first: number; last: number; zones: readonly string[] }[] = [];
  for (const { level, zones } of levels) {
    const previous = groups[groups.length - 1];
    if (previous && previous.zones.join() === zones.join()) previous.last = level;
    else groups.push({ first: level, last: level, zones });
  }
  const list = (zones: readonly string[]) => (zones.length === 1 ? `a ${zones[0]} zone` : `${zones.slice(0, -1).join(', ')} and ${zones[zones.length - 1]} zones`);
  return groups
    .map(({ first, last, zones }, i) => {
      const which = first === last ? `level ${first}` : `levels ${first}-${last}`;
      if (i === 0) return `${which[0].toUpperCase()}${which.slice(1)} need${first === last ? 's' : ''} ${list(zones)}`;
      const added = zones.filter((z) => !groups[i - 1].zones.includes(z));
      return `${which} add${first === last ? 's' : ''} ${list(added)}`;
    })
    .join('; ');
}
