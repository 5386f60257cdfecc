import { Port, type Flow, type InformationSystem, type SystemPlacement } from '../../../constructs';
import type { Rule, RuleContext, RuleResult } from '../../rule';
import { collectorEgress } from '../../../stacks/terraform/security-agents';
import { addressOf, resolve, tagsOf, terraformIndex, type TerraformResource } from '../../artifacts/terraform';
import { fail, pass, vn2016 } from '../support';
import { judged, systemResults } from '../per-system';

interface Opening {
  readonly protocol: string;
  readonly from?: number;
  readonly to?: number;
}

function openingOf(rule: TerraformResource): Opening {
  const protocol = rule.config.protocol === undefined ? 'any' : String(rule.config.protocol);
  const min = rule.config.port_range_min === undefined ? undefined : Number(rule.config.port_range_min);
  const max = rule.config.port_range_max === undefined ? undefined : Number(rule.config.port_range_max);
  return { protocol, from: min, to: max };
}

/** The opening as a Port, or undefined when it is more than a Port can say (any protocol, no or an invalid range): no flow covers that. */
function portOf(opening: Opening): Port | undefined {
  if (opening.protocol === 'icmp') return Port.icmp();
  if ((opening.protocol !== 'tcp' && opening.protocol !== 'udp') || opening.from === undefined || opening.to === undefined) return undefined;
  try {
    return opening.protocol === 'tcp' ? Port.tcpRange(opening.from, opening.to) : Port.udpRange(opening.from, opening.to);
  } catch (error) {
    if (error instanceof RangeError) return undefined;
    throw error;
  }
}

/** True when the flow's port covers everything the rule opens (a rule without protocol or ports opens all). */
function covered(opening: Port | undefined, flow: Flow): boolean {
  return opening !== undefined && opening.within(flow.port);
}

const show = (o: Opening) => (o.protocol === 'icmp' || o.protocol === 'any' ? o.protocol : `${o.protocol}/${o.from ?? '*'}${o.to !== o.from ? `-${o.to ?? '*'}` : ''}`);

/**
 * The artifact-level segmentation rule: every security-group rule in the Terraform artifacts must be
 * explained by a Flow of the model (same zones or external peer, a port range inside the flow's). A rule
 * added or widened by hand, or by a bug in a stack, is caught here even when the model is compliant.
 */
export const securityGroupsMatchFlows: Rule = {
  id: 'NDC-SEG-007',
  title: 'Security-group rules in the Terraform artifacts open nothing beyond the Flows of the model',
  family: 'segmentation',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('TCVN 11930:2017 section 6 (network access control); Circular 12/2022/TT-BTTTT, Annex (zoning)'),
  explanation:
    'What reviewers approve is the model: zones and the flows between them. The deployed security groups must open exactly those flows and nothing else. Each ingress or egress rule is traced to its group (system and tier), its peer (another tier, a zone\'s CIDR, the government network or the internet) and its ports, and must match a Flow. Shared-service groups (bastion/PAM, SIEM) may only admit the clusters\' management zones; a cluster\'s log collectors and patch mirror admit, on their one port, exactly the segments whose systems declare a flow to them, and the collectors send only to the vaults holding log buckets and to the SIEM.',
  remediation: 'Declare the traffic as a flow of the system in the environment file and synthesize again; never edit security-group rules in out/ by hand.',
  check(context) {
    const { cloud, artifacts } = context;
    const index = terraformIndex(artifacts);
    const systems = new Map(cloud.systems.map((s) => [s.id, s]));
    const placements = new Map<string, SystemPlacement>();
    for (const s of cloud.systems) for (const p of s.placements) placements.set(`${s.id}|${p.cluster.id}`, p);
    const managementCidrs = new Set(cloud.clusters.filter((c) => c.hasSegment('management')).map((c) => c.segment('management').cidr.text));
    const collectionAllows = collectionAllowance(cloud);
    const problems = new Map<string, string[]>();
    const counted = new Map<string, number>();
    const note = (system: string, problem: string) => (problems.get(system) ?? problems.set(system, []).get(system)!).push(problem);
    const results: RuleResult[] = [];
    const flowsOf = new Map<SystemPlacement, Flow[]>();
    const platform: string[] = [];
    let platformRules = 0;

    for (const rule of index.securityGroupRules) {
      const group = resolve(artifacts, rule, rule.config.security_group_id);
      const opening = openingOf(rule);
      const port = portOf(opening);
      if (!group) {
        results.push(fail(addressOf(rule), `rule on ${String(rule.config.security_group_id)}, a security group ndc did not declare`));
        continue;
      }
      const tags = tagsOf(group);
      if (tags.service !== undefined && tags.system === undefined) {
        platformRules++;
        const singlePort = opening.protocol === 'tcp' && opening.from !== undefined && opening.from === opening.to;
        const ok =
          (rule.config.direction === 'ingress' && managementCidrs.has(String(rule.config.remote_ip_prefix)) && singlePort) ||
          (singlePort && collectionAllows(tags.cluster, tags.service, String(rule.config.direction), String(rule.config.remote_ip_prefix), opening.from!));
        if (!ok) platform.push(`${addressOf(rule)} opens ${show(opening)} ${rule.config.direction === 'egress' ? 'to' : 'from'} ${String(rule.config.remote_ip_prefix ?? rule.config.remote_group_id ?? 'anywhere')} on shared service ${tags.service}`);
        continue;
      }
      const system: InformationSystem | undefined = systems.get(tags.system ?? '');
      const placement = placements.get(`${tags.system}|${tags.cluster}`);
      const zone = system?.tiers.find((t) => t.name === tags.tier)?.zone;
      if (!system || !placement || !zone) {
        results.push(fail(addressOf(rule), `rule on ${addressOf(group)}, which no system tier of the model owns (system ${tags.system ?? '-'}, tier ${tags.tier ?? '-'}, cluster ${tags.cluster ?? '-'})`));
        continue;
      }
      counted.set(system.id, (counted.get(system.id) ?? 0) + 1);
      const peer = peerOf(rule, placement, cloud.govNetwork.text, artifacts);
      const direction = rule.config.direction;
      const flows = flowsOf.get(placement) ?? flowsOf.set(placement, placement.flows).get(placement)!;
      const match = flows.some((flow) =>
        direction === 'ingress'
          ? flow.to.zone === zone && flow.fromZone === peer && covered(port, flow)
          : direction === 'egress' && flow.fromZone === zone && flow.to.zone === peer && covered(port, flow),
      );
      if (!match) {
        note(system.id, `${addressOf(rule)}: ${direction} ${show(opening)} ${direction === 'egress' ? 'to' : 'from'} ${peer ?? String(rule.config.remote_ip_prefix ?? 'anywhere')} on tier ${tags.tier} (${zone}) in ${placement.cluster.id} matches no flow`);
      }
    }
    const bySystem = systemResults(context, {
      judge(system) {
        const found = problems.get(system.id) ?? [];
        return judged(found.length > 4 ? [...found.slice(0, 4), `and ${found.length - 4} more`] : found, `${counted.get(system.id) ?? 0} security-group rules, each matching a flow`);
      },
    });
    results.push(...bySystem);
    results.push(platform.length ? fail(`${cloud.envName} (shared services)`, platform.join('; ')) : pass(`${cloud.envName} (shared services)`, `${platformRules} shared-service rules admit only the management zones`));
    return results;
  },
};

