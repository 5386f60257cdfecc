import { latestEvidence, type LoadedEvidenceRecord } from '../../environments/evidence';
import { requirementsFor, type NationalCloud, type RegionalCluster } from '../../constructs';
import type { Flow, NetworkSegment } from '../../constructs/network';
import type { SystemPlacement } from '../../constructs/information-system';
import { nextDue } from '../rules/support';
import type { Diagram, DiagramEdge, DiagramGroup, DiagramNode } from './diagram';

/**
 * What the report draws and lists about the cloud itself, taken from the model: the inventory of systems
 * and the diagrams (national view, one per cluster, one per system). Plain data, so the HTML renderer
 * needs no construct.
 */

export interface InventoryEntry {
  readonly id: string;
  readonly name: string;
  readonly ownerAgency: string;
  readonly level: number;
  readonly classification: string;
  readonly personalData: boolean;
  readonly primary: string;
  readonly recovery?: string;
  readonly isolation: string;
  readonly zones: readonly string[];
  /** The last dated assessment, and when the next one is due (the level's interval after it). */
  readonly assessment?: { readonly lastAssessed: string; readonly assessor: string; readonly due: string; readonly overdue: boolean; readonly everyMonths: number };
  readonly assessmentEveryMonths: number;
}

export interface CloudPicture {
  readonly inventory: readonly InventoryEntry[];
  readonly national: Diagram;
  readonly clusters: readonly { readonly id: string; readonly name: string; readonly diagram: Diagram }[];
  readonly systems: ReadonlyMap<string, Diagram>;
}

/**
 * Past these sizes a diagram is folded (systems counted per cluster and level instead of drawn one by one)
 * and per-system diagrams are left out: layout time grows faster than linearly and a picture of
 * hundreds of boxes informs nobody.
 */
export const DIAGRAM_LIMITS = { nationalPlacements: 40, dedicatedNetworksPerCluster: 6, zoneUsersListed: 8, systemDiagrams: 60 } as const;

const EXTERNAL_LABEL = { internet: ['internet'], 'gov-network': ['government network'] } as const;

function externalNodes(cloud: NationalCloud, used: ReadonlySet<string>): DiagramNode[] {
  const nodes: DiagramNode[] = [];
  if (used.has('internet')) nodes.push({ id: 'internet', lines: [...EXTERNAL_LABEL.internet, '0.0.0.0/0'], kind: 'external' });
  if (used.has('gov-network')) nodes.push({ id: 'gov-network', lines: [...EXTERNAL_LABEL['gov-network'], cloud.govNetwork.text], kind: 'external' });
  return nodes;
}

const segmentNode = (segment: NetworkSegment) => `seg:${segment.node.path}`;
const peerNode = (flow: Flow) => (typeof flow.from === 'string' ? flow.from : segmentNode(flow.from));

/** Flows between the same two boxes become one arrow listing each service once. */
function mergedEdges(edges: readonly { from: string; to: string; label: string }[]): DiagramEdge[] {
  const merged = new Map<string, { from: string; to: string; labels: string[] }>();
  for (const e of edges) {
    const key = `${e.from} ${e.to}`;
    const entry = merged.get(key) ?? { from: e.from, to: e.to, labels: [] };
    if (!entry.labels.includes(e.label)) entry.labels.push(e.label);
    merged.set(key, entry);
  }
  return [...merged.values()].map((e) => ({ from: e.from, to: e.to, label: e.labels.join(', '), kind: 'flow' as const }));
}

function placementsIn(cloud: NationalCloud, cluster: RegionalCluster): SystemPlacement[] {
  return cloud.systems.flatMap((s) => s.placements.filter((p) => p.cluster === cluster));
}

const clusterLabel = (c: RegionalCluster) => `${c.displayName} (${c.id}, ${c.cidr.text})`;

