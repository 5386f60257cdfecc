import type { ArtifactSet, CloudFormationTemplate, KubernetesObject, TerraformConfig } from '../rule';
import { cidrSet, INTERNET, NOWHERE, overlaps, showSet, subtract, union, type AddressSet } from './addresses';
import { ANY, protocolOf, serviceOf, type RuleRef, type Service } from './services';

/**
 * The network model of an environment, built from its synthesized artifacts only (what will really be
 * applied): OpenStack networks, subnets, routers, interfaces (by subnet or by port), routes, ports,
 * floating IPs, instances and their security groups; Kubernetes namespaces and NetworkPolicies; the
 * public edge's distributions and origins. Endpoints are the places traffic comes from or goes to; each
 * carries the permissions (egress and ingress) that the artifacts give it, with the rule behind each.
 */

export type EndpointKind = 'internet' | 'gov-network' | 'external' | 'hosts' | 'zone-addresses' | 'pods' | 'platform-pods' | 'distribution' | 'bucket';

export interface Endpoint {
  /** `vm:north/population-db/db`, `pod:north/population-db/db`, `zone:north/management`, `internet`, ... */
  readonly id: string;
  readonly kind: EndpointKind;
  /** The zone id (`north/population-db/database`, `north/dmz`, `internet`, `public-edge`). */
  readonly zone: string;
  /** The zone's kind: edge, dmz, internal-server, database, management, device-management, ... */
  readonly zoneKind: string;
  readonly cluster?: string;
  readonly system?: string;
  readonly tier?: string;
  /** Shared platform service (bastion-pam, siem; a cluster's log-collector and patch-mirror). */
  readonly service?: string;
  readonly level?: number;
  readonly owner?: string;
  /** Addresses the endpoint sends from and is reached at. */
  readonly addresses: AddressSet;
  /** Security groups (`stack/name`) its ports carry. */
  readonly groups: ReadonlySet<string>;
  /** Routing domain (OpenStack endpoints only). */
  readonly domain?: number;
  /** A privileged-access host (bastion / PAM): the management zone's entry point. */
  readonly privileged: boolean;
  /** Instances, pods' tier or resources it stands for (for display). */
  readonly members: readonly string[];
  /** Traffic from this endpoint enters the cloud as this peer does (a CDN's requests come from the internet). */
  readonly actsAs?: 'internet';
}

/** Who a permission admits (ingress) or lets through (egress). */
export type PeerMatch =
  | { readonly kind: 'any' }
  | { readonly kind: 'group'; readonly group: string }
  | { readonly kind: 'addresses'; readonly set: AddressSet; readonly text: string }
  | { readonly kind: 'endpoints'; readonly ids: ReadonlySet<string> };

export interface Permission {
  readonly peer: PeerMatch;
  readonly service: Service;
  readonly rule: RuleRef;
}

export interface Zone {
  readonly id: string;
  readonly kind: string;
  readonly cluster?: string;
  readonly system?: string;
}

export interface NetworkModel {
  readonly endpoints: readonly Endpoint[];
  readonly byId: ReadonlyMap<string, Endpoint>;
  readonly zones: ReadonlyMap<string, Zone>;
  readonly egress: ReadonlyMap<string, readonly Permission[]>;
  readonly ingress: ReadonlyMap<string, readonly Permission[]>;
  /** Routing domains each outside peer (internet, gov-network, external:*) is attached to; undefined: everywhere. */
  readonly attached: ReadonlyMap<string, ReadonlySet<number> | undefined>;
  /** Direct forwarding between outside peers by a router (an external gateway next to the interconnect). */
  readonly transit: readonly { readonly from: string; readonly to: string; readonly rule: RuleRef }[];
  readonly governmentNetwork: AddressSet;
}

export interface ModelInputs {
  readonly artifacts: ArtifactSet;
  /** Stack -> artifact path under out/<env>/ (from the manifest), for rule references. */
  readonly files: ReadonlyMap<string, string>;
  /** The government network's CIDR: the one outside fact the artifacts only name as a remote prefix. */
  readonly governmentNetwork: string;
  /** Security level and owner per system id (the manifest's systems). */
  readonly systems: ReadonlyMap<string, { readonly level: number; readonly owner: string }>;
}

const TIER_LABEL = 'ndc.gov.vn/tier';
const PRIVILEGED = /bastion|pam|jump/;

type Body = Readonly<Record<string, unknown>>;

interface TfResource {
  readonly stack: string;
  readonly type: string;
  readonly name: string;
  readonly body: Body;
  readonly key: string;
}

class UnionFind {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let root = x;
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!;
    let node = x;
    while (node !== root) {
      const next = this.parent.get(node) ?? root;
      this.parent.set(node, root);
      node = next;
    }
    if (!this.parent.has(root)) this.parent.set(root, root);
    return root;
  }
  join(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  }
}

const tagsOf = (body: Body): Record<string, string> => {
  const out: Record<string, string> = {};
  if (Array.isArray(body.tags)) {
    for (const tag of body.tags) {
      const m = typeof tag === 'string' ? /^ndc:([^=]+)=(.*)$/.exec(tag) : null;
      if (m) out[m[1]] = m[2];
    }
  }
  const metadata = body.metadata;
  if (metadata && typeof metadata === 'object' && !Array.isArray(metadata)) {
    for (const [k, v] of Object.entries(metadata as Record<string, unknown>)) if (k.startsWith('ndc:') && typeof v === 'string' && out[k.slice(4)] === undefined) out[k.slice(4)] = v;
  }
  return out;
};

