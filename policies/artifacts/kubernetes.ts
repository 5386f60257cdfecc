import type { InformationSystem, SystemPlacement } from '../../constructs';
import { LABEL } from '../../stacks/kubernetes/labels';
import { isPrerequisitesStack } from '../../stacks/kubernetes/prerequisites';
import type { KubernetesObject, RuleContext } from '../rule';

/**
 * Reading the Kubernetes artifacts for the kubernetes rules: what a NetworkPolicy selects and admits,
 * and which model system a namespace belongs to. Pure functions of the parsed objects and the model.
 */

export interface ClusterObject {
  /** The cluster the artifact deploys to (the key of ArtifactSet.kubernetes). */
  readonly cluster: string;
  readonly object: KubernetesObject;
}

const objectsCache = new WeakMap<object, ClusterObject[]>();
const namespacedCache = new WeakMap<object, Map<string, ClusterObject[]>>();
const systemsCache = new WeakMap<object, Map<string, InformationSystem>>();

/** Every object of every cluster, with its cluster (built once per artifact set). */
export function clusterObjects(context: RuleContext): ClusterObject[] {
  const cached = objectsCache.get(context.artifacts.kubernetes);
  if (cached) return cached;
  const out: ClusterObject[] = [];
  for (const [key, objects] of context.artifacts.kubernetes) {
    // The cluster prerequisites (Velero's CRDs, namespace, credential secrets) belong to the Velero
    // installation, whose node agent needs host paths; this pack governs the systems' objects.
    if (isPrerequisitesStack(key)) continue;
    const cluster = clusterIdOf(context, key);
    for (const object of objects) out.push({ cluster, object });
  }
  objectsCache.set(context.artifacts.kubernetes, out);
  return out;
}

/**
 * The objects of one cluster, or of one namespace in it, in artifact order. Indexed once per artifact
 * set, so rules that look at each namespace's objects stay linear in the number of objects.
 */
export function objectsIn(context: RuleContext, cluster: string, namespace?: string): readonly ClusterObject[] {
  let index = namespacedCache.get(context.artifacts.kubernetes);
  if (!index) {
    index = new Map();
    for (const o of clusterObjects(context)) {
      for (const key of [o.cluster, ...(o.object.metadata.namespace !== undefined ? [`${o.cluster}|${o.object.metadata.namespace}`] : [])]) {
        const list = index.get(key);
        if (list) list.push(o);
        else index.set(key, [o]);
      }
    }
    namespacedCache.set(context.artifacts.kubernetes, index);
  }
  return index.get(namespace === undefined ? cluster : `${cluster}|${namespace}`) ?? [];
}

/**
 * The cluster id of an ArtifactSet.kubernetes key, which may be the cluster id (`north`), the artifact
 * path (`kubernetes/north.yaml`) or the manifest's stack name (`prod-north`).
 */
const clusterIdsCache = new WeakMap<object, ReadonlySet<string>>();

