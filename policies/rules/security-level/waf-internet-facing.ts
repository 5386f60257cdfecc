import type { Rule } from '../../rule';
import { vn2016 } from '../support';
import { doesNotApply, judged, perSystem } from '../per-system';

export const wafInternetFacing: Rule = {
  id: 'NDC-LVL-004',
  title: 'Internet-facing systems of level 2 and up are behind a web application firewall',
  family: 'security-level',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex, level 2 network security (WAF)'),
  explanation: 'From level 2 a system that the internet can reach must have a web application firewall in front of it, so application-layer attacks are filtered before they reach the DMZ.',
  remediation: 'Set controls.waf to true for the system and put the public endpoint behind the cluster WAF.',
  check: perSystem({
    judge(system) {
      const exposed = system.internetFacing || system.flows.some((f) => f.from === 'internet');
      if (system.level < 2 || !exposed) return doesNotApply(system.level < 2 ? 'level 1' : 'not reachable from the internet');
      return judged(system.controls.waf ? [] : ['internet-facing but controls.waf is not set'], 'internet-facing behind a WAF');
    },
  }),
};