const list = (value: unknown): Body[] => (Array.isArray(value) ? value.filter((v): v is Body => v !== null && typeof v === 'object') : value && typeof value === 'object' ? [value as Body] : []);

export function buildNetworkModel(inputs: ModelInputs): NetworkModel {
  const { artifacts } = inputs;
  const domainNumbers = new Map<string, number>();
  const gov = cidrSet(inputs.governmentNetwork) ?? NOWHERE;
  const fileOf = (stack: string, engine: string) => inputs.files.get(stack) ?? `${engine}/${stack}`;
  const endpoints: Endpoint[] = [];
  const egress = new Map<string, Permission[]>();
  const ingress = new Map<string, Permission[]>();
  const zones = new Map<string, Zone>();
  const attachedDomains = new Map<string, Set<string>>([['internet', new Set()], ['gov-network', new Set()]]);
  const transit: { from: string; to: string; rule: RuleRef }[] = [];
  const add = (endpoint: Endpoint, out: Permission[], into: Permission[]) => {
    endpoints.push(endpoint);
    egress.set(endpoint.id, out);
    ingress.set(endpoint.id, into);
    if (!zones.has(endpoint.zone)) zones.set(endpoint.zone, { id: endpoint.zone, kind: endpoint.zoneKind, cluster: endpoint.cluster, system: endpoint.system });
  };
  const systemFacts = (system: string | undefined) => (system ? inputs.systems.get(system) : undefined);

  // ---- OpenStack (Terraform JSON) ----
  const resources = new Map<string, TfResource>();
  const byType = new Map<string, TfResource[]>();
  for (const [stack, config] of artifacts.terraform) {
    for (const [type, byName] of Object.entries(config.resource ?? {})) {
      for (const [name, body] of Object.entries(byName)) {
        const resource = { stack, type, name, body: body as Body, key: `${stack}/${type}.${name}` };
        resources.set(resource.key, resource);
        (byType.get(type) ?? byType.set(type, []).get(type)!).push(resource);
      }
    }
  }
  const of = (type: string) => byType.get(type) ?? [];
  const ref = (tf: TfRef) => resolveRef(artifacts.terraform, resources, tf);
  const tfRule = (r: TfResource, note = ''): RuleRef => ({ file: fileOf(r.stack, 'terraform'), address: `${r.type}.${r.name}${note}` });

  const subnets = new Map<string, { readonly resource: TfResource; readonly network?: string; readonly set: AddressSet }>();
  for (const s of of('openstack_networking_subnet_v2')) {
    subnets.set(s.key, { resource: s, network: ref({ stack: s.stack, value: s.body.network_id })?.key, set: cidrSet(String(s.body.cidr)) ?? NOWHERE });
  }
  const networks = new Map(of('openstack_networking_network_v2').map((n) => [n.key, n]));
  const subnetsOfNetwork = new Map<string, string[]>();
  for (const [key, s] of subnets) if (s.network) (subnetsOfNetwork.get(s.network) ?? subnetsOfNetwork.set(s.network, []).get(s.network)!).push(key);
  const networkByName = new Map<string, string>();
  for (const n of networks.values()) if (typeof n.body.name === 'string') networkByName.set(`${n.stack}|${n.body.name}`, n.key);

  // Ports: network, subnets and fixed addresses, own security groups.
  interface PortFacts { readonly network?: string; readonly subnets: string[]; readonly set: AddressSet; readonly groups?: string[]; readonly portSecurity: boolean }
  const ports = new Map<string, PortFacts>();
  for (const p of of('openstack_networking_port_v2')) {
    const fixed = list(p.body.fixed_ip);
    const subnetKeys = fixed.map((f) => ref({ stack: p.stack, value: f.subnet_id })?.key).filter((k): k is string => k !== undefined);
    const network = ref({ stack: p.stack, value: p.body.network_id })?.key ?? (subnetKeys[0] ? subnets.get(subnetKeys[0])?.network : undefined);
    const fixedAddresses = fixed.map((f) => (typeof f.ip_address === 'string' ? cidrSet(`${f.ip_address}/32`) : undefined)).filter((s): s is AddressSet => s !== undefined);
    const set = fixedAddresses.length > 0 ? union(...fixedAddresses) : union(...(subnetKeys.length ? subnetKeys : (subnetsOfNetwork.get(network ?? '') ?? [])).map((k) => subnets.get(k)?.set ?? NOWHERE));
    const groups = Array.isArray(p.body.security_group_ids) ? (p.body.security_group_ids as unknown[]).map((g) => ref({ stack: p.stack, value: g })?.key ?? `${p.stack}/literal:${String(g)}`) : undefined;
    ports.set(p.key, { network, subnets: subnetKeys, set, groups: p.body.no_security_groups === true ? [] : groups, portSecurity: p.body.port_security_enabled !== false });
  }

  // Routing domains: networks joined through routers; the national backbone routers are one network.
  const domains = new UnionFind();
  for (const n of networks.keys()) domains.find(n);
  const routers = of('openstack_networking_router_v2');
  const backbone = routers.filter((r) => tagsOf(r.body).zone === 'backbone');
  for (const r of backbone) domains.join(r.key, backbone[0].key);
  const networkZone = (key: string | undefined) => (key ? tagsOf(networks.get(key)?.body ?? {}).zone : undefined);
  const routerInterfaces = new Map<string, string[]>();
  for (const i of of('openstack_networking_router_interface_v2')) {
    const router = ref({ stack: i.stack, value: i.body.router_id })?.key;
    const subnet = ref({ stack: i.stack, value: i.body.subnet_id })?.key;
    const port = ref({ stack: i.stack, value: i.body.port_id })?.key;
    const network = subnet ? subnets.get(subnet)?.network : port ? ports.get(port)?.network : undefined;
    if (!router || !network) continue;
    domains.join(router, network);
    (routerInterfaces.get(router) ?? routerInterfaces.set(router, []).get(router)!).push(network);
  }
  const routes: { router: string; destination: AddressSet; text: string; rule: RuleRef }[] = [];
  for (const r of routers) {
    for (const route of list(r.body.routes ?? r.body.route)) routes.push({ router: r.key, destination: cidrSet(String(route.destination_cidr)) ?? NOWHERE, text: String(route.destination_cidr), rule: tfRule(r) });
  }
  for (const r of of('openstack_networking_router_route_v2')) {
    const router = ref({ stack: r.stack, value: r.body.router_id })?.key;
    if (router) routes.push({ router, destination: cidrSet(String(r.body.destination_cidr)) ?? NOWHERE, text: String(r.body.destination_cidr), rule: tfRule(r) });
  }
  const hasGateway = (r: TfResource) => r.body.external_network_id !== undefined || r.body.external_gateway !== undefined || r.body.external_fixed_ip !== undefined;
  for (const r of routers) {
    if (!hasGateway(r)) continue;
    attachedDomains.get('internet')!.add(r.key);
    const ifaces = routerInterfaces.get(r.key) ?? [];
    const govSide = ifaces.some((n) => networkZone(n) === 'gov-interconnect') || routes.some((route) => route.router === r.key && overlaps(route.destination, gov));
    if (govSide) {
      transit.push({ from: 'gov-network', to: 'internet', rule: tfRule(r, ' (external gateway on a router that reaches the government network)') });
      transit.push({ from: 'internet', to: 'gov-network', rule: tfRule(r, ' (external gateway on a router that reaches the government network)') });
    }
  }
  for (const [key, n] of networks) {
    const zone = tagsOf(n.body).zone;
    if (zone === 'edge') attachedDomains.get('internet')!.add(key);
    if (zone === 'gov-interconnect') attachedDomains.get('gov-network')!.add(key);
  }
  for (const route of routes) if (overlaps(route.destination, gov)) attachedDomains.get('gov-network')!.add(route.router);
  // Floating IPs put the internet next to the port (or instance) they are associated with.
  const floatingPorts = [
    ...of('openstack_networking_floatingip_v2').map((f) => ref({ stack: f.stack, value: f.body.port_id })?.key),
    ...of('openstack_networking_floatingip_associate_v2').map((f) => ref({ stack: f.stack, value: f.body.port_id })?.key),
  ];
  for (const p of floatingPorts) {
    const network = p ? ports.get(p)?.network : undefined;
    if (network) attachedDomains.get('internet')!.add(network);
  }
  const floatingInstances = new Set(of('openstack_compute_floatingip_associate_v2').map((f) => ref({ stack: f.stack, value: f.body.instance_id })?.key));

  // Security groups and their rules.
  const groupByName = new Map<string, string>();
  const groups = new Map(of('openstack_networking_secgroup_v2').map((g) => [g.key, g]));
  for (const g of groups.values()) if (typeof g.body.name === 'string') groupByName.set(`${g.stack}|${g.body.name}`, g.key);
  const groupPermissions = new Map<string, { egress: Permission[]; ingress: Permission[] }>();
  const permissionsOf = (group: string) => groupPermissions.get(group) ?? groupPermissions.set(group, { egress: [], ingress: [] }).get(group)!;
  for (const g of groups.values()) {
    if (g.body.delete_default_rules !== true) {
      // OpenStack gives every new group egress to anywhere (IPv4 and IPv6) unless its default rules are deleted.
      permissionsOf(g.key).egress.push({ peer: { kind: 'any' }, service: ANY, rule: tfRule(g, ' (default egress rules: delete_default_rules is not true)') });
    }
  }
  for (const r of of('openstack_networking_secgroup_rule_v2')) {
    const group = ref({ stack: r.stack, value: r.body.security_group_id })?.key ?? `${r.stack}/literal:${String(r.body.security_group_id)}`;
    const ipv6 = String(r.body.ethertype ?? 'IPv4') === 'IPv6';
    const protocol = protocolOf(r.body.protocol);
    const service = serviceOf(protocol, numberOf(r.body.port_range_min), numberOf(r.body.port_range_max));
    let peer: PeerMatch;
    if (r.body.remote_group_id !== undefined) {
      // IPv6 traffic between members needs IPv6 addresses, which no subnet here has.
      if (ipv6) continue;
      peer = { kind: 'group', group: ref({ stack: r.stack, value: r.body.remote_group_id })?.key ?? `${r.stack}/literal:${String(r.body.remote_group_id)}` };
    } else if (r.body.remote_ip_prefix !== undefined && r.body.remote_ip_prefix !== '') {
      const text = String(r.body.remote_ip_prefix);
      const set = ipv6 ? (/^::\/0$/.test(text) || /^[23]/.test(text) ? INTERNET : NOWHERE) : (cidrSet(text) ?? NOWHERE);
      peer = { kind: 'addresses', set, text };
    } else {
      peer = ipv6 ? { kind: 'addresses', set: INTERNET, text: '::/0' } : { kind: 'any' };
    }
    const permission: Permission = { peer, service, rule: tfRule(r) };
    if (r.body.direction === 'egress') permissionsOf(group).egress.push(permission);
    else if (r.body.direction === 'ingress') permissionsOf(group).ingress.push(permission);
  }
  const resolveGroup = (stack: string, value: unknown): string => {
    const resolved = ref({ stack, value })?.key;
    if (resolved) return resolved;
    const text = String(value);
    return groupByName.get(`${stack}|${text}`) ?? `${stack}/${text === 'default' ? 'default' : `literal:${text}`}`;
  };
  for (const stack of artifacts.terraform.keys()) {
    // The project's default group: members admit each other, egress anywhere.
    const key = `${stack}/default`;
    const file = fileOf(stack, 'terraform');
    permissionsOf(key).egress.push({ peer: { kind: 'any' }, service: ANY, rule: { file, address: 'security group "default" (OpenStack default: egress anywhere)' } });
    permissionsOf(key).ingress.push({ peer: { kind: 'group', group: key }, service: ANY, rule: { file, address: 'security group "default" (OpenStack default: members admit each other)' } });
  }

  // Instances grouped into host endpoints by system, tier or service, and by the ports they have.
  const hostNetworks = new Set<string>();
  const zoneOfNetwork = (stack: string, network: string | undefined, fallback: Record<string, string>) => {
    const tags = tagsOf(networks.get(network ?? '')?.body ?? {});
    const kind = tags.zone ?? fallback.zone ?? 'unknown';
    const cluster = tags.cluster ?? fallback.cluster;
    const owner = tags.system;
    const prefix = owner ? `${cluster ?? stack}/${owner}` : tags.service !== undefined || !stack.startsWith('cluster-') || !cluster ? stack : cluster;
    return { id: `${prefix}/${kind}`, kind, cluster, system: owner };
  };
  interface HostDraft { key: string; label: string; stack: string; tags: Record<string, string>; networks: string[]; set: AddressSet; groups: string[]; portSecurity: boolean; members: string[]; floating: boolean }
  const drafts = new Map<string, HostDraft>();
  for (const i of [...of('openstack_compute_instance_v2')].sort((a, b) => (a.key < b.key ? -1 : 1))) {
    const tags = tagsOf(i.body);
    const nets: string[] = [];
    const sets: AddressSet[] = [];
    let portGroups: string[] | undefined;
    let portSecurity = true;
    for (const n of list(i.body.network)) {
      const port = ref({ stack: i.stack, value: n.port })?.key;
      if (port && ports.has(port)) {
        const facts = ports.get(port)!;
        if (facts.network) nets.push(facts.network);
        sets.push(facts.set);
        if (facts.groups) portGroups = [...(portGroups ?? []), ...facts.groups];
        if (!facts.portSecurity) portSecurity = false;
        continue;
      }
      const network = ref({ stack: i.stack, value: n.uuid })?.key ?? (typeof n.name === 'string' ? networkByName.get(`${i.stack}|${n.name}`) : undefined);
      if (!network) continue;
      nets.push(network);
      sets.push(typeof n.fixed_ip_v4 === 'string' ? (cidrSet(`${n.fixed_ip_v4}/32`) ?? NOWHERE) : union(...(subnetsOfNetwork.get(network) ?? []).map((k) => subnets.get(k)!.set)));
    }
    for (const n of nets) if (networks.get(n)?.body.port_security_enabled === false) portSecurity = false;
    const groupsOf = portGroups ?? (Array.isArray(i.body.security_groups) && i.body.security_groups.length > 0 ? (i.body.security_groups as unknown[]).map((g) => resolveGroup(i.stack, g)) : [`${i.stack}/default`]);
    const sortedGroups = [...new Set(groupsOf)].sort();
    const label = tags.system ? `${tags.system}/${tags.tier ?? 'hosts'}` : tags.service ?? String(i.body.name ?? i.name);
    const key = `${i.stack}|${label}|${sortedGroups.join(',')}|${[...nets].sort().join(',')}|${portSecurity}`;
    const draft = drafts.get(key);
    if (draft) {
      draft.members.push(String(i.body.name ?? i.name));
      draft.set = union(draft.set, ...sets);
      draft.floating ||= floatingInstances.has(i.key);
    } else {
      drafts.set(key, { key, label, stack: i.stack, tags, networks: nets, set: union(...sets), groups: sortedGroups, portSecurity, members: [String(i.body.name ?? i.name)], floating: floatingInstances.has(i.key) });
    }
  }
  const usedIds = new Set<string>();
  const uniqueId = (base: string) => {
    let id = base;
    for (let n = 2; usedIds.has(id); n++) id = `${base}#${n}`;
    usedIds.add(id);
    return id;
  };
  for (const d of drafts.values()) {
    const zone = zoneOfNetwork(d.stack, d.networks[0], d.tags);
    for (const n of d.networks) hostNetworks.add(n);
    const domainKey = d.networks[0] ? domains.find(d.networks[0]) : undefined;
    if (d.floating && d.networks[0]) attachedDomains.get('internet')!.add(d.networks[0]);
    const system = d.tags.system;
    const id = uniqueId(`vm:${zone.cluster ?? d.stack}/${d.label}`);
    const unrestricted: Permission = { peer: { kind: 'any' }, service: ANY, rule: { file: fileOf(d.stack, 'terraform'), address: `${d.networks.map((n) => n.split('/')[1]).join(', ')} (port_security_enabled = false: no filtering)` } };
    add(
      {
        id,
        kind: 'hosts',
        zone: zone.id,
        zoneKind: zone.kind,
        cluster: zone.cluster,
        system,
        tier: d.tags.tier,
        service: d.tags.service,
        level: systemFacts(system)?.level ?? (d.tags.level ? Number(d.tags.level) : undefined),
        owner: systemFacts(system)?.owner,
        addresses: d.set,
        groups: new Set(d.groups),
        domain: domainKey === undefined ? undefined : domainNumber(domainKey),
        privileged: PRIVILEGED.test(d.tags.service ?? d.tags.tier ?? ''),
        members: d.members,
      },
      d.portSecurity ? d.groups.flatMap((g) => groupPermissions.get(g)?.egress ?? []) : [unrestricted],
      d.portSecurity ? d.groups.flatMap((g) => groupPermissions.get(g)?.ingress ?? []) : [unrestricted],
    );
  }

  // ---- Kubernetes ----
  const k8sPermissions = kubernetesEndpoints(artifacts, fileOf, zones, systemFacts);
  for (const { endpoint, egress: out, ingress: into } of k8sPermissions) add(endpoint, out, into);

  // ---- Public edge (CloudFormation) ----
  for (const { endpoint, egress: out, ingress: into } of publicEdgeEndpoints(artifacts.cloudformation, fileOf, endpoints, systemFacts)) add(endpoint, out, into);

  // ---- Outside peers, and zone addresses named by rules where no host is declared ----
  const addressPeers = new Map<string, AddressSet>();
  for (const perms of [...egress.values(), ...ingress.values()]) for (const p of perms) if (p.peer.kind === 'addresses') addressPeers.set(p.peer.text, p.peer.set);
  const internalSpace = union(...[...subnets.values()].map((s) => s.set));
  const internet: Endpoint = { id: 'internet', kind: 'internet', zone: 'internet', zoneKind: 'internet', addresses: INTERNET, groups: new Set(), privileged: false, members: [] };
  const government: Endpoint = { id: 'gov-network', kind: 'gov-network', zone: 'gov-network', zoneKind: 'gov-network', addresses: gov, groups: new Set(), privileged: false, members: [] };
  add(internet, [{ peer: { kind: 'any' }, service: ANY, rule: { file: '-', address: 'the internet sends anything' } }], []);
  add(government, [{ peer: { kind: 'any' }, service: ANY, rule: { file: '-', address: 'the government network sends anything' } }], []);
  const externals = new Map<string, AddressSet>();
  // Only prefixes inside private space name an unknown network; a prefix that includes the internet is the internet.
  for (const [, set] of [...addressPeers].sort(([a], [b]) => (a < b ? -1 : 1)).filter(([, s]) => !overlaps(s, INTERNET))) {
    const outside = subtract(subtract(subtract(set, INTERNET), gov), internalSpace);
    if (outside.length > 0 && !externals.has(showSet(outside))) externals.set(showSet(outside), outside);
  }
  for (const [text, set] of externals) {
    add({ id: `external:${text}`, kind: 'external', zone: 'external', zoneKind: 'external', addresses: set, groups: new Set(), privileged: false, members: [] }, [{ peer: { kind: 'any' }, service: ANY, rule: { file: '-', address: `addresses outside every known network (${text})` } }], []);
  }
  const named = union(...[...addressPeers.values()].filter((s) => !overlaps(s, INTERNET)));
  for (const [key, s] of [...subnets].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!s.network || hostNetworks.has(s.network) || !overlaps(named, s.set)) continue;
    const zone = zoneOfNetwork(s.resource.stack, s.network, tagsOf(s.resource.body));
    add(
      {
        id: uniqueId(`zone:${zone.id}`),
        kind: 'zone-addresses',
        zone: zone.id,
        zoneKind: zone.kind,
        cluster: zone.cluster,
        system: zone.system,
        level: systemFacts(zone.system)?.level,
        owner: systemFacts(zone.system)?.owner,
        addresses: s.set,
        groups: new Set(),
        domain: domainNumber(domains.find(s.network)),
        privileged: false,
        members: [key.split('/')[1]],
      },
      [{ peer: { kind: 'any' }, service: ANY, rule: tfRule(s.resource, ' (no instance declared here: what its hosts send is not in the artifacts)') }],
      [],
    );
  }

  // Every zone a subnet declares is a zone of the model, hosts or not (attack paths report the empty ones as unreachable).
  for (const s of subnets.values()) {
    const zone = zoneOfNetwork(s.resource.stack, s.network, tagsOf(s.resource.body));
    if (!zones.has(zone.id)) zones.set(zone.id, { id: zone.id, kind: zone.kind, cluster: zone.cluster, system: zone.system });
  }
  const attached = new Map<string, ReadonlySet<number> | undefined>();
  for (const [peer, keys] of attachedDomains) attached.set(peer, new Set([...keys].map((k) => domainNumber(domains.find(k)))));
  return { endpoints, byId: new Map(endpoints.map((e) => [e.id, e])), zones, egress, ingress, attached, transit, governmentNetwork: gov };

  function domainNumber(root: string): number {
    let n = domainNumbers.get(root);
    if (n === undefined) domainNumbers.set(root, (n = domainNumbers.size));
    return n;
  }
}

