import type { Rule } from '../../rule';
import { monitoringContractOf, monitoringProblems } from '../../controls/monitoring';
import { privilegedAccessManagement } from '../../controls/privileged-access';
import { vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

export const privilegedAccess: Rule = {
  id: 'NDC-LVL-006',
  version: 3,
  title: 'Level 3-5 systems are administered only from jump hosts in the management zone; level 4-5 sessions are recorded and monitored 24/7',
  family: 'security-level',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex, levels 3-4 (management zone; privileged access management, 24/7 monitoring)'),
  explanation:
    "From level 3 every administrative session goes through the system's privileged-access (jump) hosts in the management zone (Teleport); from level 4 each session is recorded synchronously (no recording, no session) onto the hosts' recording volume, and the system is watched by the 24/7 security operations centre, shown by a dated, unexpired monitoring-contract evidence record (no artifact can show a contract). Read from the artifacts: the jump hosts in each cluster, their session-recording mode and volume, and the reachability: no tier accepts SSH from anywhere but the jump hosts.",
  remediation:
    'Synthesize from the constructs (they add the jump hosts and route SSH through them); remove any rule that opens tcp/22 to a tier from elsewhere; keep session recording proxy-sync from level 4. From level 4 keep a current 24/7 monitoring contract on record: a `monitoring-contract` evidence record (evidence/<env>/) for the system or for national-cloud-platform, with the sha256 of its document and validUntil.',
  check: perSystem({
    fromLevel: privilegedAccessManagement.requiredFromLevel,
    belowLevel: 'privileged access management is required from level 3',
    judge(system, _prepared, context) {
      const outcome = privilegedAccessManagement.check(system, context);
      const problems = typeof outcome === 'string' ? [] : [...outcome];
      // 24/7 monitoring is a contract, not an artifact: a dated, unexpired monitoring-contract evidence record.
      if (system.level >= 4) problems.push(...monitoringProblems(context, system));
      const contract = system.level >= 4 ? monitoringContractOf(context, system) : undefined;
      return judged(problems, contract ? `administration only through recorded jump hosts, monitored 24/7 (${contract.source}, by ${contract.by}, valid until ${contract.validUntil})` : 'administration only through the jump hosts');
    },
  }),
};
