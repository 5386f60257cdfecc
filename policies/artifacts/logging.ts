import { contains, mustParseCidr, parseCidr } from '../../core/cidr';
import { retentionMonthsOf, SECURITY_SOFTWARE, SIEM_PORT, type InformationSystem, type RegionalCluster } from '../../constructs';
import { requirementsFor } from '../../constructs/security-level';
import { isPrerequisitesStack } from '../../stacks/kubernetes/prerequisites';
import { COLLECTOR_EGRESS_POLICY, LOG_AGENT_NAME, LOGGING_NAMESPACE, namespaceInput } from '../../stacks/kubernetes/log-shipping';
import { LOG_BUCKET_PURPOSE, logBucketName, siemAddresses } from '../../stacks/terraform/security-agents';
import type { ArtifactSet, KubernetesObject, RuleContext } from '../rule';
import { clusterIdOf } from './kubernetes';
import { addressOf, resolve, terraformIndex, type TerraformResource } from './terraform';

/**
 * Reading log collection, SIEM forwarding, anti-malware and patching from the artifacts: which collectors
 * a cluster's Terraform declares, what each system instance's cloud-init configures, what the collectors
 * do with each system's logs, the log bucket and its object lock, the Kubernetes log agent. Each finder
 * returns the missing pieces as sentences a reviewer can act on (empty when the control is in place).
 */

interface Opening {
  readonly direction: string;
  readonly protocol: string;
  readonly from?: number;
  readonly to?: number;
  readonly prefix?: string;
}

export interface CollectionIndex {
  /** Collection service instances by `cluster|service`. */
  readonly services: ReadonlyMap<string, readonly TerraformResource[]>;
  /** The rules of each security group, by `stack/type.name` of the group. */
  readonly rulesOfGroup: ReadonlyMap<string, readonly Opening[]>;
  /** Subnet CIDR by `stack|${network ref}`. */
  readonly subnetOfNetwork: ReadonlyMap<string, string>;
  /** minio_s3_bucket resources tagged as a system's log bucket, by system. */
  readonly logBuckets: ReadonlyMap<string, readonly TerraformResource[]>;
  /** Object lock configurations by `stack|${bucket ref}`. */
  readonly locks: ReadonlyMap<string, TerraformResource>;
}

const indexes = new WeakMap<object, CollectionIndex>();

const numberOf = (v: unknown) => (v === undefined ? undefined : Number(v));
const groupKey = (r: Pick<TerraformResource, 'stack' | 'type' | 'name'>) => `${r.stack}/${r.type}.${r.name}`;

export function collectionIndex(context: RuleContext): CollectionIndex {
  const cached = indexes.get(context.artifacts);
  if (cached) return cached;
  const tf = terraformIndex(context.artifacts);
  const services = new Map<string, TerraformResource[]>();
  for (const instance of tf.instances) {
    const metadata = (instance.config.metadata ?? {}) as Record<string, string>;
    const service = metadata['ndc:service'];
    if (!service) continue;
    const key = `${metadata['ndc:cluster'] ?? instance.stack.replace(/^cluster-/, '')}|${service}`;
    (services.get(key) ?? services.set(key, []).get(key)!).push(instance);
  }
  const rulesOfGroup = new Map<string, Opening[]>();
  for (const rule of tf.securityGroupRules) {
    const group = resolve(context.artifacts, rule, rule.config.security_group_id);
    if (!group) continue;
    const c = rule.config;
    const opening: Opening = { direction: String(c.direction), protocol: String(c.protocol ?? 'any'), from: numberOf(c.port_range_min), to: numberOf(c.port_range_max), prefix: typeof c.remote_ip_prefix === 'string' ? c.remote_ip_prefix : undefined };
    const key = groupKey(group);
    (rulesOfGroup.get(key) ?? rulesOfGroup.set(key, []).get(key)!).push(opening);
  }
  const subnetOfNetwork = new Map<string, string>();
  for (const subnet of tf.subnets) subnetOfNetwork.set(`${subnet.stack}|${String(subnet.config.network_id)}`, String(subnet.config.cidr));
  const logBuckets = new Map<string, TerraformResource[]>();
  for (const bucket of tf.buckets) {
    const tags = (bucket.config.tags ?? {}) as Record<string, string>;
    if (tags['ndc-purpose'] !== LOG_BUCKET_PURPOSE || !tags['ndc-system']) continue;
    (logBuckets.get(tags['ndc-system']) ?? logBuckets.set(tags['ndc-system'], []).get(tags['ndc-system'])!).push(bucket);
  }
  const locks = new Map<string, TerraformResource>();
  for (const lock of tf.all) if (lock.type === 'minio_s3_bucket_object_lock_configuration') locks.set(`${lock.stack}|${String(lock.config.bucket)}`, lock);
  const index = { services, rulesOfGroup, subnetOfNetwork, logBuckets, locks };
  indexes.set(context.artifacts, index);
  return index;
}

