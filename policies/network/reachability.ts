import { covers, EVERYWHERE, INTERNET, OverlapIndex, overlaps } from './addresses';
import type { Endpoint, NetworkModel, PeerMatch, Permission } from './model';
import { ANY, compareServices, intersect, showRule, showService, type RuleRef, type Service } from './services';

/**
 * One-hop reachability over the network model: for every source and destination, the protocols and ports
 * the source's egress and the destination's ingress both allow, with the rules that allow them; and the
 * shortest multi-hop paths over it (a reached host or pod is assumed usable to go on).
 */

export interface Allowance {
  readonly service: Service;
  /** The egress rule of the source and the ingress rule of the destination (one when they coincide or the end is outside). */
  readonly rules: readonly RuleRef[];
}

export interface Hop {
  readonly from: string;
  readonly to: string;
  readonly allows: readonly Allowance[];
}

export interface Reachability {
  readonly model: NetworkModel;
  readonly hops: readonly Hop[];
  readonly out: ReadonlyMap<string, readonly Hop[]>;
}

const OUTSIDE = new Set(['internet', 'gov-network', 'external']);
/** Places an attacker who reached them can use to go on. */
const FOOTHOLDS = new Set(['hosts', 'pods', 'platform-pods', 'distribution', 'zone-addresses']);
export const TARGET_ZONE_KINDS = ['database', 'management', 'device-management'] as const;

const isOutside = (e: Endpoint) => OUTSIDE.has(e.kind);

/** True when the permission's peer stands for the endpoint. */
export function admits(peer: PeerMatch, e: Endpoint): boolean {
  switch (peer.kind) {
    case 'any':
      return true;
    case 'group':
      return e.groups.has(peer.group);
    case 'endpoints':
      return peer.ids.has(e.id);
    case 'addresses':
      // Pod addresses are not in the artifacts: only a block of every address surely holds them.
      if (e.kind === 'pods' || e.kind === 'platform-pods') return covers(peer.set, EVERYWHERE);
      // Addresses without declared hosts send only what rules name them for; what is open to the internet is reported from the internet.
      if (e.kind === 'zone-addresses') return !overlaps(peer.set, INTERNET) && overlaps(peer.set, e.addresses);
      if (e.kind === 'bucket') return false;
      return overlaps(peer.set, e.addresses);
  }
}

function routable(model: NetworkModel, a: Endpoint, b: Endpoint): boolean {
  const peerOf = (e: Endpoint) => (isOutside(e) ? e.id : e.actsAs);
  const pa = peerOf(a);
  const pb = peerOf(b);
  if (a.domain !== undefined && b.domain !== undefined) return a.domain === b.domain;
  const check = (peer: string | undefined, other: Endpoint) => {
    if (peer === undefined || other.domain === undefined) return true;
    const domains = model.attached.get(peer);
    return domains === undefined || domains.has(other.domain);
  };
  return check(pa, b) && check(pb, a);
}

interface Entry {
  readonly dest: Endpoint;
  readonly perm: Permission;
}