/** One cluster: its shared zones, each dedicated network with its zones, the external networks, the flows. */
function clusterDiagram(cloud: NationalCloud, cluster: RegionalCluster, failing: ReadonlySet<string>): Diagram {
  const groups: DiagramGroup[] = [{ id: cluster.id, label: clusterLabel(cluster) }];
  const nodes: DiagramNode[] = [];
  const placements = placementsIn(cloud, cluster);
  const sharedUsers = new Map<string, string[]>();
  for (const p of placements.filter((q) => !q.ownsSegments)) {
    for (const pool of p.computePools) {
      const list = sharedUsers.get(pool.segment.zone) ?? [];
      list.push(`${p.system.id}/${pool.tier}${p.role === 'recovery' ? ' (recovery)' : ''}`);
      sharedUsers.set(pool.segment.zone, list);
    }
  }
  for (const segment of cluster.allSegments) {
    const all = sharedUsers.get(segment.zone) ?? [];
    const users = all.length > DIAGRAM_LIMITS.zoneUsersListed ? [`${all.length} tiers of ${new Set(all.map((u) => u.split('/')[0])).size} systems`] : all;
    const failed = placements.some((p) => !p.ownsSegments && failing.has(p.system.id) && p.segments.includes(segment));
    nodes.push({ id: segmentNode(segment), lines: [segment.zone, segment.cidr.text, ...users], kind: 'zone', group: cluster.id, failed });
  }
  const dedicated = placements.filter((q) => q.ownsSegments);
  const folded = dedicated.length > DIAGRAM_LIMITS.dedicatedNetworksPerCluster;
  const foldedNode = (p: SystemPlacement) => `dedicated:${cluster.id}/level-${p.system.level}`;
  if (folded) {
    for (const level of [...new Set(dedicated.map((p) => p.system.level))].sort()) {
      const of = dedicated.filter((p) => p.system.level === level);
      nodes.push({ id: `dedicated:${cluster.id}/level-${level}`, lines: [`level ${level}: ${of.length} dedicated networks`, `${of.filter((p) => p.role === 'primary').length} primary, ${of.filter((p) => p.role === 'recovery').length} recovery`], kind: 'system', group: cluster.id, failed: of.some((p) => failing.has(p.system.id)) });
    }
  }
  for (const p of folded ? [] : dedicated) {
    const group = `${cluster.id}/${p.system.id}`;
    groups.push({ id: group, label: `${p.system.id} (level ${p.system.level}, ${p.role}): ${p.dedicatedNetwork!.text}`, parent: cluster.id });
    for (const segment of p.segments) {
      const tiers = p.computePools.filter((pool) => pool.segment === segment).map((pool) => `${pool.tier} x${pool.instances}`);
      nodes.push({ id: segmentNode(segment), lines: [segment.zone, segment.cidr.text, ...tiers], kind: 'zone', group, failed: failing.has(p.system.id) });
    }
  }
  const flows = placements.flatMap((p) =>
    folded && p.ownsSegments
      ? p.flows.filter((f) => typeof f.from === 'string').map((f) => ({ from: peerNode(f), to: foldedNode(p), label: `${f.port.toString()} to ${f.to.zone}` }))
      : p.flows.map((f) => ({ from: peerNode(f), to: segmentNode(f.to), label: f.port.toString() })),
  );
  nodes.unshift(...externalNodes(cloud, new Set(flows.map((f) => f.from))));
  return { title: `Cluster ${clusterLabel(cluster)}: zones, systems and allowed flows`, groups, nodes, edges: mergedEdges(flows) };
}

/** The national view: each cluster with the systems placed there, what reaches them from outside, and recovery links. */
function nationalDiagram(cloud: NationalCloud, failing: ReadonlySet<string>): Diagram {
  const groups: DiagramGroup[] = cloud.clusters.map((c) => ({ id: c.id, label: clusterLabel(c) }));
  const nodes: DiagramNode[] = [];
  const edges: { from: string; to: string; label: string }[] = [];
  const replication: DiagramEdge[] = [];
  const placements = cloud.systems.reduce((n, s) => n + s.placements.length, 0);
  if (placements > DIAGRAM_LIMITS.nationalPlacements) {
    // Folded: one box per cluster and level, counting the systems placed there.
    for (const c of cloud.clusters) {
      const here = placementsIn(cloud, c);
      for (const level of [...new Set(here.map((p) => p.system.level))].sort()) {
        const of = here.filter((p) => p.system.level === level);
        const id = `level:${c.id}/${level}`;
        nodes.push({ id, lines: [`level ${level}: ${new Set(of.map((p) => p.system.id)).size} systems`, `${of.filter((p) => p.role === 'primary').length} primary, ${of.filter((p) => p.role === 'recovery').length} recovery`], kind: 'system', group: c.id, failed: of.some((p) => failing.has(p.system.id)) });
        for (const p of of) for (const f of p.flows) if (typeof f.from === 'string') edges.push({ from: f.from, to: id, label: `${f.port.toString()} to ${f.to.zone}` });
      }
    }
  }
  for (const system of placements > DIAGRAM_LIMITS.nationalPlacements ? [] : cloud.systems) {
    for (const p of system.placements) {
      const id = `sys:${system.id}@${p.cluster.id}`;
      nodes.push({
        id,
        lines: [system.id, `level ${system.level}, ${p.role}${p.ownsSegments ? ', dedicated network' : ''}`, system.zones.join(', ')],
        kind: 'system',
        group: p.cluster.id,
        failed: failing.has(system.id),
      });
      for (const f of p.flows) if (typeof f.from === 'string') edges.push({ from: f.from, to: id, label: `${f.port.toString()} to ${f.to.zone}` });
    }
    const [primary, ...recovery] = system.placements;
    for (const r of recovery) replication.push({ from: `sys:${system.id}@${primary.cluster.id}`, to: `sys:${system.id}@${r.cluster.id}`, label: 'recovery', kind: 'replication' });
  }
  // Clusters without systems still appear, as a box saying so.
  for (const c of cloud.clusters) if (!nodes.some((n) => n.group === c.id)) nodes.push({ id: `empty:${c.id}`, lines: ['no system placed', c.zones.join(', ')], kind: 'cluster', group: c.id });
  nodes.unshift(...externalNodes(cloud, new Set(edges.map((e) => e.from))));
  return { title: `National view: ${cloud.clusters.length} cluster(s), ${cloud.systems.length} system(s); dashed: recovery placement`, groups, nodes, edges: [...mergedEdges(edges), ...replication] };
}

