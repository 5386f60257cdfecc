import type { Construct } from 'constructs';
import { TerraformLocal, TerraformStack } from 'cdktf';
import { hostAddress } from '../../core/cidr';
import type { ComputePool, Flow, NationalCloud, NetworkSegment, RegionalCluster, SystemPlacement } from '../../constructs';
import type { Environment } from '../../environments/schema';
import { PLATFORM_SCOPE } from '../scopes';
import { configureBackend, remoteStateOf } from './backend';
import { backboneAddresses } from './backbone';
import { backboneNetworkOutput, backboneSubnetOutput, NATIONAL_CORE } from './national-core-stack';
import {
  BlockstorageVolumeV3,
  ComputeInstanceV2,
  ComputeServergroupV2,
  ComputeVolumeAttachV2,
  NetworkingNetworkV2,
  NetworkingPortV2,
  NetworkingRouterInterfaceV2,
  NetworkingRouterV2,
  NetworkingSecgroupRuleV2,
  NetworkingSecgroupV2,
  NetworkingSubnetV2,
  ObjectstorageContainerV1,
  type NetworkingSecgroupRuleV2Config,
} from './providers/openstack';
import { OpenStackProvider } from './providers/provider';
import { collectionServiceResources } from './collection-services';
import { inScope } from './scope';
import { instanceUserData, withServiceConfig } from './security-agents';
import { securityServiceMetadata, securityServiceUserData, type Upstream } from './security-hosts';
import { tags } from './tags';

export const clusterStackName = (cluster: RegionalCluster): string => `cluster-${cluster.id}`;

interface SegmentNetwork {
  readonly network: NetworkingNetworkV2;
  readonly subnet: NetworkingSubnetV2;
}

/**
 * One regional cluster: its segments (network, subnet, router interface), and for every system placed
 * there its dedicated core network (levels 4-5), security groups generated from the Flows (everything
 * else denied), anti-affinity server groups, instances, volumes and object containers.
 */
export function clusterStack(app: Construct, cloud: NationalCloud, env: Environment, cluster: RegionalCluster): TerraformStack {
  const name = clusterStackName(cluster);
  const stack = new TerraformStack(app, name);
  // The backbone subnet comes from the national core's state (deployed in the wave before), read through
  // an explicit remote state rather than a cdktf cross-stack reference: no extra resolve pass at synth.
  const core = inScope(stack, PLATFORM_SCOPE, () => {
    configureBackend(stack, env, name);
    new OpenStackProvider(stack, 'openstack', { region: cluster.openstackRegion });
    return remoteStateOf(stack, env, NATIONAL_CORE);
  });
  const backbone = { subnetId: core.getString(backboneSubnetOutput(cluster.id)), networkId: core.getString(backboneNetworkOutput(cluster.id)) };
  const backboneAddress = backboneAddresses(cloud, cluster);
  const envName = cloud.envName;
  /** A router's own port on the shared backbone (never by subnet: that would take the one gateway address). */
  const attachToBackbone = (id: string, router: NetworkingRouterV2, routerKey: string, owner: Record<string, string | number>) => {
    const port = new NetworkingPortV2(stack, `${id}-backbone-port`, {
      name: `${envName}-${cluster.id}-backbone-${routerKey.replace(/^system:/, '')}-router`,
      network_id: backbone.networkId,
      admin_state_up: true,
      fixed_ip: [{ subnet_id: backbone.subnetId, ip_address: backboneAddress(routerKey) }],
      tags: tags(envName, { cluster: cluster.id, zone: 'backbone', ...owner }),
    });
    new NetworkingRouterInterfaceV2(stack, `${id}-backbone-interface`, { router_id: router.id, port_id: port.id });
  };
  const networks = new Map<NetworkSegment, SegmentNetwork>();

  const addSegments = (scope: Construct, prefix: string, segments: readonly NetworkSegment[], router: NetworkingRouterV2, owner: Record<string, string | number>) => {
    for (const segment of segments) {
      const network = new NetworkingNetworkV2(scope, `${prefix}${segment.zone}-network`, {
        name: `${envName}-${cluster.id}-${prefix}${segment.zone}`,
        admin_state_up: true,
        port_security_enabled: true,
        tags: tags(envName, { cluster: cluster.id, zone: segment.zone, ...owner }),
      });
      const subnet = new NetworkingSubnetV2(scope, `${prefix}${segment.zone}-subnet`, {
        name: `${envName}-${cluster.id}-${prefix}${segment.zone}`,
        network_id: network.id,
        cidr: segment.cidr.text,
        ip_version: 4,
        gateway_ip: hostAddress(segment.cidr, 1),
        enable_dhcp: true,
        tags: tags(envName, { cluster: cluster.id, zone: segment.zone, ...owner }),
      });
      new NetworkingRouterInterfaceV2(scope, `${prefix}${segment.zone}-interface`, { router_id: router.id, subnet_id: subnet.id });
      networks.set(segment, { network, subnet });
    }
  };

  // The cluster's core router and zones are the platform's; each system's resources are its own scope.
  inScope(stack, PLATFORM_SCOPE, () => {
    const coreRouter = new NetworkingRouterV2(stack, 'core-router', {
      name: `${envName}-${cluster.id}-core`,
      admin_state_up: true,
      tags: tags(envName, { cluster: cluster.id }),
    });
    attachToBackbone('core', coreRouter, 'core', {});
    addSegments(stack, '', cluster.allSegments, coreRouter, {});
  });

  const placements = cloud.systems.flatMap((s) => s.placements).filter((p) => p.cluster === cluster);
  for (const placement of placements) inScope(stack, placement.system.id, () => {
    const system = placement.system;
    const owner = { system: system.id, level: system.level, role: placement.role };
    if (placement.ownsSegments) {
      // Physically separate core network: its own router, attached to the backbone.
      const router = new NetworkingRouterV2(stack, `${system.id}-core-router`, {
        name: `${envName}-${cluster.id}-${system.id}-core`,
        admin_state_up: true,
        tags: tags(envName, { cluster: cluster.id, ...owner }),
      });
      attachToBackbone(system.id, router, `system:${system.id}`, owner);
      addSegments(stack, `${system.id}-`, placement.segments, router, owner);
    }
    systemResources(stack, envName, cloud, placement, networks);
  });
  // The collectors and the patch mirror serve every system of the cluster: the platform's.
  inScope(stack, PLATFORM_SCOPE, () => collectionServiceResources(stack, cloud, cluster, networks));
  return stack;
}

