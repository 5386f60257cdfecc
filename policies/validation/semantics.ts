import { isIP } from 'node:net';
import { parseCidr } from '../../core/cidr';
import type { KubernetesObject, TerraformConfig } from '../rule';
import { joinPath, type ValidationFinding } from './findings';
import { crdNameOf, objectAddress, type KubernetesArtifact } from './kubernetes';
import type { TerraformArtifact } from './terraform';

/**
 * What the engines accept at plan time and fail at apply: two router ports on one subnet's gateway
 * address or one fixed address taken twice, a Velero Schedule whose storage location does not exist, a
 * NetworkPolicy that selects no pod of the system it belongs to.
 */

export const SEMANTIC_CHECK = { address: 'NDC-VAL-030', storageLocation: 'NDC-VAL-031', selectsNothing: 'NDC-VAL-032', prerequisite: 'NDC-VAL-033' } as const;

type Body = Record<string, unknown>;

interface Located {
  readonly stack: TerraformArtifact;
  readonly address: string;
  readonly body: Body;
}

const REF = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.id\}$/;
const REMOTE = /^\$\{data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)\}$/;

/**
 * The subnet a `subnet_id` value names, followed across stacks through remote-state outputs: the same
 * subnet gets the same key whichever stack attaches to it.
 */
function subnetOf(value: unknown, from: TerraformArtifact, stacks: readonly TerraformArtifact[], depth = 0): { key: string; subnet?: Located } {
  if (typeof value !== 'string' || depth > 4) return { key: `${from.stack}:${String(value)}` };
  const local = REF.exec(value);
  if (local) {
    const body = (from.config.resource?.[local[1]]?.[local[2]] ?? undefined) as Body | undefined;
    const address = `${local[1]}.${local[2]}`;
    return { key: `${from.stack}/${address}`, subnet: body && local[1] === 'openstack_networking_subnet_v2' ? { stack: from, address, body } : undefined };
  }
  const remote = REMOTE.exec(value);
  if (remote) {
    const state = ((from.config.data as Record<string, Record<string, Body>> | undefined)?.terraform_remote_state?.[remote[1]]) as Body | undefined;
    const schema = (state?.config as Body | undefined)?.schema_name ?? (state?.config as Body | undefined)?.path;
    const source = stacks.find((s) => {
      const backend = s.config.terraform?.backend as Record<string, Body> | undefined;
      const config = backend ? Object.values(backend)[0] : undefined;
      return config !== undefined && (config.schema_name ?? config.path) === schema;
    });
    const output = ((source?.config.output ?? {}) as Record<string, Body>)[remote[2]];
    if (source && output) return subnetOf(output.value, source, stacks, depth + 1);
  }
  return { key: `literal:${value}` };
}