/** The fixed addresses of a collection service's instances in a cluster, with the instances. */
function serviceInstances(context: RuleContext, cluster: string, service: string): { instances: readonly TerraformResource[]; addresses: string[] } {
  const instances = collectionIndex(context).services.get(`${cluster}|${service}`) ?? [];
  const addresses = instances.flatMap((i) => ((i.config.network ?? []) as { fixed_ip_v4?: string }[]).map((n) => n.fixed_ip_v4)).filter((a): a is string => typeof a === 'string');
  return { instances, addresses };
}

const inRange = (prefix: string | undefined, address: string): boolean => {
  if (prefix === undefined) return false;
  const block = parseCidr(prefix);
  return typeof block !== 'string' && contains(block, mustParseCidr(`${address}/32`));
};
const opens = (o: Opening, port: number) => o.protocol === 'tcp' && o.from !== undefined && o.to !== undefined && o.from <= port && port <= o.to;

/** The rules of the security groups an instance is in. */
function instanceRules(context: RuleContext, instance: TerraformResource): Opening[] {
  const groups = (instance.config.security_groups ?? []) as unknown[];
  return groups.flatMap((g) => {
    const group = resolve(context.artifacts, instance, g);
    return group ? [...(collectionIndex(context).rulesOfGroup.get(groupKey(group)) ?? [])] : [];
  });
}

/** The subnet CIDR of an instance's first network. */
function segmentOf(context: RuleContext, instance: TerraformResource): string | undefined {
  const network = ((instance.config.network ?? []) as { uuid?: string }[])[0]?.uuid;
  return network === undefined ? undefined : collectionIndex(context).subnetOfNetwork.get(`${instance.stack}|${network}`);
}

/** An instance's user data: its text, or the text of the Terraform local it names (one per pool). */
export function userDataOf(context: RuleContext, instance: TerraformResource): string {
  const value = instance.config.user_data;
  if (typeof value !== 'string') return '';
  const local = /^\$\{local\.([A-Za-z0-9_-]+)\}$/.exec(value);
  if (!local) return value;
  const text = (context.artifacts.terraform.get(instance.stack)?.locals as Record<string, unknown> | undefined)?.[local[1]];
  return typeof text === 'string' ? text : '';
}

