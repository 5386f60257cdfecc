import type { NationalCloud, RegionalCluster } from '../constructs';

/**
 * The cloud's regional clusters, read once per cloud: NationalCloud.clusters filters every child of the
 * cloud (its systems too), so a rule asking per hop or per object would grow with the square of its size.
 */
const clustersCache = new WeakMap<NationalCloud, { readonly list: readonly RegionalCluster[]; readonly byId: ReadonlyMap<string, RegionalCluster> }>();

function clustersIndex(cloud: NationalCloud): { readonly list: readonly RegionalCluster[]; readonly byId: ReadonlyMap<string, RegionalCluster> } {
  const cached = clustersCache.get(cloud);
  if (cached) return cached;
  const list = cloud.clusters;
  const byId = new Map<string, RegionalCluster>();
  for (const c of list) if (!byId.has(c.id)) byId.set(c.id, c);
  const built = { list, byId };
  clustersCache.set(cloud, built);
  return built;
}

/** cloud.clusters, in the same order. */
export function clustersOf(cloud: NationalCloud): readonly RegionalCluster[] {
  return clustersIndex(cloud).list;
}

/** The cluster with this id (the first, as cloud.clusters.find would give it). */
export function clusterWithId(cloud: NationalCloud, id: string | undefined): RegionalCluster | undefined {
  return id === undefined ? undefined : clustersIndex(cloud).byId.get(id);
}
