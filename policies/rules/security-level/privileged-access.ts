import type { Rule } from '../../rule';
import { privilegedAccessManagement } from '../../controls/privileged-access';
import { vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

export const privilegedAccess: Rule = {
  id: 'NDC-LVL-006',
  version: 2,
  title: 'Level 3-5 systems are administered only from jump hosts in the management zone; level 4-5 sessions are recorded and monitored 24/7',
  family: 'security-level',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex, levels 3-4 (management zone; privileged access management, 24/7 monitoring)'),
  explanation:
    "From level 3 every administrative session goes through the system's privileged-access (jump) hosts in the management zone (Teleport); from level 4 each session is recorded synchronously (no recording, no session) onto the hosts' recording volume, and the system is watched by the 24/7 security operations centre. Read from the artifacts: the jump hosts in each cluster, their session-recording mode and volume, and the reachability: no tier accepts SSH from anywhere but the jump hosts.",
  remediation:
    'Synthesize from the constructs (they add the jump hosts and route SSH through them); remove any rule that opens tcp/22 to a tier from elsewhere; keep session recording proxy-sync from level 4. Set controls.monitoring247 for level 4 and up.',
  check: perSystem({
    fromLevel: privilegedAccessManagement.requiredFromLevel,
    belowLevel: 'privileged access management is required from level 3',
    judge(system, _prepared, context) {
      const outcome = privilegedAccessManagement.check(system, context);
      const problems = typeof outcome === 'string' ? [] : [...outcome];
      if (system.level >= 4 && !system.controls.monitoring247) problems.push('controls.monitoring247 is not set');
      return judged(problems, system.level >= 4 ? 'administration only through recorded jump hosts, monitored 24/7' : 'administration only through the jump hosts');
    },
  }),
};
