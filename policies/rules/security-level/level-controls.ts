import type { Rule } from '../../rule';
import { requirementsFor } from '../../../constructs';
import { vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

export const levelControls: Rule = {
  id: 'NDC-LVL-009',
  title: 'Every control the security level requires is in place',
  family: 'security-level',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex (baseline controls by level); TCVN 11930:2017'),
  explanation: 'Each level adds controls: VPN for administration, IPS and anti-malware from level 1; WAF and core redundancy from level 2; database firewall, DDoS protection, SIEM, central backup and high availability from level 3; PAM and 24/7 monitoring from level 4.',
  remediation: 'Do not switch off a control the level requires (controls.<name>: false); if the control is really missing, the system cannot be put into operation at this level.',
  check: perSystem({
    judge(system) {
      const required = requirementsFor(system.level).controls;
      const off = required.filter((c) => !system.controls[c]);
      return judged(off.length ? [`level ${system.level} controls not in place: ${off.join(', ')}`] : [], `all ${required.length} level-${system.level} controls in place`);
    },
  }),
};
