import type { Construct } from 'constructs';
import { TerraformOutput, TerraformStack } from 'cdktf';
import { subdivide, hostAddress } from '../../core/cidr';
import { SECURITY_SOFTWARE, SIEM_PORT, type NationalCloud } from '../../constructs';
import type { Environment } from '../../environments/schema';
import { INTERCONNECT_BLOCK_PREFIX } from '../../environments/vocabulary';
import { PLATFORM_SCOPE } from '../scopes';
import { configureBackend } from './backend';
import { backboneAddresses, backboneBlock, SHARED_SERVICES_BLOCK } from './backbone';
import {
  ComputeInstanceV2,
  ComputeServergroupV2,
  NetworkingNetworkV2,
  NetworkingPortV2,
  NetworkingRouterInterfaceV2,
  NetworkingRouterV2,
  NetworkingSecgroupRuleV2,
  NetworkingSecgroupV2,
  NetworkingSubnetV2,
} from './providers/openstack';
import { OpenStackProvider } from './providers/provider';
import { inScope } from './scope';
import { SIEM_INSTANCES, siemAddresses } from './security-agents';
import { tags } from './tags';

export const NATIONAL_CORE = 'national-core';

/** Shared services every system relies on: name, instances, flavor, the port other clusters reach. */
const SHARED_SERVICES = [
  { name: 'bastion-pam', instances: 2, flavor: 'c4.large', port: 22, description: 'bastion with privileged access management' },
  // OpenSearch with Security Analytics: the clusters' log collectors (in their management zones) forward level 3+ systems' events on its REST port.
  { name: 'siem', instances: SIEM_INSTANCES, flavor: 'm4.2xlarge', port: SIEM_PORT, description: `SIEM (${SECURITY_SOFTWARE.siem.product} ${SECURITY_SOFTWARE.siem.version}) receiving the log collectors' security events over TLS` },
] as const;

/** The output holding a cluster's backbone subnet id, which the cluster's core router attaches to. */
export const backboneSubnetOutput = (clusterId: string): string => `backbone_subnet_${clusterId.replace(/-/g, '_')}`;

/** The output holding a cluster's backbone network id, on which the cluster's routers get their ports. */
export const backboneNetworkOutput = (clusterId: string): string => `backbone_network_${clusterId.replace(/-/g, '_')}`;

/**
 * The national core: a backbone network and router per cluster on the interconnect range, and shared
 * services (bastion / PAM, SIEM) in the shared-services cluster; the logs themselves are archived per system
 * in object-locked buckets of the backup vaults (backup-vaults-stack.ts).
 */
export function nationalCoreStack(app: Construct, cloud: NationalCloud, env: Environment): TerraformStack {
  const stack = new TerraformStack(app, NATIONAL_CORE);
  // Everything in the national core is the platform's (stacks/scopes.ts).
  inScope(stack, PLATFORM_SCOPE, () => nationalCoreResources(stack, cloud, env));
  return stack;
}

