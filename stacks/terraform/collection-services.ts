import type { TerraformStack } from 'cdktf';
import type { CollectionService, NationalCloud, NetworkSegment, RegionalCluster } from '../../constructs';
import { BlockstorageVolumeV3, ComputeInstanceV2, ComputeServergroupV2, ComputeVolumeAttachV2, NetworkingSecgroupRuleV2, NetworkingSecgroupV2, type NetworkingNetworkV2 } from './providers/openstack';
import { collectorEgress, collectorUserData, systemsIn } from './security-agents';
import { tags } from './tags';

/** The patch mirror's cloud-init: nginx serving the mirror volume (apt-mirror and cvdupdate sync it from the national mirror). */
function mirrorUserData(cluster: RegionalCluster, service: CollectionService): string {
  return [
    '#cloud-config',
    `# ndc patch mirror of ${cluster.id}: ${service.software}.`,
    'packages:',
    '  - nginx',
    '  - apt-mirror',
    '  - python3-pip',
    'write_files:',
    '  - path: /etc/nginx/sites-enabled/ndc-mirror.conf',
    '    content: |',
    '      server {',
    `        listen ${service.port.from};`,
    '        root /srv/mirror;',
    '        autoindex off;',
    '        location /ubuntu/ { alias /srv/mirror/ubuntu/; }',
    '        location /clamav/ { alias /srv/mirror/clamav/; }',
    '      }',
    'runcmd:',
    '  - [pip3, install, --break-system-packages, cvdupdate==1.1.3]',
    '  - [systemctl, enable, --now, nginx]',
    '',
  ].join('\n');
}

/**
 * The collection services of one cluster (platform resources, tagged with their service and no system):
 * per service a security group that admits exactly the segments whose systems declare a flow to it, on its
 * port, and lets the collectors out only to the log buckets' vaults and the SIEM; an anti-affinity server
 * group; instances at the service's fixed addresses in the management segment, each with a data volume.
 */
export function collectionServiceResources(stack: TerraformStack, cloud: NationalCloud, cluster: RegionalCluster, networks: ReadonlyMap<NetworkSegment, { network: NetworkingNetworkV2 }>): void {
  const envName = cloud.envName;
  const placements = cloud.systems.flatMap((s) => s.placements).filter((p) => p.cluster === cluster);
  const azs = cluster.availabilityZones.map((az) => az.node.id);
  for (const service of cluster.collectionServices) {
    const owner = { cluster: cluster.id, service: service.name, zone: 'management' };
    const group = new NetworkingSecgroupV2(stack, `${service.name}-secgroup`, {
      name: `${envName}-${cluster.id}-${service.name}`,
      description: `${service.software}: admits the cluster's system tiers on ${service.port} only`,
      delete_default_rules: true,
      tags: tags(envName, owner),
    });
    // One ingress rule per sending segment (a segment shared by several systems is admitted once).
    const senders = new Map<string, NetworkSegment>();
    for (const placement of placements) {
      for (const flow of placement.flows) {
        if (flow.collection === service.name && flow.fromSegment) senders.set(flow.fromSegment.cidr.text, flow.fromSegment);
      }
    }
    [...senders.keys()].sort().forEach((cidr, i) => {
      const segment = senders.get(cidr)!;
      new NetworkingSecgroupRuleV2(stack, `${service.name}-ingress-${i}`, {
        security_group_id: group.id,
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'tcp',
        port_range_min: service.port.from,
        port_range_max: service.port.to,
        remote_ip_prefix: cidr,
        description: `${service.port} from ${segment.dedicatedTo ? `${segment.dedicatedTo}'s ` : ''}${segment.zone} segment`,
      });
    });
    if (service.purpose === 'logs') {
      collectorEgress(cloud, cluster).forEach((egress, i) => {
        new NetworkingSecgroupRuleV2(stack, `${service.name}-egress-${i}`, {
          security_group_id: group.id,
          direction: 'egress',
          ethertype: 'IPv4',
          protocol: 'tcp',
          port_range_min: egress.port,
          port_range_max: egress.port,
          remote_ip_prefix: egress.cidr,
          description: `tcp/${egress.port} to ${egress.purpose}`,
        });
      });
    }
    const servers = new ComputeServergroupV2(stack, `${service.name}-servergroup`, { name: `${envName}-${cluster.id}-${service.name}`, policies: ['anti-affinity'] });
    const network = networks.get(service.segment);
    if (!network) throw new Error(`internal: no network rendered for ${service.segment.node.path}`);
    const userData = service.purpose === 'logs' ? collectorUserData(cloud, cluster, systemsIn(cloud, cluster)) : mirrorUserData(cluster, service);
    service.addresses.forEach((address, n) => {
      const az = azs[n % azs.length];
      const instance = new ComputeInstanceV2(stack, `${service.name}-${n}`, {
        name: `${envName}-${cluster.id}-${service.name}-${n}`,
        flavor_name: service.flavor,
        image_name: cluster.image,
        availability_zone: az,
        network: [{ uuid: network.network.id, fixed_ip_v4: address }],
        security_groups: [group.attribute('name')],
        scheduler_hints: [{ group: servers.id }],
        user_data: userData,
        metadata: { 'ndc:env': envName, 'ndc:cluster': cluster.id, 'ndc:service': service.name, 'ndc:software': service.software },
        tags: tags(envName, owner),
      });
      const volume = new BlockstorageVolumeV3(stack, `${service.name}-${n}-data`, {
        name: `${envName}-${cluster.id}-${service.name}-${n}-data`,
        size: service.volumeGb,
        volume_type: cluster.storage.volumeType,
        availability_zone: az,
        enable_online_resize: true,
        metadata: { 'ndc:service': service.name, 'ndc:encrypted': String(cluster.storage.encrypted) },
      });
      new ComputeVolumeAttachV2(stack, `${service.name}-${n}-data-attach`, { instance_id: instance.id, volume_id: volume.id });
    });
  }
}
