import type { Rule } from '../../rule';
import { vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

export const recoveryCluster: Rule = {
  id: 'NDC-TOP-003',
  title: 'Every system of level 4 and up has a recovery cluster',
  family: 'topology',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex, levels 4-5 (redundancy); Decision 2629/QD-TTg'),
  explanation: 'A level 4 or 5 system keeps a warm standby in another regional cluster so that it survives the loss of its primary cluster.',
  remediation: 'Set recoveryRegion to another cluster (the default picks the farthest one when the cloud has several).',
  check: perSystem({
    fromLevel: 4,
    judge: (system) => judged(system.recovery ? [] : [`no recovery cluster (primary ${system.primary.id})`], `recovery in ${system.recovery?.id}`),
  }),
};
