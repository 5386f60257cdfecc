import { PLATFORM_SYSTEM, type LoadedEvidenceRecord } from '../../environments/evidence';
import type { InformationSystem } from '../../constructs';
import type { RuleContext } from '../rule';
import { isoDay } from '../rules/support';
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
  const today = isoDay(context.asOf);
  const candidates = context.evidence.filter((r) => r.kind === MONITORING_CONTRACT && (r.system === system.id || r.system === PLATFORM_SYSTEM) && r.performed <= today);
  if (candidates.length === 0) {
    return [`no ${MONITORING_CONTRACT} evidence for ${system.id} or ${PLATFORM_SYSTEM} in evidence/${context.env.name}/ (the signed 24/7 monitoring contract: kind, system, performed, by, result, document sha256, validUntil)`];
  }
  const current = candidates.filter((r) => r.validUntil >= today && r.result === 'pass');
  if (current.length > 0) return [];
  const latest = candidates.reduce((a: LoadedEvidenceRecord, b) => (b.validUntil > a.validUntil || (b.validUntil === a.validUntil && b.source > a.source) ? b : a));
  if (latest.result !== 'pass') return [`the 24/7 monitoring contract ${latest.source} (by ${latest.by}) records result ${latest.result}`];
  return [`the 24/7 monitoring contract ${latest.source} (by ${latest.by}) expired on ${latest.validUntil}`];
}

/** The valid monitoring contract covering a system, for the pass message. */
export function monitoringContractOf(context: RuleContext, system: InformationSystem): LoadedEvidenceRecord | undefined {
  const today = isoDay(context.asOf);
  return context.evidence
    .filter((r) => r.kind === MONITORING_CONTRACT && (r.system === system.id || r.system === PLATFORM_SYSTEM) && r.performed <= today && r.validUntil >= today && r.result === 'pass')
    .sort((a, b) => (a.system === system.id ? -1 : 0) - (b.system === system.id ? -1 : 0) || (a.validUntil < b.validUntil ? 1 : -1))[0];
}

export const monitoring247: ControlDetector = {
  id: 'monitoring247',
  name: '24/7 security monitoring (evidence: a signed monitoring contract)',
  requiredFromLevel: 4,
  citation: 'Circular 12/2022/TT-BTTTT, Annex, level 4 (24/7 monitoring)',
  check: (system, context) => monitoringProblems(context, system),
};
