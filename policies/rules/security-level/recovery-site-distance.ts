import type { Rule } from '../../rule';
import { requirementsFor } from '../../../constructs';
import { vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

export const recoverySiteDistance: Rule = {
  id: 'NDC-LVL-007',
  title: 'Level 5 systems have a recovery site at least 30 km from the primary (great-circle distance)',
  family: 'security-level',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex, level 5 (redundant site at least 30 km away with redundant links)'),
  explanation: 'A level-5 system must survive the loss of its site: it runs a standby in another regional cluster at least 30 km away, measured as the great-circle distance between the clusters\' coordinates.',
  remediation: 'Set recoveryRegion to a cluster at least 30 km from the primary (the national clusters are 610 km or more apart).',
  check: perSystem({
    fromLevel: 5,
    belowLevel: 'a distant recovery site is required at level 5',
    judge(system) {
      const min = requirementsFor(5).recoverySiteMinKm ?? 30;
      if (!system.recovery) return judged(['no recovery cluster'], '');
      const km = system.primary.distanceKmTo(system.recovery);
      return judged(km < min ? [`recovery cluster ${system.recovery.id} is ${km.toFixed(1)} km from ${system.primary.id}, less than ${min} km`] : [], `recovery cluster ${system.recovery.id} is ${Math.round(km)} km from ${system.primary.id} (at least ${min} km)`);
    },
  }),
};