export function reachabilityOf(model: NetworkModel): Reachability {
  const byGroup = new Map<string, Entry[]>();
  const byEndpoint = new Map<string, Entry[]>();
  const byAddresses = new Map<string, { peer: PeerMatch; entries: Entry[] }>();
  const anyIngress: Entry[] = [];
  const members = new Map<string, Endpoint[]>();
  const push = <K, V>(map: Map<K, V[]>, key: K, value: V) => (map.get(key) ?? map.set(key, []).get(key)!).push(value);
  for (const e of model.endpoints) {
    for (const g of e.groups) push(members, g, e);
    for (const perm of model.ingress.get(e.id) ?? []) {
      const entry = { dest: e, perm };
      if (perm.peer.kind === 'group') push(byGroup, perm.peer.group, entry);
      else if (perm.peer.kind === 'endpoints') for (const id of perm.peer.ids) push(byEndpoint, id, entry);
      else if (perm.peer.kind === 'addresses') {
        const bucket = byAddresses.get(perm.peer.text) ?? byAddresses.set(perm.peer.text, { peer: perm.peer, entries: [] }).get(perm.peer.text)!;
        bucket.entries.push(entry);
      } else anyIngress.push(entry);
    }
  }
  const outside = model.endpoints.filter(isOutside);
  // Address peers that may admit an endpoint, found through an index of their sets; admits() still decides each.
  const addressPeers = [...byAddresses.values()];
  const overlapIndex = new OverlapIndex(addressPeers.map(({ peer }) => (peer.kind === 'addresses' ? peer.set : [])));
  let podPeers: typeof addressPeers | undefined;
  const addressPeersAdmitting = (a: Endpoint): typeof addressPeers => {
    if (a.kind === 'bucket') return [];
    // Whether a peer admits pods does not depend on which pods: one answer for all.
    if (a.kind === 'pods' || a.kind === 'platform-pods') return (podPeers ??= addressPeers.filter(({ peer }) => admits(peer, a)));
    return overlapIndex.overlapping(a.addresses).map((n) => addressPeers[n]).filter(({ peer }) => admits(peer, a));
  };
  const hops: Hop[] = [];
  for (const a of model.endpoints) {
    const egress = model.egress.get(a.id) ?? [];
    if (egress.length === 0) continue;
    const narrow = egress.every((p) => p.peer.kind === 'group' || p.peer.kind === 'endpoints');
    const candidates = new Set<Endpoint>();
    if (narrow) {
      for (const p of egress) {
        if (p.peer.kind === 'group') for (const m of members.get(p.peer.group) ?? []) candidates.add(m);
        else if (p.peer.kind === 'endpoints') for (const id of p.peer.ids) if (model.byId.has(id)) candidates.add(model.byId.get(id)!);
      }
    } else {
      for (const g of a.groups) for (const entry of byGroup.get(g) ?? []) candidates.add(entry.dest);
      for (const entry of byEndpoint.get(a.id) ?? []) candidates.add(entry.dest);
      for (const { entries } of addressPeersAdmitting(a)) for (const entry of entries) candidates.add(entry.dest);
      for (const entry of anyIngress) candidates.add(entry.dest);
      // What addresses without declared hosts send outside is not in the artifacts.
      if (!isOutside(a) && a.kind !== 'zone-addresses') for (const o of outside) candidates.add(o);
    }
    const found: Hop[] = [];
    for (const b of candidates) {
      if (b === a || (isOutside(a) && isOutside(b)) || !routable(model, a, b)) continue;
      const allows = allowancesBetween(model, a, b, egress);
      if (allows.length > 0) found.push({ from: a.id, to: b.id, allows });
    }
    hops.push(...found);
  }
  for (const t of model.transit) hops.push({ from: t.from, to: t.to, allows: [{ service: ANY, rules: [t.rule] }] });
  hops.sort((x, y) => (x.from < y.from ? -1 : x.from > y.from ? 1 : x.to < y.to ? -1 : x.to > y.to ? 1 : 0));
  const merged: Hop[] = [];
  for (const hop of hops) {
    const last = merged[merged.length - 1];
    if (last && last.from === hop.from && last.to === hop.to) merged[merged.length - 1] = { ...last, allows: mergeAllowances([...last.allows, ...hop.allows]) };
    else merged.push(hop);
  }
  const out = new Map<string, Hop[]>();
  for (const hop of merged) (out.get(hop.from) ?? out.set(hop.from, []).get(hop.from)!).push(hop);
  return { model, hops: merged, out };
}

function allowancesBetween(model: NetworkModel, a: Endpoint, b: Endpoint, egress: readonly Permission[]): Allowance[] {
  const sending = egress.filter((p) => admits(p.peer, b));
  if (sending.length === 0) return [];
  // Outside peers accept whatever reaches them: only the sender's rule decides.
  if (isOutside(b)) return mergeAllowances(sending.map((p) => ({ service: p.service, rules: [p.rule] })));
  const receiving = (model.ingress.get(b.id) ?? []).filter((p) => admits(p.peer, a));
  const out: Allowance[] = [];
  for (const e of sending) {
    for (const i of receiving) {
      const service = intersect(e.service, i.service);
      if (!service) continue;
      // The outside peers' own "sends anything" is not a rule of the artifacts.
      const rules = isOutside(a) ? [i.rule] : e.rule === i.rule ? [e.rule] : [e.rule, i.rule];
      out.push({ service, rules });
    }
  }
  return mergeAllowances(out);
}