export function validateAddresses(stacks: readonly TerraformArtifact[]): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  /** Per subnet: who takes its gateway address (router interfaces by subnet_id) and which fixed addresses are taken. */
  const gateways = new Map<string, { owner: Located; path: string }[]>();
  const fixed = new Map<string, { owner: Located; path: string }[]>();
  const subnets = new Map<string, Located | undefined>();
  for (const stack of stacks) {
    const resources = (stack.config.resource ?? {}) as TerraformConfig['resource'] & object;
    for (const [name, body] of Object.entries(resources.openstack_networking_router_interface_v2 ?? {}) as [string, Body][]) {
      if (body.subnet_id === undefined || body.port_id !== undefined) continue;
      const { key, subnet } = subnetOf(body.subnet_id, stack, stacks);
      subnets.set(key, subnet ?? subnets.get(key));
      gateways.set(key, [...(gateways.get(key) ?? []), { owner: { stack, address: `openstack_networking_router_interface_v2.${name}`, body }, path: 'subnet_id' }]);
    }
    for (const [name, body] of Object.entries(resources.openstack_networking_port_v2 ?? {}) as [string, Body][]) {
      const ips = Array.isArray(body.fixed_ip) ? (body.fixed_ip as Body[]) : body.fixed_ip ? [body.fixed_ip as Body] : [];
      ips.forEach((ip, i) => {
        if (typeof ip.ip_address !== 'string' || ip.ip_address.includes('${')) return;
        const { key, subnet } = subnetOf(ip.subnet_id, stack, stacks);
        subnets.set(key, subnet ?? subnets.get(key));
        const owner = { stack, address: `openstack_networking_port_v2.${name}`, body };
        const path = joinPath(joinPath('fixed_ip', i), 'ip_address');
        fixed.set(`${key} ${ip.ip_address}`, [...(fixed.get(`${key} ${ip.ip_address}`) ?? []), { owner, path }]);
        const cidr = typeof subnet?.body.cidr === 'string' ? parseCidr(subnet.body.cidr) : undefined;
        const address = isIP(ip.ip_address) === 4 ? parseCidr(`${ip.ip_address}/32`) : undefined;
        if (cidr && typeof cidr !== 'string' && address && typeof address !== 'string') {
          const inside = address.first >= cidr.first && address.first <= cidr.last;
          if (!inside) findings.push({ check: SEMANTIC_CHECK.address, artifact: stack.artifact, address: owner.address, path, reason: `${ip.ip_address} is outside subnet ${subnet!.address} (${String(subnet!.body.cidr)}): Neutron rejects the port` });
        }
      });
    }
  }
  for (const [key, takers] of [...gateways].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const subnet = subnets.get(key);
    const gatewayIp = typeof subnet?.body.gateway_ip === 'string' ? subnet.body.gateway_ip : undefined;
    const label = subnet ? `subnet ${subnet.address} of ${subnet.stack.stack}` : `subnet ${key}`;
    const claims = fixed.get(`${key} ${gatewayIp}`) ?? [];
    // Which claim wins depends on apply order; report all but the first in artifact order, deterministically.
    const all = [...takers, ...claims].sort((a, b) => (a.owner.stack.artifact + a.owner.address < b.owner.stack.artifact + b.owner.address ? -1 : 1));
    if (all.length < 2) continue;
    const first = all[0];
    for (const taker of all.slice(1)) {
      findings.push({
        check: SEMANTIC_CHECK.address,
        artifact: taker.owner.stack.artifact,
        address: taker.owner.address,
        path: taker.path,
        reason: `takes the gateway address${gatewayIp ? ` ${gatewayIp}` : ''} of ${label}, which ${first.owner.address} in ${first.owner.stack.stack} already holds (${all.length} claims): Neutron fails every attachment after the first; give each router its own port with its own fixed address`,
      });
    }
  }
  for (const [key, claims] of fixed) {
    if (claims.length < 2) continue;
    const [first, ...rest] = claims;
    const ip = key.slice(key.lastIndexOf(' ') + 1);
    for (const claim of rest) {
      findings.push({ check: SEMANTIC_CHECK.address, artifact: claim.owner.stack.artifact, address: claim.owner.address, path: claim.path, reason: `fixed address ${ip} is also claimed by ${first.owner.address} in ${first.owner.stack.stack} on the same subnet: the second port fails with IpAddressAlreadyAllocated` });
    }
  }
  return findings;
}

interface ScheduleSpec {
  readonly template?: { readonly storageLocation?: string };
}

/** The Kubernetes artifacts applied to one cluster (its system objects and their prerequisites). */
export interface ClusterArtifacts {
  readonly cluster: string;
  readonly artifacts: readonly KubernetesArtifact[];
}

function objectsOf(cluster: ClusterArtifacts): { artifact: string; object: KubernetesObject }[] {
  return cluster.artifacts.flatMap((a) => a.objects.map((object) => ({ artifact: a.artifact, object })));
}

/** Velero Schedules whose BackupStorageLocation is not in the same cluster and namespace (Velero marks the backups FailedValidation). */
export function validateStorageLocations(clusters: readonly ClusterArtifacts[]): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  for (const cluster of clusters) {
    const velero = objectsOf(cluster).filter((o) => o.object.apiVersion.startsWith('velero.io/'));
    const locations = velero.map((o) => o.object).filter((o) => o.kind === 'BackupStorageLocation');
    for (const { artifact, object: schedule } of velero.filter((o) => o.object.kind === 'Schedule')) {
      const name = ((schedule.spec ?? {}) as ScheduleSpec).template?.storageLocation;
      const inNamespace = locations.filter((l) => l.metadata.namespace === schedule.metadata.namespace);
      if (name === undefined || name === '') {
        if (!inNamespace.some((l) => (l.spec as { default?: boolean } | undefined)?.default === true)) {
          findings.push({ check: SEMANTIC_CHECK.storageLocation, artifact, address: objectAddress(schedule), path: 'spec.template.storageLocation', reason: `is empty and no BackupStorageLocation in namespace ${String(schedule.metadata.namespace)} is the default: every backup fails validation` });
        }
      } else if (!inNamespace.some((l) => l.metadata.name === name)) {
        findings.push({ check: SEMANTIC_CHECK.storageLocation, artifact, address: objectAddress(schedule), path: 'spec.template.storageLocation', reason: `names BackupStorageLocation ${JSON.stringify(name)}, which no artifact of cluster ${cluster.cluster} declares in namespace ${String(schedule.metadata.namespace)}: every backup fails validation` });
      }
    }
  }
  return findings;
}

/** Namespaces every cluster has before anything is applied. */
const BUILTIN_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

