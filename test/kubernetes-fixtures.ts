import { buildCloud, type NationalCloud } from '../constructs';
import type { EnvironmentInput } from '../environments/schema';
import { validateEnvironment } from '../environments/validate';
import type { KubernetesObject, RuleContext } from '../policies/rule';
import { renderClusterObjects } from '../stacks/kubernetes/render';
import { buildManifest } from '../stacks/manifest';

/**
 * A small two-cluster cloud for the Kubernetes tests: `records` (level 3, north with recovery in south,
 * three tiers, a backup copy in each cluster) and `catalog` (level 2, north only, no backup plan).
 */
export function fixtureInput(): EnvironmentInput {
  const region = (id: string, second: number, lat: number) => ({
    id,
    name: id,
    site: `${id} site`,
    location: { lat, lon: 106 },
    availabilityZones: [{ id: `${id}-a` }],
    green: { pue: 1.3, energySource: 'grid' },
    addressPlan: {
      cidr: `10.${second}.0.0/16`,
      segments: { edge: `10.${second}.0.0/24`, dmz: `10.${second}.1.0/24`, 'internal-server': `10.${second}.2.0/24`, database: `10.${second}.3.0/24`, management: `10.${second}.4.0/24` },
    },
  });
  return {
    name: 'fixture',
    stage: 'staging',
    description: 'Kubernetes rule fixtures',
    state: { backend: 'local' },
    interconnect: { cidr: '10.0.0.0/16', govNetworkCidr: '172.16.0.0/12' },
    regions: [region('north', 10, 21), region('south', 20, 10.8)],
    systems: [
      {
        id: 'records',
        name: 'Civil Records',
        level: 3,
        ownerAgency: 'Bộ Tư pháp',
        classification: 'confidential',
        primaryRegion: 'north',
        recoveryRegion: 'south',
        tiers: [
          { name: 'web', zone: 'dmz', instances: 2, flavor: 'c4.large', cpu: 1, memoryGb: 2, volumeGb: 0 },
          { name: 'app', zone: 'internal-server', instances: 3, flavor: 'c4.large', cpu: 2, memoryGb: 4, volumeGb: 0 },
          { name: 'db', zone: 'database', instances: 2, flavor: 'm4.large', cpu: 4, memoryGb: 16.5, volumeGb: 100 },
        ],
        flows: [
          { from: 'gov-network', to: 'dmz', protocol: 'tcp', ports: 443 },
          { from: 'dmz', to: 'internal-server', protocol: 'tcp', ports: 8443 },
          { from: 'internal-server', to: 'database', protocol: 'tcp', ports: 5432 },
          { from: 'internal-server', to: 'edge', protocol: 'udp', ports: [5000, 5010], description: 'metrics to the edge collectors' },
          { from: 'gov-network', to: 'dmz', protocol: 'icmp' },
        ],
        // A copy in each cluster: each placement's backups leave for the other one.
        backup: {
          schedule: '0 2 * * *',
          retentionDays: 90,
          rpoHours: 24,
          copies: [
            { region: 'south', medium: 'object' },
            { region: 'north', medium: 'disk' },
          ],
        },
      },
      {
        id: 'catalog',
        name: 'Catalog',
        level: 2,
        ownerAgency: 'Ministry of Science and Technology',
        classification: 'public',
        internetFacing: true,
        primaryRegion: 'north',
        tiers: [{ name: 'web', zone: 'dmz', instances: 1, flavor: 'c4.small' }],
        flows: [{ from: 'internet', to: 'dmz', protocol: 'tcp', ports: 443 }],
      },
    ],
  };
}

export function fixtureCloud(input: EnvironmentInput = fixtureInput()): { cloud: NationalCloud; env: ReturnType<typeof validateEnvironment> } {
  const env = validateEnvironment(input, 'environments/fixture.ts');
  return { cloud: buildCloud(env), env };
}

/** The rendered objects of every cluster, deep-copied so tests may mutate them. */
export function fixtureObjects(cloud: NationalCloud): Map<string, KubernetesObject[]> {
  return new Map(cloud.clusters.map((c) => [c.id, structuredClone(renderClusterObjects(cloud, c)) as KubernetesObject[]]));
}

export function ruleContext(cloud: NationalCloud, env: ReturnType<typeof validateEnvironment>, kubernetes: ReadonlyMap<string, readonly KubernetesObject[]>): RuleContext {
  return {
    env,
    cloud,
    manifest: buildManifest(cloud, []),
    artifacts: { terraform: new Map(), kubernetes, cloudformation: new Map(), text: new Map() },
    asOf: new Date('2026-11-27T00:00:00Z'),
    evidence: [],
  };
}

/** The object of a cluster by kind and name (and namespace, when given); throws when absent. */
export function find(objects: Map<string, KubernetesObject[]>, cluster: string, kind: string, name: string, namespace?: string): KubernetesObject {
  const found = objects.get(cluster)!.find((o) => o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace));
  if (!found) throw new Error(`fixture has no ${kind} ${namespace ?? ''}/${name} in ${cluster}`);
  return found;
}
