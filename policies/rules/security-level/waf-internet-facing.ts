import type { Rule } from '../../rule';
import { webApplicationFirewall } from '../../controls/waf';
import { vn2016 } from '../support';
import { doesNotApply, judged, perSystem } from '../per-system';

export const wafInternetFacing: Rule = {
  id: 'NDC-LVL-004',
  version: 2,
  title: 'Internet-facing systems of level 2 and up are reached from the edge only through a web application firewall',
  family: 'security-level',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex, level 2 network security (WAF)'),
  explanation:
    "From level 2 a system that the internet can reach must have a web application firewall in front of it, so application-layer attacks are filtered before they reach the application. Read from the artifacts: the system's WAF hosts (nginx + ModSecurity + OWASP Core Rule Set, pinned image) in the DMZ of each cluster the internet reaches it in, and the reachability computed from the security groups and NetworkPolicies: past the edge (the internet and the IPS hosts), no tier but the WAF is reached.",
  remediation:
    'Synthesize from the constructs (they put the WAF tier between the IPS and the tiers an internet flow reaches); remove any rule that admits the internet or the IPS hosts to another tier. A WAF switched off needs a dated policy exception.',
  check: perSystem({
    fromLevel: webApplicationFirewall.requiredFromLevel,
    belowLevel: 'a WAF is required from level 2',
    judge(system, _prepared, context) {
      const outcome = webApplicationFirewall.check(system, context);
      return typeof outcome === 'string' ? doesNotApply(outcome) : judged(outcome, 'internet traffic reaches the system only through its WAF hosts');
    },
  }),
};
