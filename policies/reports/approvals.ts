import type { GateResult } from '../approvals/gate';
import type { ReportApprovals } from './html';

/** The gate's per-system view as the HTML report's inventory shows it: counted approvals and missing roles. */
export function reportApprovalsOf(gate: GateResult): ReportApprovals {
  const trust = 'error' in gate.trust ? `trust store not in force: ${gate.trust.error}` : `trust store version ${gate.trust.version}`;
  return {
    operation: gate.operation,
    trust,
    systems: gate.perSystem.map((s) => ({ id: s.id, required: s.required, counted: s.counted.map((c) => ({ role: c.role, reviewer: c.reviewer, expires: c.expires })), missing: s.missing })),
  };
}