function systemResources(stack: TerraformStack, envName: string, cloud: NationalCloud, placement: SystemPlacement, networks: Map<NetworkSegment, SegmentNetwork>): void {
  const system = placement.system;
  const cluster = placement.cluster;
  const pools = placement.computePools;
  const owner = { system: system.id, level: system.level, role: placement.role };
  const groups = new Map<ComputePool, NetworkingSecgroupV2>();
  for (const pool of pools) {
    groups.set(pool, new NetworkingSecgroupV2(stack, `${system.id}-${pool.tier}-secgroup`, {
      name: `${envName}-${system.id}-${pool.tier}`,
      description: `${system.displayName} (level ${system.level}), tier ${pool.tier}: only the traffic its flows allow`,
      // Default deny in both directions: the provider's default allow-all egress rules are removed.
      delete_default_rules: true,
      tags: tags(envName, { cluster: cluster.id, tier: pool.tier, 'security-service': pool.securityService?.kind, ...owner }),
    }));
  }

  /** Remote end of a rule: the security groups of the flow's tiers in that segment, else its range. */
  const remotesIn = (segment: NetworkSegment | undefined, picks: (pool: ComputePool) => boolean, fallbackPrefix: string, fallbackLabel: string) => {
    const tiers = segment ? pools.filter((p) => p.segment === segment && picks(p)) : [];
    return tiers.length > 0
      ? tiers.map((t) => ({ remote_group_id: groups.get(t)!.id, label: t.tier }))
      : [{ remote_ip_prefix: fallbackPrefix, label: fallbackLabel }];
  };
  const isService = (pool: ComputePool) => pool.securityService !== undefined;

  // Instances of the tiers a proxy forwards to are created before the proxy, whose configuration names their addresses.
  const instancesOf = new Map<ComputePool, ComputeInstanceV2[]>();
  const upstreamsOf = (pool: ComputePool): Upstream[] =>
    placement.flows
      .filter((flow) => flow.from === pool.segment && flow.sentBy(pool.tier, true) && flow.port.protocol !== 'icmp')
      .map((flow) => ({
        protocol: flow.port.protocol as 'tcp' | 'udp',
        from: flow.port.from!,
        to: flow.port.to!,
        addresses: pools.filter((p) => p.segment === flow.to && flow.reaches(p.tier, isService(p))).flatMap((p) => (instancesOf.get(p) ?? []).map((i) => i.attribute('access_ip_v4'))),
      }));
  for (const pool of [...pools].sort((a, b) => pathRank(a) - pathRank(b))) {
    const group = groups.get(pool)!;
    placement.flows.forEach((flow, i) => {
      const rules: { direction: 'ingress' | 'egress'; remotes: ReturnType<typeof remotesIn> }[] = [];
      if (flow.to === pool.segment && flow.reaches(pool.tier, isService(pool))) {
        rules.push({ direction: 'ingress', remotes: remotesIn(flow.fromSegment, (p) => flow.sentBy(p.tier, isService(p)), cloud.peerRange(flow.from).text, flow.fromZone) });
      }
      if (flow.from === pool.segment && flow.sentBy(pool.tier, isService(pool))) {
        rules.push({ direction: 'egress', remotes: remotesIn(flow.to, (p) => flow.reaches(p.tier, isService(p)), flow.to.cidr.text, flow.to.zone) });
      }
      for (const { direction, remotes } of rules) {
        remotes.forEach(({ label, ...remote }, j) => {
          new NetworkingSecgroupRuleV2(stack, `${system.id}-${pool.tier}-${direction}-${i}-${j}`, {
            security_group_id: group.id,
            direction,
            ethertype: 'IPv4',
            ...portRange(flow),
            ...remote,
            description: `${flow.port} ${direction === 'ingress' ? 'from' : 'to'} ${label}${flow.description ? `: ${flow.description}` : ''}`,
          });
        });
      }
    });

    const serverGroup = new ComputeServergroupV2(stack, `${system.id}-${pool.tier}-servergroup`, {
      name: `${envName}-${system.id}-${pool.tier}-${cluster.id}`,
      policies: [pool.antiAffinity ? 'anti-affinity' : 'soft-anti-affinity'],
    });
    const segment = networks.get(pool.segment);
    if (!segment) throw new Error(`internal: no network rendered for ${pool.segment.node.path}`);
    for (let n = 0; n < pool.instances; n++) {
      const az = pool.zoneOf(n);
      const instance = new ComputeInstanceV2(stack, `${system.id}-${pool.tier}-${n}`, {
        name: `${envName}-${system.id}-${pool.tier}-${cluster.id}-${n}`,
        // Dedicated hosts are reached through flavors bound to the system's host aggregate.
        flavor_name: pool.dedicatedHosts ? `${pool.flavor}.${pool.hostAggregate}-${system.id}` : pool.flavor,
        image_name: pool.image,
        availability_zone: az,
        network: [{ uuid: segment.network.id }],
        security_groups: [group.attribute('name')],
        scheduler_hints: [{ group: serverGroup.id }],
        metadata: {
          'ndc:env': envName,
          'ndc:system': system.id,
          'ndc:level': String(system.level),
          'ndc:tier': pool.tier,
          'ndc:role': placement.role,
          ...(pool.dedicatedHosts ? { 'ndc:host-aggregate': `${pool.hostAggregate}-${system.id}` } : {}),
          ...securityServiceMetadata(pool, system.level),
        },
        // Log shipping, anti-malware and patching agents (security-agents.ts), and the security service a host runs (security-hosts.ts).
        ...userDataOf(stack, cluster, system, pool, upstreamsOf),
        tags: tags(envName, { cluster: cluster.id, tier: pool.tier, 'security-service': pool.securityService?.kind, ...owner }),
      });
      instancesOf.set(pool, [...(instancesOf.get(pool) ?? []), instance]);
      if (pool.volumeGb > 0) {
        const volume = new BlockstorageVolumeV3(stack, `${system.id}-${pool.tier}-${n}-data`, {
          name: `${envName}-${system.id}-${pool.tier}-${cluster.id}-${n}-data`,
          size: pool.volumeGb,
          volume_type: pool.storage.volumeType,
          availability_zone: az,
          enable_online_resize: true,
          metadata: { 'ndc:system': system.id, 'ndc:encrypted': String(pool.storage.encrypted) },
        });
        new ComputeVolumeAttachV2(stack, `${system.id}-${pool.tier}-${n}-data-attach`, { instance_id: instance.id, volume_id: volume.id });
      }
    }
  }
  new ObjectstorageContainerV1(stack, `${system.id}-objects`, {
    name: `${envName}-${system.id}-${cluster.id}-objects`,
    versioning: true,
    metadata: { 'ndc-system': system.id, 'ndc-level': String(system.level), 'ndc-classification': system.classification },
  });
}