/**
 * What an object needs to exist in its cluster before it can be applied: the CustomResourceDefinition of
 * a custom kind, its namespace, and the Secret a BackupStorageLocation's credential names. Declared in an
 * artifact of the same cluster (the prerequisites are applied a wave earlier), or the apply fails.
 */
export function validatePrerequisites(clusters: readonly ClusterArtifacts[]): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  for (const cluster of clusters) {
    const all = objectsOf(cluster);
    // What the cluster's artifacts declare, by kind and name, and by kind, name and namespace: looked up per object, so a scan would be quadratic.
    const anywhere = new Set<string>();
    const inNamespace = new Set<string>();
    for (const { object: o } of all) {
      anywhere.add(JSON.stringify([o.kind, o.metadata.name]));
      if (o.metadata.namespace !== undefined) inNamespace.add(JSON.stringify([o.kind, o.metadata.name, o.metadata.namespace]));
    }
    const declared = (kind: string, name: string, namespace?: string) => (namespace === undefined ? anywhere : inNamespace).has(JSON.stringify(namespace === undefined ? [kind, name] : [kind, name, namespace]));
    for (const { artifact, object } of all) {
      const report = (path: string, reason: string) => findings.push({ check: SEMANTIC_CHECK.prerequisite, artifact, address: objectAddress(object), path, reason });
      const crd = crdNameOf(object.apiVersion, object.kind);
      if (crd !== undefined && !declared('CustomResourceDefinition', crd)) {
        report('kind', `needs CustomResourceDefinition ${crd}, which no artifact of cluster ${cluster.cluster} installs: the API server answers "no matches for kind ${object.kind}"`);
      }
      const ns = object.metadata.namespace;
      if (ns !== undefined && !BUILTIN_NAMESPACES.has(ns) && !declared('Namespace', ns)) {
        report('metadata.namespace', `namespace ${ns} is created by no artifact of cluster ${cluster.cluster}: the apply fails with namespaces "${ns}" not found`);
      }
      const credential = object.kind === 'BackupStorageLocation' ? (object.spec as { credential?: { name?: string } } | undefined)?.credential?.name : undefined;
      if (credential !== undefined && !declared('Secret', credential, ns)) {
        report('spec.credential.name', `names Secret ${ns}/${credential}, which no artifact of cluster ${cluster.cluster} declares: Velero cannot reach the object store`);
      }
    }
  }
  return findings;
}

/** The pods a system runs: one label set per tier (what the workloads of the system carry). */
export interface SystemPods {
  readonly id: string;
  readonly tiers: readonly { readonly name: string }[];
}

interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

export function selects(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    const ok = e.operator === 'In' ? has && values.includes(labels[e.key]) : e.operator === 'NotIn' ? !has || !values.includes(labels[e.key]) : e.operator === 'Exists' ? has : e.operator === 'DoesNotExist' ? !has : false;
    if (!ok) return false;
  }
  return true;
}

/**
 * NetworkPolicies in a system's namespace whose podSelector matches none of the system's pods (labelled
 * with the system and one of its tiers): the policy applies, admits or isolates nothing.
 */
export function validatePolicySelectors(clusters: readonly ClusterArtifacts[], systems: readonly SystemPods[], labels: { readonly system: string; readonly tier: string }): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  const byId = new Map(systems.map((s) => [s.id, s]));
  for (const cluster of clusters) {
    const all = objectsOf(cluster);
    const namespaces = new Map(all.filter((o) => o.object.apiVersion === 'v1' && o.object.kind === 'Namespace').map((o) => [o.object.metadata.name, o.object]));
    for (const { artifact, object: policy } of all.filter((o) => o.object.kind === 'NetworkPolicy' && o.object.apiVersion === 'networking.k8s.io/v1')) {
      // A policy whose namespace is never created is NDC-VAL-033's finding; here, those of a system's namespace.
      const systemId = namespaces.get(policy.metadata.namespace ?? 'default')?.metadata.labels?.[labels.system];
      const system = systemId === undefined ? undefined : byId.get(systemId);
      if (!system) continue;
      const selector = (policy.spec as { podSelector?: LabelSelector } | undefined)?.podSelector;
      const pods = system.tiers.map((t) => ({ [labels.system]: system.id, [labels.tier]: t.name }));
      if (!pods.some((pod) => selects(selector, pod))) {
        findings.push({ check: SEMANTIC_CHECK.selectsNothing, artifact, address: objectAddress(policy), path: 'spec.podSelector', reason: `selects no pod of system ${system.id} (tiers: ${system.tiers.map((t) => t.name).join(', ')}): the policy isolates and admits nothing` });
      }
    }
  }
  return findings;
}