export function clusterIdOf(context: RuleContext, key: string): string {
  let ids = clusterIdsCache.get(context.cloud);
  if (!ids) {
    ids = new Set(context.cloud.clusters.map((c) => c.id));
    clusterIdsCache.set(context.cloud, ids);
  }
  const candidates = [key, key.replace(/^kubernetes\//, '').replace(/\.yaml$/, ''), key.startsWith(`${context.cloud.envName}-`) ? key.slice(context.cloud.envName.length + 1) : key];
  return candidates.find((c) => ids.has(c)) ?? key;
}

/** `kubernetes/north.yaml: NetworkPolicy population-db/default-deny-ingress` */
export function subjectOf(cluster: string, object: KubernetesObject): string {
  const name = object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
  return `kubernetes/${cluster}.yaml: ${object.kind} ${name}`;
}

export function isNamespace(object: KubernetesObject): boolean {
  return object.apiVersion === 'v1' && object.kind === 'Namespace';
}

export function isNetworkPolicy(object: KubernetesObject): boolean {
  return object.apiVersion === 'networking.k8s.io/v1' && object.kind === 'NetworkPolicy';
}

/** The model system a namespace belongs to: by its system label, else by its name. */
export function systemOf(context: RuleContext, namespace: KubernetesObject | string): InformationSystem | undefined {
  const name = typeof namespace === 'string' ? namespace : (namespace.metadata.labels?.[LABEL.system] ?? namespace.metadata.name);
  let systems = systemsCache.get(context.cloud);
  if (!systems) {
    systems = new Map(context.cloud.systems.map((s) => [s.id, s]));
    systemsCache.set(context.cloud, systems);
  }
  return systems.get(name);
}

/**
 * The security level a namespace must be treated at: the higher of its model system's level and its own
 * level label, so a wrong label can never lower the bar.
 */
export function levelOf(context: RuleContext, namespace: KubernetesObject): number | undefined {
  const labelled = Number(namespace.metadata.labels?.[LABEL.level]);
  const modelled = systemOf(context, namespace)?.level;
  const levels = [Number.isInteger(labelled) ? labelled : undefined, modelled].filter((l): l is number => l !== undefined);
  return levels.length > 0 ? Math.max(...levels) : undefined;
}

export function placementOf(system: InformationSystem, cluster: string): SystemPlacement | undefined {
  return system.placements.find((p) => p.cluster.id === cluster);
}

export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: readonly { key: string; operator: string; values?: readonly string[] }[];
}

/** A selector that selects everything: `{}`. */
export function isEmptySelector(selector: unknown): boolean {
  if (selector === null || typeof selector !== 'object') return false;
  const s = selector as LabelSelector;
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

export interface NetworkPolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}

export interface NetworkPolicyPort {
  readonly protocol?: string;
  readonly port?: number | string;
  readonly endPort?: number;
}

export interface NetworkPolicyRule {
  readonly from?: readonly NetworkPolicyPeer[];
  readonly to?: readonly NetworkPolicyPeer[];
  readonly ports?: readonly NetworkPolicyPort[];
}

export interface NetworkPolicySpec {
  readonly podSelector?: LabelSelector;
  readonly policyTypes?: readonly string[];
  readonly ingress?: readonly NetworkPolicyRule[];
  readonly egress?: readonly NetworkPolicyRule[];
}

export function specOf(policy: KubernetesObject): NetworkPolicySpec {
  return (policy.spec ?? {}) as NetworkPolicySpec;
}

/** The directions a policy governs; as the API defaults them when policyTypes is omitted. */
export function policyTypesOf(spec: NetworkPolicySpec): string[] {
  if (spec.policyTypes && spec.policyTypes.length > 0) return [...spec.policyTypes];
  return ['Ingress', ...(spec.egress ? ['Egress'] : [])];
}

/**
 * The tiers a pod selector picks out of a placement: all of them for `{}`, else those named through the
 * tier label (`matchLabels` or an `In` expression). A string explains a selector that cannot be read that
 * way (other labels, other operators).
 */
export function selectedTiers(selector: LabelSelector | undefined, tiers: readonly string[]): string[] | string {
  if (selector === undefined || isEmptySelector(selector)) return [...tiers];
  const labels = Object.entries(selector.matchLabels ?? {});
  const expressions = selector.matchExpressions ?? [];
  let chosen: string[] | undefined;
  for (const [key, value] of labels) {
    if (key !== LABEL.tier) return `selects pods by label ${key}, not by ${LABEL.tier}`;
    chosen = chosen ? chosen.filter((t) => t === value) : [value];
  }
  for (const e of expressions) {
    if (e.key !== LABEL.tier || e.operator !== 'In') return `selects pods by ${e.key} ${e.operator}, not by ${LABEL.tier} In`;
    const values = [...(e.values ?? [])];
    chosen = chosen ? chosen.filter((t) => values.includes(t)) : values;
  }
  const unknown = (chosen ?? []).filter((t) => !tiers.includes(t));
  if (unknown.length > 0) return `selects tier ${unknown.join(', ')}, which the system does not have here (tiers: ${tiers.join(', ')})`;
  return chosen ?? [];
}
