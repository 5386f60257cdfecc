import { DECREE_85_APPROVERS, type ApproverRole, type Zone } from '../environments/vocabulary';

/**
 * Security levels of information systems (Decree 85/2016/ND-CP, Circular 12/2022/TT-BTTTT,
 * TCVN 11930:2017): what each level requires. Constructs use it for their secure defaults; the
 * policy packs check the same facts.
 */
export type SecurityLevel = 1 | 2 | 3 | 4 | 5;

export type Control =
  | 'adminVpn'
  | 'ips'
  | 'antiMalware'
  | 'waf'
  | 'coreRedundancy'
  | 'databaseFirewall'
  | 'ddosProtection'
  | 'siem'
  | 'centralBackup'
  | 'highAvailability'
  | 'privilegedAccessManagement'
  | 'monitoring247';

export interface LevelRequirements {
  readonly level: SecurityLevel;
  /** Who approves the level dossier by default (the Decree 85 table; an environment's `approvals` may differ). */
  readonly approvers: readonly ApproverRole[];
  readonly zones: readonly Zone[];
  readonly controls: readonly Control[];
  /** Isolation from other tenants in a shared cloud. */
  readonly isolation: 'shared' | 'logical' | 'physical';
  /** Months between periodic security assessments. */
  readonly assessmentMonths: number;
  readonly independentAssessor: boolean;
  /** Minimum central log retention in months (2026 profile, reported). */
  readonly logRetentionMonths: number;
  /** Months between restore tests, where the level sets one. */
  readonly restoreTestMonths?: number;
  /** Minimum distance of the redundant site in km, where one is required. */
  readonly recoverySiteMinKm?: number;
}

const L1_ZONES: readonly Zone[] = ['internal-server', 'edge', 'dmz'];
const L2_ZONES: readonly Zone[] = [...L1_ZONES];
const L3_ZONES: readonly Zone[] = [...L2_ZONES, 'database', 'management'];
const L4_ZONES: readonly Zone[] = [...L3_ZONES, 'device-management'];

const L1_CONTROLS: readonly Control[] = ['adminVpn', 'ips', 'antiMalware'];
const L2_CONTROLS: readonly Control[] = [...L1_CONTROLS, 'waf', 'coreRedundancy'];
const L3_CONTROLS: readonly Control[] = [...L2_CONTROLS, 'databaseFirewall', 'ddosProtection', 'siem', 'centralBackup', 'highAvailability'];
const L4_CONTROLS: readonly Control[] = [...L3_CONTROLS, 'privilegedAccessManagement', 'monitoring247'];

export const LEVEL_REQUIREMENTS: Readonly<Record<SecurityLevel, LevelRequirements>> = {
  1: { level: 1, approvers: DECREE_85_APPROVERS[1], zones: L1_ZONES, controls: L1_CONTROLS, isolation: 'shared', assessmentMonths: 24, independentAssessor: false, logRetentionMonths: 0 },
  2: { level: 2, approvers: DECREE_85_APPROVERS[2], zones: L2_ZONES, controls: L2_CONTROLS, isolation: 'shared', assessmentMonths: 24, independentAssessor: false, logRetentionMonths: 1 },
  3: { level: 3, approvers: DECREE_85_APPROVERS[3], zones: L3_ZONES, controls: L3_CONTROLS, isolation: 'logical', assessmentMonths: 12, independentAssessor: true, logRetentionMonths: 3 },
  4: { level: 4, approvers: DECREE_85_APPROVERS[4], zones: L4_ZONES, controls: L4_CONTROLS, isolation: 'physical', assessmentMonths: 12, independentAssessor: true, logRetentionMonths: 6, restoreTestMonths: 6 },
  5: { level: 5, approvers: DECREE_85_APPROVERS[5], zones: L4_ZONES, controls: L4_CONTROLS, isolation: 'physical', assessmentMonths: 6, independentAssessor: true, logRetentionMonths: 12, restoreTestMonths: 3, recoverySiteMinKm: 30 },
};

export function isSecurityLevel(value: number): value is SecurityLevel {
  return Number.isInteger(value) && value >= 1 && value <= 5;
}

export function requirementsFor(level: SecurityLevel): LevelRequirements {
  return LEVEL_REQUIREMENTS[level];
}
