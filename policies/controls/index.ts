import { antiMalware } from './anti-malware';
import { adminVpn, coreRedundancy, ddosProtection } from './attested';
import type { ControlDetector } from './control';
import { databaseFirewall } from './database-firewall';
import { intrusionPrevention } from './ips';
import { monitoring247 } from './monitoring';
import { privilegedAccessManagement } from './privileged-access';
import { centralBackup, highAvailability } from './resilience';
import { siem } from './siem';
import { webApplicationFirewall } from './waf';

export type { ControlDetector } from './control';
export { subjectOf } from './control';

/**
 * Every control found in the artifacts (or evidence), in the level table's order; NDC-LVL-009 runs them
 * all. Add a control: one file exporting a ControlDetector, and its entry here.
 */
export const CONTROL_DETECTORS: readonly ControlDetector[] = [
  adminVpn,
  intrusionPrevention,
  antiMalware,
  webApplicationFirewall,
  coreRedundancy,
  databaseFirewall,
  ddosProtection,
  siem,
  centralBackup,
  highAvailability,
  privilegedAccessManagement,
  monitoring247,
];