/**
 * True when a rule of a cluster's collection service (log collectors, patch mirror) is one the model
 * declares: ingress on its port from a segment whose systems declare a flow to it, or, for the collectors,
 * egress to a log bucket's vault or the SIEM (collectorEgress).
 */
function collectionAllowance(cloud: RuleContext['cloud']): (clusterId: string | undefined, serviceName: string, direction: string, prefix: string, port: number) => boolean {
  const clusters = new Map(cloud.clusters.map((c) => [c.id, c]));
  // The ports of every flow to a collection service, by `cluster|service|source segment`, gathered once: a scan of every system per rule would be quadratic.
  let ingress: Map<string, Port[]> | undefined;
  const egress = new Map<string, ReturnType<typeof collectorEgress>>();
  return (clusterId, serviceName, direction, prefix, port) => {
    const cluster = clusterId === undefined ? undefined : clusters.get(clusterId);
    const service = cluster?.collectionServices.find((s) => s.name === serviceName);
    if (!cluster || !service) return false;
    if (direction === 'ingress') {
      if (!ingress) {
        ingress = new Map();
        for (const s of cloud.systems) {
          for (const p of s.placements) {
            for (const f of p.flows) {
              if (f.collection === undefined || f.fromSegment === undefined) continue;
              const key = `${p.cluster.id}|${f.collection}|${f.fromSegment.cidr.text}`;
              (ingress.get(key) ?? ingress.set(key, []).get(key)!).push(f.port);
            }
          }
        }
      }
      return (ingress.get(`${cluster.id}|${service.name}|${prefix}`) ?? []).some((flowPort) => Port.tcp(port).within(flowPort));
    }
    if (direction !== 'egress' || service.purpose !== 'logs') return false;
    const allowed = egress.get(cluster.id) ?? egress.set(cluster.id, collectorEgress(cloud, cluster)).get(cluster.id)!;
    return allowed.some((e) => e.cidr === prefix && e.port === port);
  };
}

/** The zone or external peer a rule's remote end stands for, undefined when it is none of the model's. */
function peerOf(rule: TerraformResource, placement: SystemPlacement, govNetwork: string, artifacts: Parameters<typeof resolve>[0]): string | undefined {
  if (rule.config.remote_group_id !== undefined) {
    const peer = resolve(artifacts, rule, rule.config.remote_group_id);
    const tags = peer ? tagsOf(peer) : {};
    if (tags.system !== placement.system.id || tags.cluster !== placement.cluster.id) return undefined;
    return placement.system.tiers.find((t) => t.name === tags.tier)?.zone;
  }
  const prefix = rule.config.remote_ip_prefix;
  if (prefix === undefined) return undefined;
  if (prefix === '0.0.0.0/0') return 'internet';
  if (prefix === govNetwork) return 'gov-network';
  // Flows may leave the placement's own segments (a level 4-5 system's tiers to the cluster's collection services).
  return placement.segments.find((s) => s.cidr.text === prefix)?.zone ?? placement.flows.find((f) => f.to.cidr.text === prefix)?.to.zone;
}