function numberOf(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

interface TfRef {
  readonly stack: string;
  readonly value: unknown;
}

/** Resolves `${type.name.attr}` in the stack, and `${data.terraform_remote_state.S.outputs.O}` through stack S's output O. */
function resolveRef(configs: ReadonlyMap<string, TerraformConfig>, resources: ReadonlyMap<string, TfResource>, { stack, value }: TfRef, depth = 0): TfResource | undefined {
  if (typeof value !== 'string' || depth > 4) return undefined;
  const direct = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.[a-z_]+\}$/.exec(value);
  if (direct && direct[1] !== 'data') return resources.get(`${stack}/${direct[1]}.${direct[2]}`);
  const remote = /^\$\{data\.terraform_remote_state\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)\}$/.exec(value);
  if (remote) {
    const output = (configs.get(remote[1])?.output as Record<string, { value?: unknown }> | undefined)?.[remote[2]];
    return output ? resolveRef(configs, resources, { stack: remote[1], value: output.value }, depth + 1) : undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Kubernetes: pods are classes of labels the NetworkPolicies select (the system's tiers), per namespace.

interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
  readonly matchExpressions?: readonly { readonly key: string; readonly operator: string; readonly values?: readonly string[] }[];
}

function selects(selector: LabelSelector | undefined, labels: Readonly<Record<string, string>>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(labels[e.key]))) return false;
    if (e.operator === 'NotIn' && has && values.includes(labels[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** The label sets a selector names: one per tier value, or its matchLabels. */
function classesNamed(selector: LabelSelector | undefined): Record<string, string>[] {
  if (!selector) return [];
  const tiers = [...(selector.matchLabels?.[TIER_LABEL] !== undefined ? [selector.matchLabels[TIER_LABEL]] : []), ...(selector.matchExpressions ?? []).filter((e) => e.key === TIER_LABEL && e.operator === 'In').flatMap((e) => e.values ?? [])];
  if (tiers.length > 0) return tiers.map((t) => ({ ...(selector.matchLabels ?? {}), [TIER_LABEL]: t }));
  return Object.keys(selector.matchLabels ?? {}).length > 0 ? [{ ...selector.matchLabels }] : [];
}

interface PolicyPeer {
  readonly podSelector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}
interface PolicyPort {
  readonly protocol?: string;
  readonly port?: number | string;
  readonly endPort?: number;
}
interface PolicySpec {
  readonly podSelector?: LabelSelector;
  readonly policyTypes?: readonly string[];
  readonly ingress?: readonly { readonly from?: readonly PolicyPeer[]; readonly ports?: readonly PolicyPort[] }[];
  readonly egress?: readonly { readonly to?: readonly PolicyPeer[]; readonly ports?: readonly PolicyPort[] }[];
}

type Drafted = { endpoint: Endpoint; egress: Permission[]; ingress: Permission[] };

function kubernetesEndpoints(artifacts: ArtifactSet, fileOf: (stack: string, engine: string) => string, zones: ReadonlyMap<string, Zone>, facts: (system?: string) => { level: number; owner: string } | undefined): Drafted[] {
  const out: Drafted[] = [];
  for (const [stack, objects] of artifacts.kubernetes) {
    const file = fileOf(stack, 'kubernetes');
    const namespaces = new Map<string, { labels: Record<string, string>; declared: boolean }>();
    const policies: { object: KubernetesObject; spec: PolicySpec; namespace: string }[] = [];
    for (const o of objects) {
      if (o.kind === 'Namespace') namespaces.set(o.metadata.name, { labels: { ...(o.metadata.labels ?? {}), 'kubernetes.io/metadata.name': o.metadata.name }, declared: true });
      else if (o.kind === 'NetworkPolicy') policies.push({ object: o, spec: ((o as { spec?: PolicySpec }).spec ?? {}) as PolicySpec, namespace: o.metadata.namespace ?? 'default' });
    }
    const cluster = [...namespaces.values()].map((n) => n.labels['ndc.gov.vn/cluster']).find((c) => c !== undefined) ?? stack;
    // Pod classes per namespace, and namespaces peers name that the artifact does not declare (kube-system).
    const classes = new Map<string, Map<string, Record<string, string>>>();
    const addClass = (ns: string, labels: Record<string, string>) => {
      const byKey = classes.get(ns) ?? classes.set(ns, new Map()).get(ns)!;
      byKey.set(JSON.stringify(Object.entries(labels).sort()), labels);
    };
    const tierZones = new Map<string, string>();
    for (const { object, spec, namespace } of policies) {
      if (!namespaces.has(namespace)) namespaces.set(namespace, { labels: { 'kubernetes.io/metadata.name': namespace }, declared: false });
      const selected = classesNamed(spec.podSelector);
      for (const c of selected) addClass(namespace, c);
      // The flow annotation names the zones: the selected pods sit at its destination (ingress) or source (egress).
      const flow = /\/\d+-([a-z-]+?)-to-([a-z-]+)$/.exec(object.metadata.annotations?.['ndc.gov.vn/flow'] ?? '');
      if (flow) {
        const zone = object.metadata.name.endsWith('-egress') ? flow[1] : flow[2];
        for (const c of selected) if (c[TIER_LABEL] && zone !== 'internet' && zone !== 'gov-network') tierZones.set(`${namespace}|${c[TIER_LABEL]}`, zone);
      }
      for (const peer of [...(spec.ingress ?? []).flatMap((r) => r.from ?? []), ...(spec.egress ?? []).flatMap((r) => r.to ?? [])]) {
        const names = peer.namespaceSelector ? namedNamespaces(peer.namespaceSelector) : [namespace];
        for (const ns of names) {
          if (!namespaces.has(ns)) namespaces.set(ns, { labels: { 'kubernetes.io/metadata.name': ns }, declared: false });
          for (const c of classesNamed(peer.podSelector)) addClass(ns, c);
        }
      }
    }
    interface Pod { id: string; namespace: string; labels: Record<string, string> }
    const pods: Pod[] = [];
    const drafts: Drafted[] = [];
    for (const [ns, info] of [...namespaces].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const found = [...(classes.get(ns)?.values() ?? [])];
      const labelSets = found.length > 0 ? found : [{}];
      const system = info.labels['ndc.gov.vn/system'];
      for (const labels of labelSets) {
        const name = labels[TIER_LABEL] ?? (Object.keys(labels).length ? Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',') : '*');
        const id = `pod:${cluster}/${ns}/${name}`;
        const kind = system ? (tierZones.get(`${ns}|${labels[TIER_LABEL]}`) ?? 'kubernetes') : 'kubernetes-platform';
        const zoneId = system ? (zones.has(`${cluster}/${system}/${kind}`) ? `${cluster}/${system}/${kind}` : kind === 'kubernetes' ? `${cluster}/${ns}` : `${cluster}/${kind}`) : `${cluster}/kubernetes-platform`;
        pods.push({ id, namespace: ns, labels });
        drafts.push({
          endpoint: { id, kind: system ? 'pods' : 'platform-pods', zone: zoneId, zoneKind: kind, cluster, system, tier: labels[TIER_LABEL], level: facts(system)?.level ?? (info.labels['ndc.gov.vn/security-level'] ? Number(info.labels['ndc.gov.vn/security-level']) : undefined), owner: facts(system)?.owner, addresses: NOWHERE, groups: new Set(), privileged: false, members: [`${ns}/${name}`] },
          egress: [],
          ingress: [],
        });
      }
    }
    const podsByNamespace = new Map<string, Pod[]>();
    for (const p of pods) (podsByNamespace.get(p.namespace) ?? podsByNamespace.set(p.namespace, []).get(p.namespace)!).push(p);
    const policiesByNamespace = new Map<string, typeof policies>();
    for (const p of policies) (policiesByNamespace.get(p.namespace) ?? policiesByNamespace.set(p.namespace, []).get(p.namespace)!).push(p);
    const podsIn = (ns: string, selector: LabelSelector | undefined) => (podsByNamespace.get(ns) ?? []).filter((p) => selects(selector, p.labels));
    const namespacesSelected = (selector: LabelSelector): string[] => {
      // The common selector names one namespace: look it up instead of testing every namespace.
      const named = selector.matchLabels?.['kubernetes.io/metadata.name'];
      if (named !== undefined && Object.keys(selector.matchLabels ?? {}).length === 1 && (selector.matchExpressions ?? []).length === 0) return namespaces.has(named) ? [named] : [];
      return [...namespaces].filter(([, n]) => selects(selector, n.labels)).map(([name]) => name);
    };
    const peerOf = (peer: PolicyPeer, namespace: string): PeerMatch => {
      if (peer.ipBlock) {
        const set = subtract(cidrSet(peer.ipBlock.cidr) ?? NOWHERE, union(...(peer.ipBlock.except ?? []).map((e) => cidrSet(e) ?? NOWHERE)));
        return { kind: 'addresses', set, text: peer.ipBlock.except?.length ? `${peer.ipBlock.cidr} except ${peer.ipBlock.except.join(',')}` : peer.ipBlock.cidr };
      }
      const spaces = peer.namespaceSelector ? namespacesSelected(peer.namespaceSelector) : [namespace];
      return { kind: 'endpoints', ids: new Set(spaces.flatMap((ns) => podsIn(ns, peer.podSelector ?? {}).map((p) => p.id))) };
    };
    const servicesOf = (ports: readonly PolicyPort[] | undefined): Service[] =>
      ports === undefined || ports.length === 0 ? [ANY] : ports.map((p) => serviceOf(protocolOf(p.protocol ?? 'TCP'), typeof p.port === 'number' ? p.port : undefined, typeof p.port === 'number' ? (p.endPort ?? p.port) : undefined));
    const draftById = new Map(drafts.map((d) => [d.endpoint.id, d]));
    const clusterPods = new Set(pods.filter((p) => namespaces.get(p.namespace)!.declared).map((p) => p.id));
    for (const pod of pods) {
      const draft = draftById.get(pod.id)!;
      if (!namespaces.get(pod.namespace)!.declared) {
        // A namespace the policies name but the artifact does not declare (kube-system) runs the cluster's own services:
        // reached from the pods that name it; what it sends is outside these artifacts.
        draft.ingress.push({ peer: { kind: 'endpoints', ids: clusterPods }, service: ANY, rule: { file, address: `Namespace ${pod.namespace} (not in the artifacts: the cluster's own services)` } });
        continue;
      }
      const governing = (policiesByNamespace.get(pod.namespace) ?? []).filter((p) => selects(p.spec.podSelector ?? {}, pod.labels));
      for (const direction of ['Ingress', 'Egress'] as const) {
        const into = direction === 'Ingress' ? draft.ingress : draft.egress;
        const isolating = governing.filter((p) => typesOf(p.spec).includes(direction));
        if (isolating.length === 0) {
          into.push({ peer: { kind: 'any' }, service: ANY, rule: { file, address: `Namespace ${pod.namespace} (no NetworkPolicy selects ${pod.id.slice(4)} for ${direction.toLowerCase()})` } });
          continue;
        }
        for (const { object, spec } of isolating) {
          const rule = { file, address: `NetworkPolicy ${pod.namespace}/${object.metadata.name}` };
          const rules = direction === 'Ingress' ? (spec.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports })) : (spec.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }));
          for (const r of rules) {
            const peers: PeerMatch[] = r.peers === undefined || r.peers.length === 0 ? [{ kind: 'any' }] : r.peers.map((p) => peerOf(p, pod.namespace));
            for (const peer of peers) for (const service of servicesOf(r.ports)) into.push({ peer, service, rule });
          }
        }
      }
    }
    out.push(...drafts);
  }
  return out;
}

