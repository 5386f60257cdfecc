import type { Rule } from '../../rule';
import { requirementsFor } from '../../../constructs';
import { profileOf, vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

export const recoverySiteDistance: Rule = {
  id: 'NDC-LVL-007',
  // 2: also counts the links between the primary and the recovery cluster (interconnect.links).
  version: 2,
  title: 'Level 5 systems have a recovery site at least 30 km from the primary (great-circle distance), joined to it by at least two links',
  family: 'security-level',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex, level 5 (redundant site at least 30 km away with redundant links)'),
  explanation: 'A level-5 system must survive the loss of its site: it runs a standby in another regional cluster at least 30 km away, measured as the great-circle distance between the clusters\' coordinates, and joined to the primary by at least the profile\'s number of distinct links (two) so that one cut cable does not isolate it.',
  remediation: 'Set recoveryRegion to a cluster at least 30 km from the primary (the national clusters are 610 km or more apart), and declare the links between the two clusters in interconnect.links (id, between, carrier).',
  check: perSystem({
    fromLevel: 5,
    belowLevel: 'a distant recovery site is required at level 5',
    prepare: (context) => ({ minLinks: profileOf(context).parameters.minRecoveryLinks, links: context.env.interconnect.links }),
    judge(system, { minLinks, links }) {
      const min = requirementsFor(5).recoverySiteMinKm ?? 30;
      if (!system.recovery) return judged(['no recovery cluster'], '');
      const recovery = system.recovery.id;
      const primary = system.primary.id;
      const km = system.primary.distanceKmTo(system.recovery);
      const joining = links.filter((l) => l.between.includes(primary) && l.between.includes(recovery)).map((l) => l.id);
      const problems: string[] = [];
      if (km < min) problems.push(`recovery cluster ${recovery} is ${km.toFixed(1)} km from ${primary}, less than ${min} km`);
      if (joining.length < minLinks) problems.push(`${joining.length} link${joining.length === 1 ? '' : 's'} between ${primary} and ${recovery}${joining.length ? ` (${joining.join(', ')})` : ''}, at least ${minLinks} required`);
      return judged(problems, `recovery cluster ${recovery} is ${Math.round(km)} km from ${primary} (at least ${min} km), joined by ${joining.length} links (${joining.join(', ')})`);
    },
  }),
};
