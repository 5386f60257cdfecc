import type { Rule } from '../../rule';
import { vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

export const privilegedAccess: Rule = {
  id: 'NDC-LVL-006',
  title: 'Level 4-5 systems are administered through privileged access management with 24/7 monitoring',
  family: 'security-level',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex, level 4 (privileged access management, 24/7 monitoring)'),
  explanation: 'From level 4 every administrative session goes through the privileged access management bastion (recorded, approved, time-limited) and the system is watched by the 24/7 security operations centre.',
  remediation: 'Set controls.privilegedAccessManagement and controls.monitoring247 to true; administration is allowed only from the management zone, where the bastion runs.',
  check: perSystem({
    fromLevel: 4,
    belowLevel: 'PAM is required from level 4',
    judge(system) {
      const problems: string[] = [];
      if (!system.controls.privilegedAccessManagement) problems.push('controls.privilegedAccessManagement is not set');
      if (!system.controls.monitoring247) problems.push('controls.monitoring247 is not set');
      return judged(problems, 'administration through PAM, monitored 24/7');
    },
  }),
};
