import type { ArtifactSet, TerraformConfig } from '../rule';

/** Terraform JSON as the rules see it: resources with their stack and address, references resolved. */
export interface TerraformResource {
  readonly stack: string;
  readonly type: string;
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/** `terraform/cluster-north: openstack_networking_secgroup_rule_v2.x`: the subject rules report. */
export function addressOf(resource: Pick<TerraformResource, 'stack' | 'type' | 'name'>): string {
  return `terraform/${resource.stack}: ${resource.type}.${resource.name}`;
}

export function terraformResources(artifacts: ArtifactSet, type?: string): TerraformResource[] {
  const out: TerraformResource[] = [];
  for (const [stack, config] of artifacts.terraform) {
    for (const [resourceType, byName] of Object.entries(config.resource ?? {})) {
      if (type !== undefined && resourceType !== type) continue;
      for (const [name, body] of Object.entries(byName)) out.push({ stack, type: resourceType, name, config: body as Record<string, unknown> });
    }
  }
  return out;
}

/** Resolves `${type.name.attr}` to the resource it names in the same configuration. */
export function referenced(config: TerraformConfig, stack: string, value: unknown): TerraformResource | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$/.exec(value);
  if (!match) return undefined;
  const body = config.resource?.[match[1]]?.[match[2]];
  return body ? { stack, type: match[1], name: match[2], config: body as Record<string, unknown> } : undefined;
}

/** `ndc:key=value` tags as a map. */
const parsedTags = new WeakMap<object, Record<string, string>>();

export function tagsOf(resource: TerraformResource): Record<string, string> {
  const cached = parsedTags.get(resource.config);
  if (cached) return cached;
  const out: Record<string, string> = {};
  parsedTags.set(resource.config, out);
  const tags = resource.config.tags;
  if (Array.isArray(tags)) {
    for (const tag of tags) {
      if (typeof tag !== 'string') continue;
      const m = /^ndc:([^=]+)=(.*)$/.exec(tag);
      if (m) out[m[1]] = m[2];
    }
  }
  return out;
}

/** Lookups over the Terraform resources, built once per artifact set. */
export interface TerraformIndex {
  readonly networks: readonly TerraformResource[];
  readonly securityGroups: ReadonlyMap<string, TerraformResource>;
  readonly securityGroupRules: readonly TerraformResource[];
  readonly instances: readonly TerraformResource[];
  readonly volumes: readonly TerraformResource[];
  readonly routers: readonly TerraformResource[];
  readonly routerInterfaces: readonly TerraformResource[];
  readonly subnets: readonly TerraformResource[];
  readonly buckets: readonly TerraformResource[];
  readonly all: readonly TerraformResource[];
  /** Per information system (instance metadata `ndc:system`, group tag `ndc:system`, bucket tag `ndc-system`). */
  readonly instancesBySystem: ReadonlyMap<string, readonly TerraformResource[]>;
  readonly volumesBySystem: ReadonlyMap<string, readonly TerraformResource[]>;
  readonly bucketsBySystem: ReadonlyMap<string, readonly TerraformResource[]>;
  /** Security-group rules with the group they belong to, by the group's system ('' for none). */
  readonly rulesBySystem: ReadonlyMap<string, readonly { readonly rule: TerraformResource; readonly group?: TerraformResource }[]>;
}

const indexes = new WeakMap<ArtifactSet, TerraformIndex>();

/** `stack/type.name`: a key unique across stacks. */
export const keyOf = (r: Pick<TerraformResource, 'stack' | 'type' | 'name'>): string => `${r.stack}/${r.type}.${r.name}`;

export function terraformIndex(artifacts: ArtifactSet): TerraformIndex {
  const cached = indexes.get(artifacts);
  if (cached) return cached;
  const all = terraformResources(artifacts);
  const of = (type: string) => all.filter((r) => r.type === type);
  const metadataSystem = (r: TerraformResource) => (r.config.metadata as Record<string, string> | undefined)?.['ndc:system'] ?? '';
  const bucketSystem = (r: TerraformResource) => (r.config.tags as Record<string, string> | undefined)?.['ndc-system'] ?? '';
  const securityGroupRules = of('openstack_networking_secgroup_rule_v2');
  const withGroups = securityGroupRules.map((rule) => ({ rule, group: resolve(artifacts, rule, rule.config.security_group_id) }));
  const index: TerraformIndex = {
    networks: of('openstack_networking_network_v2'),
    securityGroups: new Map(of('openstack_networking_secgroup_v2').map((r) => [keyOf(r), r])),
    securityGroupRules,
    instances: of('openstack_compute_instance_v2'),
    volumes: of('openstack_blockstorage_volume_v3'),
    routers: of('openstack_networking_router_v2'),
    routerInterfaces: of('openstack_networking_router_interface_v2'),
    subnets: of('openstack_networking_subnet_v2'),
    buckets: of('minio_s3_bucket'),
    all,
    instancesBySystem: groupBy(of('openstack_compute_instance_v2'), metadataSystem),
    volumesBySystem: groupBy(of('openstack_blockstorage_volume_v3'), metadataSystem),
    bucketsBySystem: groupBy(of('minio_s3_bucket'), bucketSystem),
    rulesBySystem: groupBy(withGroups, (r) => (r.group ? (tagsOf(r.group).system ?? '') : '')),
  };
  indexes.set(artifacts, index);
  return index;
}

const byTypeCache = new WeakMap<ArtifactSet, ReadonlyMap<string, readonly TerraformResource[]>>();

/**
 * The resources of one type, in the order terraformResources gives them, from a grouping built once per
 * artifact set (rules asking per system would otherwise scan every resource for each system).
 */
export function resourcesOfType(artifacts: ArtifactSet, type: string): readonly TerraformResource[] {
  let byType = byTypeCache.get(artifacts);
  if (!byType) {
    byType = groupBy(terraformIndex(artifacts).all, (r) => r.type);
    byTypeCache.set(artifacts, byType);
  }
  return byType.get(type) ?? [];
}

/** Resolves a `${type.name.attr}` reference inside the resource's own stack. */
export function resolve(artifacts: ArtifactSet, from: Pick<TerraformResource, 'stack'>, value: unknown): TerraformResource | undefined {
  const config = artifacts.terraform.get(from.stack);
  return config ? referenced(config, from.stack, value) : undefined;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}
