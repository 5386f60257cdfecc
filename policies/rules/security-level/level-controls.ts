import type { Rule, RuleResult } from '../../rule';
import { CONTROL_DETECTORS, subjectOf } from '../../controls';
import { fail, notApplicable, pass, vn2016 } from '../support';

/**
 * NDC-LVL-009: every control the level requires, one result per system and control, each found by its
 * detector in policies/controls/ in the artifacts or, where no artifact can show it, in dated evidence
 * records (every control of the level table has a detector: test/policies-security-level.test.ts). A
 * control is switched off only by a dated policy exception on its subject (`<system path>/controls/<control>`).
 */
export const levelControls: Rule = {
  id: 'NDC-LVL-009',
  version: 2,
  title: 'Every control required by the security level is in place',
  family: 'security-level',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex (baseline controls by level); TCVN 11930:2017'),
  explanation:
    'Each level adds controls: VPN for administration, IPS and anti-malware from level 1; WAF and core redundancy from level 2; database firewall, DDoS protection, SIEM, central backup and high availability from level 3; PAM and 24/7 monitoring from level 4. The controls on the traffic paths (IPS, WAF, database firewall, jump hosts), logging, anti-malware, central backup and high availability are found in the synthesized artifacts; the administration VPN, DDoS scrubbing, core network redundancy and 24/7 monitoring in dated evidence records.',
  remediation:
    'Synthesize the system with the services its level requires (the constructs build them); if a control really cannot be in place, record a dated policy exception on the subject `<system path>/controls/<control>` and have it approved, or the system cannot be put into operation at this level.',
  check(context) {
    const results: RuleResult[] = [];
    for (const system of context.cloud.systems) {
      for (const detector of CONTROL_DETECTORS) {
        const subject = subjectOf(system, detector);
        if (system.level < detector.requiredFromLevel) {
          results.push(notApplicable(subject, `${detector.name}: required from level ${detector.requiredFromLevel}, the system is level ${system.level}`, system.id));
          continue;
        }
        const outcome = detector.check(system, context);
        if (typeof outcome === 'string') results.push(notApplicable(subject, `${detector.name}: ${outcome}`, system.id));
        else if (outcome.length > 0) results.push(fail(subject, `${detector.name} (${detector.citation}): ${outcome.join('; ')}`, system.id));
        else results.push(pass(subject, `${detector.name} in place`, system.id));
      }
    }
    return results;
  },
};
