import { contains, type Cidr } from '../../core/cidr';
import type { BackupVault, ComputePool, Flow, NationalCloud, RegionalCluster, SystemPlacement } from '../../constructs';
import { ANNOTATION, CLUSTER_DNS, LABEL, labelSlug, POD_SECURITY, POLICY_NAME, VELERO_NAMESPACE } from './labels';
import { toYamlDocument } from './yaml';

/** A Kubernetes object as the renderer writes it: plain data, no engine types. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string>; readonly annotations?: Record<string, string> };
  readonly [key: string]: unknown;
}

type Peer = Record<string, unknown>;
type PolicyPort = { protocol: 'TCP' | 'UDP'; port: number; endPort?: number };

/** Order of kinds inside a system's block: the namespace before what lives in it, backup location before schedule. */
const KIND_ORDER = ['Namespace', 'ResourceQuota', 'LimitRange', 'NetworkPolicy', 'BackupStorageLocation', 'Schedule'];

/** The placements of systems in a cluster (primary and recovery), by system id. */
export function placementsIn(cloud: NationalCloud, cluster: RegionalCluster): SystemPlacement[] {
  return cloud.systems
    .flatMap((s) => s.placements)
    .filter((p) => p.cluster === cluster)
    .sort((a, b) => compare(a.system.id, b.system.id));
}

/**
 * Every object of one cluster, in a stable order: per system (by id) its Namespace, ResourceQuota,
 * LimitRange, NetworkPolicies, then its Velero BackupStorageLocations and Schedules, each kind by name.
 */
export function renderClusterObjects(cloud: NationalCloud, cluster: RegionalCluster, podNetwork?: Cidr): ManifestObject[] {
  const out: ManifestObject[] = [];
  for (const placement of placementsIn(cloud, cluster)) {
    const objects = systemObjects(cloud, placement, podNetwork);
    objects.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || compare(a.metadata.name, b.metadata.name));
    out.push(...objects);
  }
  return out;
}

/** Multi-document YAML with sorted keys: the same objects always give the same bytes. */
export function toYaml(objects: readonly ManifestObject[], header: readonly string[]): string {
  const docs = objects.map((o) => toYamlDocument(o));
  return `${header.map((line) => `# ${line}\n`).join('')}${docs.map((d) => `---\n${d}`).join('')}`;
}

function systemObjects(cloud: NationalCloud, placement: SystemPlacement, podNetwork: Cidr | undefined): ManifestObject[] {
  const system = placement.system;
  const ns = system.id;
  const labels = {
    [LABEL.env]: cloud.envName,
    [LABEL.cluster]: placement.cluster.id,
    [LABEL.system]: system.id,
    [LABEL.agency]: labelSlug(system.ownerAgency),
    [LABEL.level]: String(system.level),
    [LABEL.classification]: system.classification,
    [LABEL.role]: placement.role,
  };
  const owned = { [LABEL.env]: cloud.envName, [LABEL.cluster]: placement.cluster.id, [LABEL.system]: system.id, [LABEL.level]: String(system.level) };
  const objects: ManifestObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: ns,
        labels: {
          ...labels,
          [POD_SECURITY.enforce]: 'restricted',
          [POD_SECURITY.audit]: 'restricted',
          [POD_SECURITY.warn]: 'restricted',
        },
        annotations: { [ANNOTATION.systemName]: system.displayName, [ANNOTATION.agencyName]: system.ownerAgency },
      },
    },
    resourceQuota(ns, owned, podPools(placement)),
    limitRange(ns, owned, podPools(placement)),
    ...baselinePolicies(ns, owned),
    ...flowPolicies(cloud, ns, owned, placement, podNetwork),
    ...veleroObjects(cloud, placement, owned),
  ];
  return objects;
}

/**
 * The policies every namespace the platform writes starts from: deny all ingress and egress of its pods,
 * then allow DNS to the cluster's resolver pods only (names must resolve for any allowed flow to work).
 */
export function baselinePolicies(namespace: string, labels: Record<string, string>): ManifestObject[] {
  return [
    networkPolicy(namespace, labels, POLICY_NAME.denyIngress, { podSelector: {}, policyTypes: ['Ingress'] }),
    networkPolicy(namespace, labels, POLICY_NAME.denyEgress, { podSelector: {}, policyTypes: ['Egress'] }),
    networkPolicy(namespace, labels, POLICY_NAME.dns, {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': CLUSTER_DNS.namespace } }, podSelector: { matchLabels: { ...CLUSTER_DNS.podLabels } } }],
          ports: [
            { protocol: 'UDP', port: CLUSTER_DNS.port },
            { protocol: 'TCP', port: CLUSTER_DNS.port },
          ],
        },
      ],
    }),
  ];
}

