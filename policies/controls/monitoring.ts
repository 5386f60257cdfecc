import { PLATFORM_SYSTEM, type LoadedEvidenceRecord } from '../../environments/evidence';
import type { InformationSystem } from '../../constructs';
import { evidenceRecordsOf } from '../evidence-index';
import type { RuleContext } from '../rule';
import { isoDay } from '../rules/support';
import { attestedControlProblems } from './attested';
import type { ControlDetector } from './control';

/** The evidence kind of a signed 24/7 security monitoring contract. */
export const MONITORING_CONTRACT = 'monitoring-contract';

/**
 * 24/7 monitoring cannot be read from an artifact: it is a contract with a security operations centre.
 * The evidence is a `monitoring-contract` record (evidence/<env>/*.json) for the system, or for the
 * national cloud platform (whose SOC watches every system it hosts), performed by the day checked, with a
 * passing result and still valid. The problems name what is missing, failed or expired.
 */
export function monitoringProblems(context: RuleContext, system: InformationSystem): string[] {
  return attestedControlProblems(context, system, MONITORING_CONTRACT, 'the 24/7 monitoring contract');
}

/** The valid monitoring contract covering a system, for the pass message. */
export function monitoringContractOf(context: RuleContext, system: InformationSystem): LoadedEvidenceRecord | undefined {
  const today = isoDay(context.asOf);
  return evidenceRecordsOf(context.evidence, MONITORING_CONTRACT, [system.id, PLATFORM_SYSTEM])
    .filter((r) => r.performed <= today && r.validUntil >= today && r.result === 'pass')
    .sort((a, b) => (a.system === system.id ? -1 : 0) - (b.system === system.id ? -1 : 0) || (a.validUntil < b.validUntil ? 1 : -1))[0];
}

export const monitoring247: ControlDetector = {
  id: 'monitoring247',
  name: '24/7 security monitoring (evidence: a signed monitoring contract)',
  requiredFromLevel: 4,
  citation: 'Circular 12/2022/TT-BTTTT, Annex, level 4 (24/7 monitoring)',
  check: (system, context) => monitoringProblems(context, system),
};