function nationalCoreResources(stack: TerraformStack, cloud: NationalCloud, env: Environment): void {
  configureBackend(stack, env, NATIONAL_CORE);
  const envName = cloud.envName;
  const backbones = new Map<string, { network: NetworkingNetworkV2; subnet: NetworkingSubnetV2; address: (router: string) => string }>();
  const providers = new Map<string, OpenStackProvider>();
  for (const cluster of cloud.clusters) {
    const provider = new OpenStackProvider(stack, `openstack-${cluster.id}`, { region: cluster.openstackRegion, alias: cluster.id });
    providers.set(cluster.id, provider);
    const block = backboneBlock(cloud, cluster);
    const network = new NetworkingNetworkV2(stack, `${cluster.id}-backbone-network`, {
      name: `${envName}-${cluster.id}-backbone`,
      description: `National backbone attachment of cluster ${cluster.id}`,
      admin_state_up: true,
      port_security_enabled: true,
      tags: tags(envName, { cluster: cluster.id, zone: 'backbone' }),
    }, { provider });
    const subnet = new NetworkingSubnetV2(stack, `${cluster.id}-backbone-subnet`, {
      name: `${envName}-${cluster.id}-backbone`,
      network_id: network.id,
      cidr: block.text,
      ip_version: 4,
      gateway_ip: hostAddress(block, 1),
      enable_dhcp: false,
      tags: tags(envName, { cluster: cluster.id, zone: 'backbone' }),
    }, { provider });
    const router = new NetworkingRouterV2(stack, `${cluster.id}-backbone-router`, {
      name: `${envName}-${cluster.id}-backbone`,
      admin_state_up: true,
      distributed: false,
      tags: tags(envName, { cluster: cluster.id, zone: 'backbone' }),
    }, { provider });
    const address = backboneAddresses(cloud, cluster);
    const port = new NetworkingPortV2(stack, `${cluster.id}-backbone-port`, {
      name: `${envName}-${cluster.id}-backbone-router`,
      network_id: network.id,
      admin_state_up: true,
      fixed_ip: [{ subnet_id: subnet.id, ip_address: address('backbone') }],
      tags: tags(envName, { cluster: cluster.id, zone: 'backbone' }),
    }, { provider });
    new NetworkingRouterInterfaceV2(stack, `${cluster.id}-backbone-interface`, { router_id: router.id, port_id: port.id }, { provider });
    new TerraformOutput(stack, backboneSubnetOutput(cluster.id), { value: subnet.id, description: `Backbone subnet of cluster ${cluster.id}` });
    new TerraformOutput(stack, backboneNetworkOutput(cluster.id), { value: network.id, description: `Backbone network of cluster ${cluster.id}` });
    backbones.set(cluster.id, { network, subnet, address });
  }

  const shared = cloud.sharedServicesCluster;
  const provider = providers.get(shared.id)!;
  const block = subdivide(cloud.interconnect, INTERCONNECT_BLOCK_PREFIX, SHARED_SERVICES_BLOCK);
  const network = new NetworkingNetworkV2(stack, 'shared-services-network', {
    name: `${envName}-shared-services`,
    description: 'Shared security services: bastion / PAM, SIEM, central logging',
    admin_state_up: true,
    port_security_enabled: true,
    tags: tags(envName, { cluster: shared.id, zone: 'management' }),
  }, { provider });
  const subnet = new NetworkingSubnetV2(stack, 'shared-services-subnet', {
    name: `${envName}-shared-services`,
    network_id: network.id,
    cidr: block.text,
    ip_version: 4,
    gateway_ip: hostAddress(block, 1),
    enable_dhcp: true,
    tags: tags(envName, { cluster: shared.id, zone: 'management' }),
  }, { provider });
  const router = new NetworkingRouterV2(stack, 'shared-services-router', {
    name: `${envName}-shared-services`,
    admin_state_up: true,
    tags: tags(envName, { cluster: shared.id, zone: 'management' }),
  }, { provider });
  new NetworkingRouterInterfaceV2(stack, 'shared-services-interface', { router_id: router.id, subnet_id: subnet.id }, { provider });
  const backbone = backbones.get(shared.id)!;
  const backbonePort = new NetworkingPortV2(stack, 'shared-services-backbone-port', {
    name: `${envName}-${shared.id}-backbone-shared-services-router`,
    network_id: backbone.network.id,
    admin_state_up: true,
    fixed_ip: [{ subnet_id: backbone.subnet.id, ip_address: backbone.address('shared-services') }],
    tags: tags(envName, { cluster: shared.id, zone: 'backbone' }),
  }, { provider });
  new NetworkingRouterInterfaceV2(stack, 'shared-services-backbone-interface', { router_id: router.id, port_id: backbonePort.id }, { provider });

  for (const service of SHARED_SERVICES) {
    const group = new NetworkingSecgroupV2(stack, `${service.name}-secgroup`, {
      name: `${envName}-${service.name}`,
      description: service.description,
      delete_default_rules: true,
      tags: tags(envName, { service: service.name }),
    }, { provider });
    // Reached only from the management segments of the clusters (never from the internet).
    for (const cluster of cloud.clusters) {
      if (!cluster.hasSegment('management')) continue;
      new NetworkingSecgroupRuleV2(stack, `${service.name}-from-${cluster.id}-management`, {
        security_group_id: group.id,
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'tcp',
        port_range_min: service.port,
        port_range_max: service.port,
        remote_ip_prefix: cluster.segment('management').cidr.text,
        description: `${service.description} from the management zone of ${cluster.id}`,
      }, { provider });
    }
    const servers = new ComputeServergroupV2(stack, `${service.name}-servergroup`, { name: `${envName}-${service.name}`, policies: ['anti-affinity'] }, { provider });
    const azs = shared.availabilityZones.map((az) => az.node.id);
    for (let n = 0; n < service.instances; n++) {
      new ComputeInstanceV2(stack, `${service.name}-${n}`, {
        name: `${envName}-${service.name}-${n}`,
        flavor_name: service.flavor,
        image_name: shared.image,
        availability_zone: azs[n % azs.length],
        // The SIEM at fixed addresses, which the collectors' configuration names.
        network: [{ uuid: network.id, ...(service.name === 'siem' ? { fixed_ip_v4: siemAddresses(cloud)[n] } : {}) }],
        security_groups: [group.attribute('name')],
        scheduler_hints: [{ group: servers.id }],
        metadata: { 'ndc:env': envName, 'ndc:service': service.name },
        tags: tags(envName, { service: service.name }),
      }, { provider });
    }
  }
}
