import { PLATFORM_SYSTEM, type EvidenceKind, type LoadedEvidenceRecord } from '../../environments/evidence';
import type { InformationSystem } from '../../constructs';
import { evidenceRecordsOf } from '../evidence-index';
import type { RuleContext } from '../rule';
import { isoDay } from '../rules/support';
import type { ControlDetector } from './control';

/**
 * Controls that no synthesized artifact can show, judged on dated evidence records instead: one of the
 * given kind for the system, or for the national cloud platform when the platform provides the control to
 * every system it hosts; performed by the day checked, with a passing result and still valid. No record,
 * a failed one or an expired one fails, naming the file.
 */
export function attestedControlProblems(context: RuleContext, system: InformationSystem, kind: EvidenceKind, what: string): string[] {
  const today = isoDay(context.asOf);
  const candidates = evidenceRecordsOf(context.evidence, kind, [system.id, PLATFORM_SYSTEM]).filter((r) => r.performed <= today);
  if (candidates.length === 0) {
    return [`no ${kind} evidence for ${system.id} or ${PLATFORM_SYSTEM} in evidence/${context.env.name}/ (${what}: kind, system, performed, by, result, document sha256, validUntil)`];
  }
  if (candidates.some((r) => r.validUntil >= today && r.result === 'pass')) return [];
  const latest = candidates.reduce((a: LoadedEvidenceRecord, b) => (b.validUntil > a.validUntil || (b.validUntil === a.validUntil && b.source > a.source) ? b : a));
  if (latest.result !== 'pass') return [`${what} ${latest.source} (by ${latest.by}) records result ${latest.result}`];
  return [`${what} ${latest.source} (by ${latest.by}) expired on ${latest.validUntil}`];
}

const attested = (id: string, name: string, requiredFromLevel: 1 | 2 | 3, citation: string, kind: EvidenceKind, what: string): ControlDetector => ({
  id,
  name: `${name} (evidence: ${kind})`,
  requiredFromLevel,
  citation,
  check: (system, context) => attestedControlProblems(context, system, kind, what),
});

/** The VPN administrators connect through before they reach the jump hosts (the operator's remote-access service). */
export const adminVpn = attested('adminVpn', 'VPN for administration', 1, 'Circular 12/2022/TT-BTTTT, Annex, level 1 (remote administration over VPN)', 'admin-vpn', 'the administration VPN attestation');

/** Volumetric DDoS protection happens upstream of the clusters (the carriers' scrubbing service), not in what ndc deploys. */
export const ddosProtection = attested('ddosProtection', 'DDoS protection', 3, 'Circular 12/2022/TT-BTTTT, Annex, level 3 (DDoS protection)', 'ddos-protection', 'the DDoS scrubbing contract');

/** Redundant core switching and links inside each data centre: physical, attested by the operator. */
export const coreRedundancy = attested('coreRedundancy', 'redundant core network', 2, 'Circular 12/2022/TT-BTTTT, Annex, level 2 (core network redundancy)', 'core-redundancy', 'the core network redundancy attestation');