/** One system: its zones in each cluster it runs in, the flows into and between them. */
function systemDiagram(cloud: NationalCloud, systemId: string, failing: ReadonlySet<string>): Diagram {
  const system = cloud.system(systemId);
  const groups: DiagramGroup[] = [];
  const nodes: DiagramNode[] = [];
  const flows: { from: string; to: string; label: string }[] = [];
  for (const p of system.placements) {
    const group = `${p.cluster.id}/${system.id}`;
    groups.push({ id: group, label: `${p.cluster.displayName}: ${p.role}${p.dedicatedNetwork ? ` (dedicated ${p.dedicatedNetwork.text})` : ' (shared zones)'}` });
    for (const segment of p.segments) {
      const tiers = p.computePools.filter((pool) => pool.segment === segment).map((pool) => `${pool.tier} x${pool.instances} ${pool.flavor}`);
      nodes.push({ id: `${p.cluster.id}:${segmentNode(segment)}`, lines: [segment.zone, segment.cidr.text, ...tiers], kind: 'zone', group, failed: failing.has(system.id) && tiers.length > 0 });
    }
    for (const f of p.flows) flows.push({ from: typeof f.from === 'string' ? f.from : `${p.cluster.id}:${segmentNode(f.from)}`, to: `${p.cluster.id}:${segmentNode(f.to)}`, label: f.port.toString() });
    // The cluster's zones the system's flows reach outside its own (its logs to the cluster's collectors,
    // its updates from the patch mirror, in the cluster's management zone): drawn beside the system's, with
    // the services they hold, so no arrow ends nowhere.
    const own = new Set(p.segments);
    const services = new Map<NetworkSegment, Set<string>>();
    for (const f of p.flows) {
      for (const end of [f.from, f.to]) {
        if (typeof end === 'string' || own.has(end)) continue;
        const names = services.get(end) ?? new Set<string>();
        if (f.collection !== undefined && end === f.to) names.add(f.collection);
        services.set(end, names);
      }
    }
    if (services.size > 0) {
      const shared = `${p.cluster.id}/${system.id}/cluster`;
      groups.push({ id: shared, label: `${p.cluster.displayName}: the cluster's services` });
      for (const [segment, names] of services) {
        nodes.push({ id: `${p.cluster.id}:${segmentNode(segment)}`, lines: [segment.zone, segment.cidr.text, ...(names.size > 0 ? [[...names].sort().join(', ')] : [])], kind: 'zone', group: shared });
      }
    }
  }
  nodes.unshift(...externalNodes(cloud, new Set(flows.map((f) => f.from))));
  return { title: `${system.displayName}: zones and allowed flows per cluster`, groups, nodes, edges: mergedEdges(flows) };
}

/** The inventory and diagrams of a cloud; `failing` names systems with a failed finding (drawn red). */
export function cloudPicture(cloud: NationalCloud, asOf: string, failing: ReadonlySet<string> = new Set(), evidence: readonly LoadedEvidenceRecord[] = []): CloudPicture {
  const inventory = cloud.systems.map((s): InventoryEntry => {
    const months = requirementsFor(s.level).assessmentMonths;
    // The latest assessment evidence record (evidence/<env>/), as NDC-LVL-008 reads it.
    const last = latestEvidence(evidence, s.id, 'assessment');
    const assessment = last ? { lastAssessed: last.performed, assessor: last.by, everyMonths: months, ...nextDue(last.performed, months, asOf) } : undefined;
    return {
      id: s.id,
      name: s.displayName,
      ownerAgency: s.ownerAgency,
      level: s.level,
      classification: s.classification,
      personalData: s.personalData,
      primary: s.primary.id,
      recovery: s.recovery?.id,
      isolation: s.isolation,
      zones: s.zones,
      assessment,
      assessmentEveryMonths: months,
    };
  });
  return {
    inventory,
    national: nationalDiagram(cloud, failing),
    clusters: cloud.clusters.map((c) => ({ id: c.id, name: c.displayName, diagram: clusterDiagram(cloud, c, failing) })),
    systems: new Map(cloud.systems.length > DIAGRAM_LIMITS.systemDiagrams ? [] : cloud.systems.map((s) => [s.id, systemDiagram(cloud, s.id, failing)])),
  };
}