/** `host` and `port` of every `[NODE]` of a Fluent Bit upstream in a text (user data or a ConfigMap). */
export function upstreamNodes(text: string): { host: string; port: number }[] {
  const out: { host: string; port: number }[] = [];
  for (const match of text.matchAll(/\[NODE\][^[]*?host\s+(\S+)\s+port\s+(\d+)/g)) out.push({ host: match[1], port: Number(match[2]) });
  return out;
}

/** The system's instances in one cluster's stack. */
function instancesIn(context: RuleContext, system: InformationSystem, cluster: RegionalCluster): TerraformResource[] {
  return (terraformIndex(context.artifacts).instancesBySystem.get(system.id) ?? []).filter((i) => i.stack === `cluster-${cluster.id}`);
}

const shortList = (items: readonly string[], max = 3) => (items.length > max ? `${items.slice(0, max).join(', ')} and ${items.length - max} more` : items.join(', '));

/**
 * Log shipping of a system in one cluster: the cluster's collectors exist with their forward port open to
 * the system's segments, each system instance's Fluent Bit forwards to them and its security group lets
 * it, and (where the system has Kubernetes objects) the log agent DaemonSet tails the system's namespace
 * and may reach the collectors.
 */
export function logShippingProblems(context: RuleContext, system: InformationSystem, cluster: RegionalCluster): string[] {
  const collector = cluster.logCollector;
  if (!collector) return [`cluster ${cluster.id} has no management zone for log collectors`];
  const port = collector.port.from!;
  const { instances: collectors, addresses } = serviceInstances(context, cluster.id, collector.name);
  if (collectors.length === 0) return [`no log collector in cluster ${cluster.id} (terraform/cluster-${cluster.id}: no openstack_compute_instance_v2 with ndc:service=${collector.name})`];
  const collectorRules = instanceRules(context, collectors[0]);
  const problems: string[] = [];
  const notShipping: string[] = [];
  const blocked: string[] = [];
  const notAdmitted: string[] = [];
  for (const instance of instancesIn(context, system, cluster)) {
    const userData = userDataOf(context, instance);
    const nodes = upstreamNodes(userData).filter((n) => addresses.includes(n.host) && n.port === port);
    if (!userData.includes(`[${SECURITY_SOFTWARE.logAgent.package}, `) || nodes.length === 0) notShipping.push(instance.name);
    else if (!instanceRules(context, instance).some((o) => o.direction === 'egress' && opens(o, port) && nodes.some((n) => inRange(o.prefix, n.host)))) blocked.push(instance.name);
    const segment = segmentOf(context, instance);
    if (segment && !collectorRules.some((o) => o.direction === 'ingress' && opens(o, port) && o.prefix === segment)) notAdmitted.push(`${instance.name} (${segment})`);
  }
  if (notShipping.length) problems.push(`${shortList(notShipping)} in ${cluster.id} ship no logs to the collectors (no Fluent Bit forwarding to ${addresses.join(', ')}:${port} in user_data)`);
  if (blocked.length) problems.push(`${shortList(blocked)} in ${cluster.id} may not send to the collectors (no egress tcp/${port} to them in their security group)`);
  if (notAdmitted.length) problems.push(`the log collectors of ${cluster.id} do not admit ${shortList(notAdmitted)} on tcp/${port}`);
  problems.push(...kubernetesShippingProblems(context, system, cluster, addresses, port));
  return problems;
}

interface ClusterLogging {
  /** Names of the Namespace objects in the cluster's own (not prerequisite) artifacts. */
  readonly namespaces: ReadonlySet<string>;
  readonly prerequisites: readonly KubernetesObject[];
}

const clusterLoggingCache = new WeakMap<object, ReadonlyMap<string, ClusterLogging>>();

/** Per cluster id: its namespaces and its prerequisites' objects, read once per artifact set. */
function clusterLoggingOf(context: RuleContext, cluster: string): ClusterLogging | undefined {
  let byCluster = clusterLoggingCache.get(context.artifacts.kubernetes);
  if (!byCluster) {
    const built = new Map<string, { namespaces: Set<string>; prerequisites: readonly KubernetesObject[] }>();
    for (const [key, objects] of context.artifacts.kubernetes) {
      const isPrerequisites = isPrerequisitesStack(key);
      const id = clusterIdOf(context, isPrerequisites ? key.slice(0, -'-prerequisites'.length) : key.replace(/^kubernetes\/prerequisites\//, 'kubernetes/'));
      const entry = built.get(id) ?? built.set(id, { namespaces: new Set(), prerequisites: [] }).get(id)!;
      if (isPrerequisites || key.includes('/prerequisites/')) entry.prerequisites = objects;
      else for (const o of objects) if (o.kind === 'Namespace') entry.namespaces.add(o.metadata.name);
    }
    byCluster = built;
    clusterLoggingCache.set(context.artifacts.kubernetes, byCluster);
  }
  return byCluster.get(cluster);
}

/** The log agent of a cluster's Kubernetes prerequisites, when the system has a namespace there. */
function kubernetesShippingProblems(context: RuleContext, system: InformationSystem, cluster: RegionalCluster, addresses: readonly string[], port: number): string[] {
  const logging = clusterLoggingOf(context, cluster.id);
  const systemNamespace = logging?.namespaces.has(system.id) ?? false;
  const prerequisites = logging?.prerequisites ?? [];
  if (!systemNamespace) return [];
  const where = `kubernetes/prerequisites/${cluster.id}.yaml`;
  const of = (kind: string, name: string) => prerequisites.find((o) => o.kind === kind && o.metadata.name === name && o.metadata.namespace === LOGGING_NAMESPACE);
  const daemonSet = of('DaemonSet', LOG_AGENT_NAME);
  if (!daemonSet) return [`namespace ${system.id} in ${cluster.id} ships no logs: no DaemonSet ${LOGGING_NAMESPACE}/${LOG_AGENT_NAME} in ${where}`];
  const config = prerequisites.find((o) => o.kind === 'ConfigMap' && o.metadata.namespace === LOGGING_NAMESPACE) as (KubernetesObject & { data?: Record<string, string> }) | undefined;
  const text = Object.values(config?.data ?? {}).join('\n');
  const problems: string[] = [];
  if (!text.includes(namespaceInput(system.id))) problems.push(`the log agent of ${cluster.id} does not tail namespace ${system.id} (no input for /var/log/containers/*_${system.id}_*.log in ${where})`);
  if (!upstreamNodes(text).some((n) => addresses.includes(n.host) && n.port === port)) problems.push(`the log agent of ${cluster.id} forwards to no log collector (${where})`);
  const policy = of('NetworkPolicy', COLLECTOR_EGRESS_POLICY) as (KubernetesObject & { spec?: { egress?: { to?: { ipBlock?: { cidr?: string } }[]; ports?: { port?: number }[] }[] } }) | undefined;
  const egressOk = (policy?.spec?.egress ?? []).some((e) => (e.ports ?? []).some((p) => p.port === port) && (e.to ?? []).some((t) => addresses.some((a) => inRange(t.ipBlock?.cidr, a))));
  if (!egressOk) problems.push(`the log agent of ${cluster.id} may not reach the collectors (no NetworkPolicy ${LOGGING_NAMESPACE}/${COLLECTOR_EGRESS_POLICY} to them on tcp/${port})`);
  return problems;
}

const matchesCache = new Map<string, ReadonlyMap<string, string>>();

/**
 * The `<match system.<id>.**>` block of a collector's Fluentd configuration, when it has one. The blocks are
 * indexed by system id once per configuration text (the first block of each, up to its `</match>`): every
 * system asks, and the text lists them all.
 */
export function collectorMatch(userData: string, systemId: string): string | undefined {
  let blocks = matchesCache.get(userData);
  if (!blocks) {
    const built = new Map<string, string>();
    const open = '<match system.';
    for (let start = userData.indexOf(open); start >= 0; start = userData.indexOf(open, start + 1)) {
      const close = userData.indexOf('.**>', start + open.length);
      if (close < 0) break;
      const id = userData.slice(start + open.length, close);
      if (built.has(id)) continue;
      const end = userData.indexOf('</match>', start);
      if (end >= 0) built.set(id, userData.slice(start, end));
      else built.set(id, '');
    }
    // One configuration per cluster is asked about; clearing past 16 keeps the cache from growing without bound.
    if (matchesCache.size >= 16) matchesCache.clear();
    blocks = built;
    matchesCache.set(userData, blocks);
  }
  const block = blocks.get(systemId);
  return block === '' ? undefined : block;
}

/**
 * The collectors of a cluster archive the system's logs to its log bucket, which is object-locked for the
 * level's retention (compliance mode from level 4) in a vault the collectors may reach.
 */
export function logArchiveProblems(context: RuleContext, system: InformationSystem, cluster: RegionalCluster): string[] {
  const collector = cluster.logCollector;
  const { instances: collectors } = serviceInstances(context, cluster.id, collector?.name ?? 'log-collector');
  if (collectors.length === 0) return [];
  const bucketName = logBucketName(context.cloud.envName, system.id);
  const userData = userDataOf(context, collectors[0]);
  const match = collectorMatch(userData, system.id);
  if (!match || !match.includes('@type s3') || !match.includes(`s3_bucket ${bucketName}`)) return [`the log collectors of ${cluster.id} do not archive ${system.id}'s logs (no <match system.${system.id}.**> with an s3 store to ${bucketName} in ${addressOf(collectors[0])}.user_data)`];
  return [];
}

/** The system's log bucket and its object lock, judged against the level's retention and immutability. */
export function logBucketProblems(context: RuleContext, system: InformationSystem): string[] {
  const need = requirementsFor(system.level).logRetentionMonths;
  const buckets = collectionIndex(context).logBuckets.get(system.id) ?? [];
  const bucketName = logBucketName(context.cloud.envName, system.id);
  const bucket = buckets.find((b) => b.config.bucket === bucketName);
  if (!bucket) return [`no log bucket ${bucketName} (terraform/backup-vaults: minio_s3_bucket tagged ndc-purpose=${LOG_BUCKET_PURPOSE})`];
  if (need === 0) return [];
  const problems: string[] = [];
  if (bucket.config.object_locking !== true) problems.push(`log bucket ${bucketName} has no object locking`);
  const lock = collectionIndex(context).locks.get(`${bucket.stack}|\${${bucket.type}.${bucket.name}.bucket}`);
  const retention = ((((lock?.config.rule ?? []) as { default_retention?: { mode?: string; days?: number; years?: number }[] }[])[0]?.default_retention ?? [])[0]) ?? undefined;
  if (!lock || !retention) return [...problems, `log bucket ${bucketName} has no default object-lock retention (minio_s3_bucket_object_lock_configuration)`];
  const months = retentionMonthsOf(retention);
  if (months < need) problems.push(`log bucket ${bucketName} locks logs for ${months} months, below the ${need} months level ${system.level} requires`);
  if (system.level >= 4 && retention.mode !== 'COMPLIANCE') problems.push(`log bucket ${bucketName} is locked in ${String(retention.mode)} mode; level ${system.level} logs must be immutable (COMPLIANCE)`);
  if (system.level >= 4 && system.tiers.some((t) => t.zone === 'backup')) problems.push(`log bucket ${bucketName} is in the backup zone, where the system has a tier: level ${system.level} logs must be kept in a separate zone`);
  return problems;
}

/**
 * SIEM forwarding of a level 3+ system: the collectors of each cluster it runs in send its logs to the SIEM
 * (an opensearch store in its match), may reach the SIEM's port, and the SIEM exists and admits them.
 */
export function siemProblems(context: RuleContext, system: InformationSystem, cluster: RegionalCluster): string[] {
  const collector = cluster.logCollector;
  const { instances: collectors } = serviceInstances(context, cluster.id, collector?.name ?? 'log-collector');
  if (!collector || collectors.length === 0) return [`no log collector in cluster ${cluster.id} to forward ${system.id}'s logs to the SIEM`];
  const siem = siemAddresses(context.cloud);
  const siemInstances = siemInstancesOf(context.artifacts);
  if (siemInstances.length === 0) return ['no SIEM in the national core (terraform/national-core: no openstack_compute_instance_v2 with ndc:service=siem)'];
  const siemPort = SIEM_PORT;
  const userData = userDataOf(context, collectors[0]);
  const match = collectorMatch(userData, system.id) ?? '';
  const problems: string[] = [];
  if (!match.includes('@type opensearch') || !siem.some((a) => match.includes(`https://${a}:${siemPort}`))) problems.push(`the log collectors of ${cluster.id} do not forward ${system.id}'s logs to the SIEM (no opensearch store to ${siem.join(', ')}:${siemPort} in its match)`);
  if (!instanceRules(context, collectors[0]).some((o) => o.direction === 'egress' && opens(o, siemPort) && siem.some((a) => inRange(o.prefix, a)))) problems.push(`the log collectors of ${cluster.id} may not reach the SIEM (no egress tcp/${siemPort} to it)`);
  const management = cluster.hasSegment('management') ? cluster.segment('management').cidr.text : undefined;
  if (!instanceRules(context, siemInstances[0]).some((o) => o.direction === 'ingress' && opens(o, siemPort) && o.prefix === management)) problems.push(`the SIEM does not admit the management zone of ${cluster.id} on tcp/${siemPort}`);
  return problems;
}

const siemCache = new WeakMap<ArtifactSet, readonly TerraformResource[]>();

/** The SIEM's instances (metadata ndc:service=siem), once per artifact set. */
function siemInstancesOf(artifacts: ArtifactSet): readonly TerraformResource[] {
  const cached = siemCache.get(artifacts);
  if (cached) return cached;
  const found = terraformIndex(artifacts).instances.filter((i) => (i.config.metadata as Record<string, string> | undefined)?.['ndc:service'] === 'siem');
  siemCache.set(artifacts, found);
  return found;
}

/**
 * Anti-malware and central patching on a system's instances in a cluster: cloud-init installs ClamAV
 * (daemon and freshclam with the cluster's patch mirror as its private mirror) and unattended-upgrades
 * with the patch mirror as the only package source, and the instance may reach the mirror.
 */
export function endpointProtectionProblems(context: RuleContext, system: InformationSystem, cluster: RegionalCluster): string[] {
  const mirror = cluster.collectionServices.find((s) => s.purpose === 'patches');
  if (!mirror) return [`cluster ${cluster.id} has no management zone for the patch mirror`];
  const port = mirror.port.from!;
  const { instances: mirrors, addresses } = serviceInstances(context, cluster.id, mirror.name);
  if (mirrors.length === 0) return [`no patch mirror in cluster ${cluster.id} (terraform/cluster-${cluster.id}: no openstack_compute_instance_v2 with ndc:service=${mirror.name})`];
  const noAntiMalware: string[] = [];
  const noPatching: string[] = [];
  const blocked: string[] = [];
  for (const instance of instancesIn(context, system, cluster)) {
    const userData = userDataOf(context, instance);
    const freshclamMirror = addresses.some((a) => userData.includes(`PrivateMirror http://${a}/`));
    if (!SECURITY_SOFTWARE.antiMalware.packages.every((p) => userData.includes(`  - ${p}\n`)) || !freshclamMirror || !userData.includes('clamav-daemon, clamav-clamonacc')) noAntiMalware.push(instance.name);
    if (!userData.includes('  - unattended-upgrades\n') || !addresses.some((a) => userData.includes(`uri: http://${a}/ubuntu`))) noPatching.push(instance.name);
    if (!instanceRules(context, instance).some((o) => o.direction === 'egress' && opens(o, port) && addresses.some((a) => inRange(o.prefix, a)))) blocked.push(instance.name);
  }
  const problems: string[] = [];
  if (noAntiMalware.length) problems.push(`${shortList(noAntiMalware)} in ${cluster.id} run no anti-malware (no ClamAV daemon with on-access scanning and signatures from the patch mirror in user_data)`);
  if (noPatching.length) problems.push(`${shortList(noPatching)} in ${cluster.id} are not patched centrally (no unattended-upgrades against the patch mirror in user_data)`);
  if (blocked.length) problems.push(`${shortList(blocked)} in ${cluster.id} may not reach the patch mirror (no egress tcp/${port} to it)`);
  return problems;
}
