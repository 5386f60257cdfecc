import type { InformationSystem, SecurityLevel } from '../../constructs';
import type { RuleContext } from '../rule';

/**
 * A security control the level table requires (Circular 12/2022/TT-BTTTT, Annex), found in what will be
 * deployed: each detector reads the synthesized artifacts (or the dated evidence records where no
 * artifact can show the control) and names the missing piece. NDC-LVL-009 runs every detector listed in
 * index.ts; the rules of one control (NDC-LVL-004 WAF, NDC-LVL-006 privileged access, ...) run their own.
 * A control is switched off only by a recorded, dated policy exception on its subject (`subjectOf`).
 */
export interface ControlDetector {
  /** Stable id (the level table's name: `waf`, `ips`, `databaseFirewall`, ...). */
  readonly id: string;
  /** What a reviewer reads: `web application firewall (ModSecurity + OWASP CRS)`. */
  readonly name: string;
  /** The lowest security level that requires it. */
  readonly requiredFromLevel: SecurityLevel;
  /** The regulation text it implements. */
  readonly citation: string;
  /**
   * The problems of one system (its level is at least requiredFromLevel): each names the missing piece.
   * Empty: the control is in place. A string instead of an array: the control does not apply to this
   * system, and why (a WAF for a system the internet does not reach).
   */
  check(system: InformationSystem, context: RuleContext): readonly string[] | string;
}

/** The subject of one control's result for one system: what a policy exception names to switch it off. */
export const subjectOf = (system: InformationSystem, control: ControlDetector): string => `${system.node.path}/controls/${control.id}`;
