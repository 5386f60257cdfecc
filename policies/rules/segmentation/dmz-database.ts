import type { Rule } from '../../rule';
import { vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

export const dmzNotToDatabase: Rule = {
  id: 'NDC-SEG-003',
  title: 'The DMZ never reaches the database zone directly',
  family: 'segmentation',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex, level 3 (database zone behind the internal-server zone)'),
  explanation: 'A compromised web or gateway host in the DMZ must not be one hop from the data. Database traffic comes only from the internal-server (application) zone, through the database firewall.',
  remediation: 'Replace the dmz -> database flow with dmz -> internal-server and internal-server -> database.',
  check: perSystem({
    judge(system) {
      const direct = system.declaredFlows.filter((f) => f.from === 'dmz' && f.to === 'database');
      return judged(direct.map((f) => `flow dmz -> database on ${f.port}`), 'no flow from the DMZ to the database zone');
    },
  }),
};
