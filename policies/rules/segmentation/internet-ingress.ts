import type { Rule, RuleResult } from '../../rule';
import { addressOf, resolve, tagsOf, terraformIndex } from '../../artifacts/terraform';
import { fail, vn2016 } from '../support';
import { judged, systemResults } from '../per-system';

const PUBLIC_PORTS = [80, 443];
const OPEN = new Set(['0.0.0.0/0', '::/0']);

export const internetIngress: Rule = {
  id: 'NDC-SEG-002',
  title: 'No ingress from the internet (0.0.0.0/0) except to the edge or DMZ on ports 80 and 443',
  family: 'segmentation',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex (edge and DMZ zones); TCVN 11930:2017 section 6'),
  explanation: 'Only the edge and the DMZ face the internet, and only for HTTP(S). Any other zone or port open to 0.0.0.0/0 bypasses the DMZ and the WAF.',
  remediation: 'Remove the flow from the internet, or point it at a dmz or edge tier on tcp 443 (or 80 for redirects) and reach inner zones from there.',
  check(context) {
    const { cloud, artifacts } = context;
    const bad = new Map<string, string[]>();
    const note = (system: string, problem: string) => (bad.get(system) ?? bad.set(system, []).get(system)!).push(problem);
    for (const system of cloud.systems) {
      for (const flow of system.declaredFlows) {
        if (flow.from !== 'internet') continue;
        const zoneOk = flow.to === 'dmz' || flow.to === 'edge';
        const portOk = flow.port.protocol === 'tcp' && flow.port.from === flow.port.to && PUBLIC_PORTS.includes(flow.port.from!);
        if (!zoneOk || !portOk) note(system.id, `flow from the internet to ${flow.to} on ${flow.port}`);
      }
    }
    const results: RuleResult[] = [];
    const systems = new Map(cloud.systems.map((s) => [s.id, s]));
    for (const rule of terraformIndex(artifacts).securityGroupRules) {
      if (rule.config.direction !== 'ingress' || !OPEN.has(String(rule.config.remote_ip_prefix))) continue;
      const group = resolve(artifacts, rule, rule.config.security_group_id);
      const tags = group ? tagsOf(group) : {};
      const system = tags.system ? systems.get(tags.system) : undefined;
      const zone = system?.tiers.find((t) => t.name === tags.tier)?.zone;
      const portOk = rule.config.protocol === 'tcp' && rule.config.port_range_min === rule.config.port_range_max && PUBLIC_PORTS.includes(Number(rule.config.port_range_min));
      const where = `${addressOf(rule)} opens ${String(rule.config.protocol ?? 'any')}/${String(rule.config.port_range_min ?? '*')}-${String(rule.config.port_range_max ?? '*')} to ${String(rule.config.remote_ip_prefix)}`;
      if (!system) results.push(fail(addressOf(rule), `${where} on a group that belongs to no system`));
      else if (!(zone === 'dmz' || zone === 'edge') || !portOk) note(system.id, `${where} (tier ${tags.tier} in ${zone ?? 'no zone'})`);
    }
    const bySystem = systemResults(context, { judge: (s) => judged(bad.get(s.id) ?? [], s.declaredFlows.some((f) => f.from === 'internet') ? 'internet reaches only the DMZ/edge on 80/443' : 'nothing open to the internet') });
    return [...bySystem, ...results];
  },
};
