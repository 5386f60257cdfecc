import { InputError, InputProblems } from '../core/errors';
import type { Environment } from '../environments/schema';
import { InformationSystem } from './information-system';
import { NationalCloud } from './national-cloud';
import { Port } from './port';
import { RegionalCluster } from './regional-cluster';

/** Builds the construct tree of an environment (already validated by `validateEnvironment`). */
export function buildCloud(env: Environment, source?: string): NationalCloud {
  if (source === undefined) return buildCloudOf(env);
  try {
    return buildCloudOf(env);
  } catch (error) {
    // A construct names the model path it rejects; the user also needs the file that path comes from.
    const located = (e: InputError) => new InputError(`${source}: ${e.where}`, e.reason);
    if (error instanceof InputProblems) throw new InputProblems(error.problems.map(located));
    if (error instanceof InputError) throw located(error);
    throw error;
  }
}

function buildCloudOf(env: Environment): NationalCloud {
  const cloud = new NationalCloud(env.name, {
    stage: env.stage,
    description: env.description,
    profile: env.profile,
    interconnectCidr: env.interconnect.cidr,
    govNetworkCidr: env.interconnect.govNetworkCidr,
    sharedServicesCluster: env.sharedServicesRegion,
  });
  for (const region of env.regions) {
    new RegionalCluster(cloud, region.id, {
      name: region.name,
      site: region.site,
      national: region.national,
      location: region.location,
      openstackRegion: region.openstackRegion,
      availabilityZones: region.availabilityZones,
      green: region.green,
      cidr: region.addressPlan.cidr,
      segments: region.addressPlan.segments,
      image: region.compute.image,
      externalNetwork: region.compute.externalNetwork,
      dedicatedHostAggregate: region.compute.dedicatedHostAggregate,
    });
  }
  for (const system of env.systems) {
    new InformationSystem(cloud, system.id, {
      level: system.level,
      name: system.name,
      ownerAgency: system.ownerAgency,
      classification: system.classification,
      personalData: system.personalData,
      internetFacing: system.internetFacing,
      primary: system.primaryRegion,
      recovery: system.recoveryRegion,
      tiers: system.tiers,
      flows: system.flows.map((f) => ({
        from: f.from,
        to: f.to,
        port: toPort(f.protocol, f.ports),
        description: f.description,
      })),
      dedicatedNetworks: system.dedicatedNetworks,
      dedicatedHosts: system.dedicatedHosts,
      backup: system.backup && {
        schedule: system.backup.schedule,
        retentionDays: system.backup.retentionDays,
        rpoHours: system.backup.rpoHours,
        encrypted: system.backup.encrypted,
        copies: system.backup.copies?.map((c) => ({ cluster: cloud.cluster(c.region), medium: c.medium, immutable: c.immutable })),
      },
      publicEdge: system.publicEdge,
    });
  }
  cloud.validate();
  return cloud;
}

function toPort(protocol: 'tcp' | 'udp' | 'icmp', ports: number | [number, number] | undefined): Port {
  if (protocol === 'icmp') return Port.icmp();
  const [from, to] = typeof ports === 'number' ? [ports, ports] : (ports ?? [0, 0]);
  return protocol === 'tcp' ? Port.tcpRange(from, to) : Port.udpRange(from, to);
}
