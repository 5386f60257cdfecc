import { formatAddress, hostAddress, subdivide, type Cidr } from '../../core/cidr';
import { InputError } from '../../core/errors';
import type { NationalCloud, RegionalCluster } from '../../constructs';
import { INTERCONNECT_BLOCK_PREFIX } from '../../environments/vocabulary';

/**
 * Addresses on the backbone subnets, which several routers share (the national core's backbone router,
 * the shared-services router, each cluster's core router and every level 4-5 system's own core router).
 * Attaching a router by subnet gives it the subnet's gateway address, which exists once, so every router
 * here gets its own port with its own fixed address instead: host 1 is the gateway (held by no router),
 * hosts 2-4 the platform's routers, then one per dedicated system router in the environment's order (so
 * appending a system moves no existing router).
 */

/** Block of the interconnect range used by the shared-services network (the backbones come first). */
export const SHARED_SERVICES_BLOCK = 200;

const GATEWAY_HOST = 1;
const PLATFORM_HOSTS = { backbone: 2, 'shared-services': 3, core: 4 } as const;
const FIRST_SYSTEM_HOST = 5;

export type PlatformRouter = keyof typeof PLATFORM_HOSTS;

export interface BackboneAttachment {
  /** `backbone`, `shared-services`, `core`, or `system:<id>` for a system's own core router. */
  readonly router: string;
  readonly address: string;
}

/** The dedicated system routers attached to a cluster's backbone, in the environment's order. */
function systemRouters(cloud: NationalCloud, cluster: RegionalCluster): string[] {
  return cloud.systems.filter((s) => s.placements.some((p) => p.cluster === cluster && p.ownsSegments)).map((s) => s.id);
}

/**
 * The prefix length of every backbone subnet: a /24 unless a cluster has more routers than a /24
 * holds, then the smallest block that holds the busiest cluster's.
 */
function backbonePrefix(cloud: NationalCloud): number {
  const needed = Math.max(...cloud.clusters.map((c) => FIRST_SYSTEM_HOST + systemRouters(cloud, c).length));
  let prefix = INTERCONNECT_BLOCK_PREFIX;
  // Usable hosts exclude the network and broadcast addresses.
  while (prefix > 16 && 2 ** (32 - prefix) - 2 < needed) prefix--;
  return prefix;
}

/** The backbone subnet of the i-th cluster of the cloud. */
export function backboneBlock(cloud: NationalCloud, cluster: RegionalCluster): Cidr {
  const index = cloud.clusters.indexOf(cluster);
  if (index < 0) throw new Error(`internal: ${cluster.id} is not a cluster of ${cloud.envName}`);
  const prefix = backbonePrefix(cloud);
  const where = `environments/${cloud.envName}.ts: interconnect.cidr`;
  const blocks = cloud.clusters.length * 2 ** (INTERCONNECT_BLOCK_PREFIX - prefix);
  if (blocks > SHARED_SERVICES_BLOCK || 2 ** (32 - prefix) * cloud.clusters.length > cloud.interconnect.last - cloud.interconnect.first + 1) {
    throw new InputError(where, `${cloud.interconnect.text} has no room for ${cloud.clusters.length} backbone subnets of /${prefix} (${FIRST_SYSTEM_HOST + systemRouters(cloud, cluster).length} router ports in ${cluster.id}) below the shared-services block; use a larger interconnect range`);
  }
  return subdivide(cloud.interconnect, prefix, index);
}

export function backboneGateway(cloud: NationalCloud, cluster: RegionalCluster): string {
  return hostAddress(backboneBlock(cloud, cluster), GATEWAY_HOST);
}

/** Every router port on one cluster's backbone with its fixed address: distinct, never the gateway. */
export function backboneAttachments(cloud: NationalCloud, cluster: RegionalCluster): BackboneAttachment[] {
  const block = backboneBlock(cloud, cluster);
  const platform: BackboneAttachment[] = (['backbone', 'shared-services', 'core'] as const)
    .filter((router) => router !== 'shared-services' || cloud.sharedServicesCluster === cluster)
    .map((router) => ({ router, address: hostAddress(block, PLATFORM_HOSTS[router]) }));
  const systems = systemRouters(cloud, cluster).map((id, i) => ({ router: `system:${id}`, address: formatAddress(block.first + FIRST_SYSTEM_HOST + i) }));
  return [...platform, ...systems];
}

/** The fixed address of each router's port on a cluster's backbone, by router. */
export function backboneAddresses(cloud: NationalCloud, cluster: RegionalCluster): (router: string) => string {
  const byRouter = new Map(backboneAttachments(cloud, cluster).map((a) => [a.router, a.address]));
  return (router) => {
    const address = byRouter.get(router);
    if (!address) throw new Error(`internal: no backbone port for router ${router} in ${cluster.id}`);
    return address;
  };
}