export function networkPolicy(namespace: string, labels: Record<string, string>, name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): ManifestObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, labels, ...(annotations ? { annotations } : {}) },
    spec,
  };
}

function tierSelector(pools: readonly ComputePool[]): Record<string, unknown> {
  return { matchExpressions: [{ key: LABEL.tier, operator: 'In', values: pools.map((p) => p.tier).sort(compare) }] };
}

/**
 * The allow policies of one placement, one per Flow and direction, mirroring the security groups of the
 * Terraform cluster stack: pods of the tiers in the flow's zones are selected by their tier label; an end
 * with no tier of this system (an external peer, or a zone such as management whose hosts are outside the
 * cluster) is an ipBlock of that peer's range, except the cluster's pod network when it is known and inside
 * (see settings.ts). ICMP flows have no NetworkPolicy form and are left denied.
 */
function flowPolicies(cloud: NationalCloud, ns: string, labels: Record<string, string>, placement: SystemPlacement, podNetwork: Cidr | undefined): ManifestObject[] {
  const ipBlock = (cidr: Cidr) => ({ ipBlock: { cidr: cidr.text, ...(podNetwork && contains(cidr, podNetwork) && cidr.text !== podNetwork.text ? { except: [podNetwork.text] } : {}) } });
  const pools = podPools(placement);
  const out: ManifestObject[] = [];
  for (const flow of placement.flows) {
    const port = policyPort(flow);
    // Pods' logs are shipped by the node agent (the ndc-logging DaemonSet), and images carry their own patches.
    if (!port || flow.collection !== undefined) continue;
    const targets = pools.filter((p) => p.segment === flow.to && flow.reaches(p.tier, false));
    const sources = flow.fromSegment ? pools.filter((p) => p.segment === flow.from && flow.sentBy(p.tier, false)) : [];
    const annotations = { [ANNOTATION.flow]: flow.node.path, ...(flow.description ? { [ANNOTATION.description]: flow.description } : {}) };
    if (targets.length > 0) {
      const from: Peer[] = sources.length > 0 ? [{ podSelector: tierSelector(sources) }] : [ipBlock(cloud.peerRange(flow.from))];
      out.push(networkPolicy(ns, labels, `allow-${flow.node.id}-ingress`, { podSelector: tierSelector(targets), policyTypes: ['Ingress'], ingress: [{ from, ports: [port] }] }, annotations));
    }
    if (sources.length > 0) {
      const to: Peer[] = targets.length > 0 ? [{ podSelector: tierSelector(targets) }] : [ipBlock(flow.to.cidr)];
      out.push(networkPolicy(ns, labels, `allow-${flow.node.id}-egress`, { podSelector: tierSelector(sources), policyTypes: ['Egress'], egress: [{ to, ports: [port] }] }, annotations));
    }
  }
  return out;
}

/**
 * The tiers that may run as pods: the security services (IPS, WAF, database firewall, jump hosts) are
 * the platform's hosts in the Terraform stacks, so a pod is reached through them by their segment's range.
 */
function podPools(placement: SystemPlacement): ComputePool[] {
  return placement.computePools.filter((p) => p.securityService === undefined);
}

function policyPort(flow: Flow): PolicyPort | undefined {
  const { protocol, from, to } = flow.port;
  if (protocol === 'icmp') return undefined;
  const p: PolicyPort = { protocol: protocol === 'tcp' ? 'TCP' : 'UDP', port: from! };
  if (to !== from) p.endPort = to!;
  return p;
}

/** CPU as Kubernetes quantity: whole cores, or millicores. */
function cpuQuantity(cores: number): string {
  return Number.isInteger(cores) ? String(cores) : `${Math.round(cores * 1000)}m`;
}

/** Memory and storage as Kubernetes quantity: Gi, or Mi when not a whole number of GiB. */
function gibQuantity(gb: number): string {
  return Number.isInteger(gb) ? `${gb}Gi` : `${Math.round(gb * 1024)}Mi`;
}

/**
 * The namespace's compute and storage budget: what the tiers' instances request in this cluster (the
 * recovery cluster's warm standby is half size), plus one instance per tier of headroom so a rolling
 * update can start its surge pod.
 */
function resourceQuota(namespace: string, labels: Record<string, string>, pools: readonly ComputePool[]): ManifestObject {
  const sum = (f: (p: ComputePool) => number) => pools.reduce((n, p) => n + f(p), 0);
  const cpu = sum((p) => (p.instances + 1) * p.cpu);
  const memory = sum((p) => (p.instances + 1) * p.memoryGb);
  const volumes = pools.filter((p) => p.volumeGb > 0);
  const hard: Record<string, string> = {
    pods: String(sum((p) => p.instances + 1)),
    'requests.cpu': cpuQuantity(cpu),
    'limits.cpu': cpuQuantity(cpu),
    'requests.memory': gibQuantity(memory),
    'limits.memory': gibQuantity(memory),
    persistentvolumeclaims: String(volumes.reduce((n, p) => n + p.instances + 1, 0)),
    'requests.storage': gibQuantity(volumes.reduce((n, p) => n + (p.instances + 1) * p.volumeGb, 0)),
  };
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'tiers', namespace, labels }, spec: { hard } };
}