function typesOf(spec: PolicySpec): string[] {
  return spec.policyTypes && spec.policyTypes.length > 0 ? [...spec.policyTypes] : ['Ingress', ...(spec.egress ? ['Egress'] : [])];
}

function namedNamespaces(selector: LabelSelector): string[] {
  const name = selector.matchLabels?.['kubernetes.io/metadata.name'];
  const listed = (selector.matchExpressions ?? []).filter((e) => e.key === 'kubernetes.io/metadata.name' && e.operator === 'In').flatMap((e) => e.values ?? []);
  return [...(name ? [name] : []), ...listed];
}

// ---------------------------------------------------------------------------------------------------
// Public edge: CloudFront distributions take requests from the internet and forward them to their origins.

function publicEdgeEndpoints(templates: ReadonlyMap<string, CloudFormationTemplate>, fileOf: (stack: string, engine: string) => string, known: readonly Endpoint[], facts: (system?: string) => { level: number; owner: string } | undefined): Drafted[] {
  const out: Drafted[] = [];
  const buckets = new Map<string, Drafted>();
  const tagOf = (props: Record<string, unknown> | undefined, key: string) => (Array.isArray(props?.Tags) ? (props.Tags as { Key?: string; Value?: string }[]).find((t) => t.Key === key)?.Value : undefined);
  for (const [stack, template] of templates) {
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::S3::Bucket') continue;
      const name = typeof resource.Properties?.BucketName === 'string' ? resource.Properties.BucketName : logicalId;
      const system = tagOf(resource.Properties, 'ndc:system');
      buckets.set(name, {
        endpoint: { id: `bucket:${name}`, kind: 'bucket', zone: 'public-edge', zoneKind: 'public-edge', system, level: facts(system)?.level, owner: facts(system)?.owner, addresses: NOWHERE, groups: new Set(), privileged: false, members: [`${stack}/${logicalId}`] },
        egress: [],
        ingress: [],
      });
    }
  }
  const externals = new Map<string, Drafted>();
  for (const [stack, template] of [...templates].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const file = fileOf(stack, 'cloudformation');
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::CloudFront::Distribution') continue;
      const config = (resource.Properties?.DistributionConfig ?? {}) as Record<string, unknown>;
      const system = tagOf(resource.Properties, 'ndc:system');
      const id = `cdn:${stack}/${logicalId}`;
      const rule: RuleRef = { file, address: `Resources.${logicalId}` };
      const behaviours = [config.DefaultCacheBehavior, ...(Array.isArray(config.CacheBehaviors) ? config.CacheBehaviors : [])].filter((b): b is Record<string, unknown> => typeof b === 'object' && b !== null);
      const viewerHttp = behaviours.some((b) => b.ViewerProtocolPolicy !== 'https-only');
      const ingress: Permission[] = [{ peer: { kind: 'addresses', set: INTERNET, text: 'viewers' }, service: serviceOf('tcp', 443), rule }];
      if (viewerHttp) ingress.push({ peer: { kind: 'addresses', set: INTERNET, text: 'viewers' }, service: serviceOf('tcp', 80), rule });
      const egress: Permission[] = [];
      for (const origin of Array.isArray(config.Origins) ? (config.Origins as Record<string, unknown>[]) : []) {
        const domain = String(origin.DomainName ?? '');
        const custom = origin.CustomOriginConfig as Record<string, unknown> | undefined;
        const bucket = [...buckets.keys()].find((b) => domain === b || domain.startsWith(`${b}.s3`));
        const services = custom === undefined ? [serviceOf('tcp', 443)] : custom.OriginProtocolPolicy === 'http-only' ? [serviceOf('tcp', numberOf(custom.HTTPPort) ?? 80)] : custom.OriginProtocolPolicy === 'match-viewer' ? [serviceOf('tcp', numberOf(custom.HTTPSPort) ?? 443), serviceOf('tcp', numberOf(custom.HTTPPort) ?? 80)] : [serviceOf('tcp', numberOf(custom.HTTPSPort) ?? 443)];
        const originRule: RuleRef = { file, address: `Resources.${logicalId}.Origins[${String(origin.Id ?? domain)}]` };
        let targets: string[];
        if (bucket) {
          targets = [`bucket:${bucket}`];
          for (const s of services) buckets.get(bucket)!.ingress.push({ peer: { kind: 'endpoints', ids: new Set([id]) }, service: s, rule: originRule });
        } else {
          const ip = cidrSet(`${domain}/32`);
          const hosts = ip ? known.filter((e) => e.kind === 'hosts' && overlaps(e.addresses, ip)).map((e) => e.id) : [];
          if (hosts.length > 0) targets = hosts;
          else {
            const externalId = `external:${domain}`;
            if (!externals.has(externalId)) externals.set(externalId, { endpoint: { id: externalId, kind: 'external', zone: 'external', zoneKind: 'external', addresses: NOWHERE, groups: new Set(), privileged: false, members: [domain] }, egress: [], ingress: [{ peer: { kind: 'any' }, service: ANY, rule: { file: '-', address: `${domain} (outside the artifacts)` } }] });
            targets = [externalId];
          }
        }
        for (const s of services) egress.push({ peer: { kind: 'endpoints', ids: new Set(targets) }, service: s, rule: originRule });
      }
      out.push({ endpoint: { id, kind: 'distribution', zone: 'public-edge', zoneKind: 'public-edge', system, level: facts(system)?.level, owner: facts(system)?.owner, addresses: INTERNET, groups: new Set(), privileged: false, members: [logicalId], actsAs: 'internet' }, egress, ingress });
    }
  }
  return [...out, ...buckets.values(), ...externals.values()];
}