function mergeAllowances(list: readonly Allowance[]): Allowance[] {
  const byService = new Map<string, { service: Service; rules: Map<string, RuleRef> }>();
  for (const a of list) {
    const key = showService(a.service);
    const slot = byService.get(key) ?? byService.set(key, { service: a.service, rules: new Map() }).get(key)!;
    for (const r of a.rules) slot.rules.set(showRule(r), r);
  }
  return [...byService.values()]
    .sort((x, y) => compareServices(x.service, y.service))
    .map((s) => ({ service: s.service, rules: [...s.rules.entries()].sort(([x], [y]) => (x < y ? -1 : 1)).map(([, r]) => r) }));
}

/** Shortest paths (fewest hops) from an origin; a path goes on only from places an attacker can use. */
export function shortestPaths(reach: Reachability, origins: readonly string[], continueFrom: (e: Endpoint) => boolean = (e) => FOOTHOLDS.has(e.kind)): Map<string, Hop | null> {
  const previous = new Map<string, Hop | null>();
  const queue: string[] = [];
  for (const o of origins) {
    previous.set(o, null);
    queue.push(o);
  }
  const starts = new Set(origins);
  for (let i = 0; i < queue.length; i++) {
    const u = queue[i];
    const endpoint = reach.model.byId.get(u);
    if (!starts.has(u) && (!endpoint || !continueFrom(endpoint))) continue;
    for (const hop of reach.out.get(u) ?? []) {
      if (previous.has(hop.to)) continue;
      previous.set(hop.to, hop);
      queue.push(hop.to);
    }
  }
  return previous;
}

export function pathTo(previous: ReadonlyMap<string, Hop | null>, target: string): Hop[] | undefined {
  if (!previous.has(target)) return undefined;
  const path: Hop[] = [];
  for (let hop = previous.get(target); hop; hop = previous.get(hop.from)) path.unshift(hop);
  return path;
}

export interface AttackPath {
  /** `internet`, `gov-network`, or the selector the origins were chosen by. */
  readonly origin: string;
  readonly zone: string;
  readonly zoneKind: string;
  /** The hops of the shortest path, or undefined when the zone cannot be reached. */
  readonly hops?: readonly Hop[];
}

/** Shortest paths from the internet and from the government network to every database, management and device-management zone. */
export function attackPaths(reach: Reachability, origins: readonly { readonly label: string; readonly ids: readonly string[] }[] = [{ label: 'internet', ids: ['internet'] }, { label: 'gov-network', ids: ['gov-network'] }]): AttackPath[] {
  const targets = [...reach.model.zones.values()].filter((z) => (TARGET_ZONE_KINDS as readonly string[]).includes(z.kind)).sort((a, b) => (a.id < b.id ? -1 : 1));
  const inZone = new Map<string, Endpoint[]>();
  for (const e of reach.model.endpoints) (inZone.get(e.zone) ?? inZone.set(e.zone, []).get(e.zone)!).push(e);
  const out: AttackPath[] = [];
  for (const { label: origin, ids } of origins) {
    const previous = shortestPaths(reach, ids);
    for (const zone of targets) {
      let best: Hop[] | undefined;
      for (const e of inZone.get(zone.id) ?? []) {
        const path = pathTo(previous, e.id);
        if (path && (best === undefined || path.length < best.length)) best = path;
      }
      out.push({ origin, zone: zone.id, zoneKind: zone.kind, hops: best });
    }
  }
  return out;
}

/** Zone-by-zone: the services any endpoint of one zone can open to any endpoint of another. */
export function zoneMatrix(reach: Reachability): Map<string, Map<string, string[]>> {
  const cells = new Map<string, Map<string, Set<string>>>();
  for (const hop of reach.hops) {
    const from = reach.model.byId.get(hop.from)!.zone;
    const to = reach.model.byId.get(hop.to)!.zone;
    const row = cells.get(from) ?? cells.set(from, new Map()).get(from)!;
    const cell = row.get(to) ?? row.set(to, new Set()).get(to)!;
    for (const a of hop.allows) cell.add(showService(a.service));
  }
  const out = new Map<string, Map<string, string[]>>();
  for (const [from, row] of [...cells].sort(([a], [b]) => (a < b ? -1 : 1))) out.set(from, new Map([...row].sort(([a], [b]) => (a < b ? -1 : 1)).map(([to, set]) => [to, [...set].sort()])));
  return out;
}