/**
 * Per-container bounds: nothing larger than the largest tier's instance, and containers that declare
 * nothing get the smallest tier's instance size, so the quota cannot be exhausted by unsized pods.
 */
function limitRange(namespace: string, labels: Record<string, string>, pools: readonly ComputePool[]): ManifestObject {
  const maxCpu = Math.max(...pools.map((p) => p.cpu));
  const maxMemory = Math.max(...pools.map((p) => p.memoryGb));
  const minCpu = Math.min(...pools.map((p) => p.cpu));
  const minMemory = Math.min(...pools.map((p) => p.memoryGb));
  const maxVolume = Math.max(...pools.map((p) => p.volumeGb));
  const limits: Record<string, unknown>[] = [
    {
      type: 'Container',
      max: { cpu: cpuQuantity(maxCpu), memory: gibQuantity(maxMemory) },
      default: { cpu: cpuQuantity(minCpu), memory: gibQuantity(minMemory) },
      defaultRequest: { cpu: cpuQuantity(minCpu), memory: gibQuantity(minMemory) },
    },
    { type: 'Pod', max: { cpu: cpuQuantity(maxCpu), memory: gibQuantity(maxMemory) } },
  ];
  if (maxVolume > 0) limits.push({ type: 'PersistentVolumeClaim', max: { storage: gibQuantity(maxVolume) } });
  return { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'tiers', namespace, labels }, spec: { limits } };
}

/** The S3 URL of a backup vault's object store, as its BackupStorageLocations name it. */
export const backupVaultS3Url = (vault: BackupVault): string => `https://${vault.endpoint}`;

/** The bucket of a backup copy, named as the backup-vaults Terraform stack creates it. */
export function backupBucketName(envName: string, systemId: string, clusterId: string, medium: string): string {
  return `ndc-${envName}-${systemId}-${clusterId}-${medium}`;
}

/**
 * Velero objects for every backup copy of the system held in another cluster's vault: a
 * BackupStorageLocation on that vault's bucket and a Schedule on the plan's cron. Backups use file-system
 * backup into the object store (volume snapshots would stay in this cluster's block storage), are kept
 * for the plan's retention, and go under a prefix named after this cluster so the primary and the
 * recovery cluster can share a bucket without seeing each other's backups.
 */
function veleroObjects(cloud: NationalCloud, placement: SystemPlacement, owned: Record<string, string>): ManifestObject[] {
  const system = placement.system;
  const plan = system.backup;
  if (!plan) return [];
  const out: ManifestObject[] = [];
  for (const copy of plan.copies) {
    if (copy.cluster === placement.cluster) continue;
    const vault = copy.cluster.backupVault;
    const name = `${system.id}-${copy.cluster.id}-${copy.medium}`;
    const labels = { ...owned, [LABEL.backupCluster]: copy.cluster.id };
    const config: Record<string, string> = {
      region: copy.cluster.id,
      s3Url: backupVaultS3Url(vault),
      s3ForcePathStyle: 'true',
      // Ceph RGW and MinIO reject the AWS SDK's default CRC32 request checksums.
      checksumAlgorithm: '',
    };
    if (plan.encrypted) {
      config.serverSideEncryption = 'aws:kms';
      config.kmsKeyId = vault.kmsKeyId;
    }
    out.push({
      apiVersion: 'velero.io/v1',
      kind: 'BackupStorageLocation',
      metadata: { name, namespace: VELERO_NAMESPACE, labels },
      spec: {
        provider: 'aws',
        objectStorage: { bucket: backupBucketName(cloud.envName, system.id, copy.cluster.id, copy.medium), prefix: placement.cluster.id },
        config,
        // A reference to the vault's access key, provisioned with Velero; no secret is in the artifact.
        credential: { name: `ndc-backup-${copy.cluster.id}`, key: 'cloud' },
        accessMode: 'ReadWrite',
        default: false,
      },
    });
    out.push({
      apiVersion: 'velero.io/v1',
      kind: 'Schedule',
      metadata: { name, namespace: VELERO_NAMESPACE, labels },
      spec: {
        schedule: plan.schedule,
        useOwnerReferencesInBackup: false,
        template: {
          includedNamespaces: [system.id],
          includeClusterResources: false,
          storageLocation: name,
          ttl: `${plan.retentionDays * 24}h0m0s`,
          snapshotVolumes: false,
          defaultVolumesToFsBackup: true,
          metadata: { labels },
        },
      },
    });
  }
  return out;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
