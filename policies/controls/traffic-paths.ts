import type { InformationSystem } from '../../constructs';
import { terraformIndex, type TerraformResource } from '../artifacts/terraform';
import { networkReachability } from '../network';
import type { Endpoint } from '../network/model';
import type { Hop, Reachability } from '../network/reachability';
import { showRule, showService } from '../network/services';
import type { RuleContext } from '../rule';

/**
 * What the traffic-path controls (IPS, WAF, database firewall, jump hosts) read from the artifacts: the
 * hosts that run each security service (instance metadata `ndc:security-service`, written by the cluster
 * stack), and the reachability computed from the security groups and NetworkPolicies.
 */

export type ServiceKind = 'ips' | 'waf' | 'database-firewall' | 'privileged-access';

export interface ServiceHosts {
  /** The instances, by cluster. */
  readonly byCluster: ReadonlyMap<string, readonly TerraformResource[]>;
  /** `cluster|tier` of the tiers whose instances run the service. */
  readonly tiers: ReadonlySet<string>;
}

const metadataOf = (r: TerraformResource): Record<string, string> => (r.config.metadata as Record<string, string> | undefined) ?? {};
const clusterOf = (r: TerraformResource): string => r.stack.replace(/^cluster-/, '');

/** The hosts of one system that run one security service, from the Terraform artifacts. */
export function serviceHosts(context: RuleContext, system: InformationSystem, kind: ServiceKind): ServiceHosts {
  const byCluster = new Map<string, TerraformResource[]>();
  const tiers = new Set<string>();
  for (const instance of terraformIndex(context.artifacts).instancesBySystem.get(system.id) ?? []) {
    const metadata = metadataOf(instance);
    if (metadata['ndc:security-service'] !== kind) continue;
    const cluster = clusterOf(instance);
    (byCluster.get(cluster) ?? byCluster.set(cluster, []).get(cluster)!).push(instance);
    tiers.add(`${cluster}|${metadata['ndc:tier']}`);
  }
  return { byCluster, tiers };
}

/** True when the endpoint is one of the system's hosts or pods running the service. */
export const runs = (hosts: ServiceHosts, e: Endpoint): boolean => e.kind === 'hosts' && hosts.tiers.has(`${e.cluster}|${e.tier}`);

/** The problems with the service's hosts in each cluster the system runs in: none there, not in its zone, image not pinned. */
export function hostProblems(context: RuleContext, system: InformationSystem, hosts: ServiceHosts, what: string, zone: string, clusters: readonly string[] = system.clusters.map((c) => c.id)): string[] {
  const problems: string[] = [];
  const reach = reachOf(context);
  for (const cluster of clusters) {
    const found = hosts.byCluster.get(cluster) ?? [];
    if (found.length === 0) {
      problems.push(`no ${what} hosts in cluster ${cluster} (instances with metadata ndc:security-service)`);
      continue;
    }
    const misplaced = endpointsOf(reach, system).filter((e) => e.cluster === cluster && runs(hosts, e) && e.zoneKind !== zone);
    for (const e of misplaced) problems.push(`${what} hosts ${e.id} are in the ${e.zoneKind} zone, not the ${zone} zone`);
    for (const instance of found) {
      const images = (metadataOf(instance)['ndc:images'] ?? '').split(',').filter((i) => i !== '');
      if (images.length === 0) problems.push(`${what} host ${String(instance.config.name)} names no software image (metadata ndc:images)`);
      for (const image of images.filter((i) => !isPinned(i))) problems.push(`${what} host ${String(instance.config.name)} runs ${image}, not pinned to a version or digest`);
    }
  }
  return problems;
}

/** `repo/name:1.2.3` or `repo/name@sha256:...`; never `latest` or a bare major. */
export function isPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const tag = /:([^/:@]+)$/.exec(image)?.[1];
  return tag !== undefined && /^v?\d+\.\d+\.\d+/.test(tag);
}

export const reachOf = (context: RuleContext): Reachability =>
  networkReachability({ artifacts: context.artifacts, manifest: context.manifest, governmentNetwork: context.cloud.govNetwork.text });

export interface HopInto {
  readonly hop: Hop;
  readonly from: Endpoint;
  readonly to: Endpoint;
}

interface BySystem {
  /** The hops into each system's hosts and pods, in hop order. */
  readonly hops: ReadonlyMap<string, readonly HopInto[]>;
  /** Each system's endpoints, in model order. */
  readonly endpoints: ReadonlyMap<string, readonly Endpoint[]>;
}

const bySystemCache = new WeakMap<Reachability, BySystem>();

/** The hops and endpoints of a reachability grouped by system, once: every control asks per system, so a scan per question would be quadratic. */
function bySystem(reach: Reachability): BySystem {
  const cached = bySystemCache.get(reach);
  if (cached) return cached;
  const hops = new Map<string, HopInto[]>();
  for (const hop of reach.hops) {
    const to = reach.model.byId.get(hop.to)!;
    if (to.system === undefined || (to.kind !== 'hosts' && to.kind !== 'pods')) continue;
    const entry = { hop, from: reach.model.byId.get(hop.from)!, to };
    const list = hops.get(to.system);
    if (list) list.push(entry);
    else hops.set(to.system, [entry]);
  }
  const endpoints = new Map<string, Endpoint[]>();
  for (const e of reach.model.endpoints) {
    if (e.system === undefined) continue;
    const list = endpoints.get(e.system);
    if (list) list.push(e);
    else endpoints.set(e.system, [e]);
  }
  const built = { hops, endpoints };
  bySystemCache.set(reach, built);
  return built;
}

/** The hops into the system's hosts and pods. */
export function hopsInto(reach: Reachability, system: InformationSystem): readonly HopInto[] {
  return bySystem(reach).hops.get(system.id) ?? [];
}

/** The system's endpoints (hosts, pods and any other kind the model gives a system), in model order. */
export function endpointsOf(reach: Reachability, system: InformationSystem): readonly Endpoint[] {
  return bySystem(reach).endpoints.get(system.id) ?? [];
}

/** `internet -> vm:north/portal/web (tcp/443 by ...)`, shortened to the first rule. */
export const showHop = (hop: Hop): string => `${hop.from} -> ${hop.to} (${hop.allows.map((a) => `${showService(a.service)} by ${a.rules.map(showRule)[0] ?? '-'}`).join('; ')})`;

/** The clusters where the system's declared flows bring traffic from outside. */
export function clustersWithOutsideTraffic(system: InformationSystem, peer?: 'internet' | 'gov-network'): string[] {
  return system.placements.filter((p) => p.flows.some((f) => f.fromSegment === undefined && (peer === undefined || f.from === peer))).map((p) => p.cluster.id);
}