/** Order in which a placement's tiers are created: what a proxy forwards to comes before the proxy. */
function pathRank(pool: ComputePool): number {
  return { none: 0, waf: 1, 'database-firewall': 1, ips: 2, 'privileged-access': 3 }[pool.securityService?.kind ?? 'none'];
}

/**
 * The user data of a pool's instances, held once per pool as a Terraform local (`<system>-<tier>-user-data`)
 * that every instance names: the same text for each instance, so the artifact carries it once.
 */
function userDataOf(stack: TerraformStack, cluster: RegionalCluster, system: SystemPlacement['system'], pool: ComputePool, upstreamsOf: (pool: ComputePool) => readonly Upstream[]): { user_data?: string } {
  const agents = cluster.logCollector ? instanceUserData(cluster, system, pool.tier) : undefined;
  const service = pool.securityService ? securityServiceUserData(pool.securityService, system.level, upstreamsOf(pool)) : undefined;
  const userData = agents !== undefined && service !== undefined ? withServiceConfig(agents, service) : (agents ?? service);
  if (userData === undefined) return {};
  const id = `${system.id}-${pool.tier}-user-data`;
  const local = (stack.node.tryFindChild(id) as TerraformLocal | undefined) ?? new TerraformLocal(stack, id, userData);
  return { user_data: local.asString };
}

function portRange(flow: Flow): Pick<NetworkingSecgroupRuleV2Config, 'protocol' | 'port_range_min' | 'port_range_max'> {
  if (flow.port.protocol === 'icmp') return { protocol: 'icmp' };
  return { protocol: flow.port.protocol, port_range_min: flow.port.from, port_range_max: flow.port.to };
}

