import { contains, mustParseCidr } from '../core/cidr';
import { buildCloud } from '../constructs';
import { validateEnvironment } from '../environments/validate';
import { generateEnvironment } from '../scripts/generate-cloud';
import { renderEnvironment } from '../stacks/synth';
import { backboneAttachments, backboneBlock, backboneGateway } from '../stacks/terraform/backbone';
import { REPO } from './helpers';

type Body = Record<string, unknown>;
interface Config {
  resource?: Record<string, Record<string, Body>>;
  output?: Record<string, { value: string }>;
}

interface Attachment {
  readonly where: string;
  readonly subnet: string;
  /** The router's address on the subnet: the port's fixed IP, or the subnet's gateway when attached by subnet. */
  readonly address: string;
  readonly bySubnet: boolean;
}

/**
 * Every router interface of an environment's Terraform artifacts with the subnet it lands on (resolved
 * across stacks through the national core's outputs) and the address Neutron gives it.
 */
function routerAttachments(env: 'dev' | 'staging' | 'prod'): { attachments: Attachment[]; subnets: Map<string, { cidr: string; gateway: string }> } {
  const stacks = new Map(renderEnvironment(REPO, env).artifacts.filter((a) => a.engine === 'terraform').map((a) => [a.stack, JSON.parse(a.content) as Config]));
  const subnets = new Map<string, { cidr: string; gateway: string }>();
  for (const [stack, config] of stacks) {
    for (const [name, body] of Object.entries(config.resource?.openstack_networking_subnet_v2 ?? {})) {
      subnets.set(`${stack}:openstack_networking_subnet_v2.${name}`, { cidr: String(body.cidr), gateway: String(body.gateway_ip) });
    }
  }
  /** `${openstack_networking_subnet_v2.x.id}` in a stack, or a remote-state output naming one in another. */
  const subnetKey = (stack: string, reference: string): string => {
    const remote = /^\$\{data\.terraform_remote_state\.([a-z0-9-]+)\.outputs\.([a-z0-9_]+)\}$/.exec(reference);
    if (remote) return subnetKey(remote[1], stacks.get(remote[1])!.output![remote[2]].value);
    const local = /^\$\{(openstack_networking_subnet_v2\.[a-z0-9-]+)\.id\}$/.exec(reference);
    if (!local) throw new Error(`${stack}: unresolvable subnet reference ${reference}`);
    return `${stack}:${local[1]}`;
  };
  const attachments: Attachment[] = [];
  for (const [stack, config] of stacks) {
    const ports = config.resource?.openstack_networking_port_v2 ?? {};
    for (const [name, body] of Object.entries(config.resource?.openstack_networking_router_interface_v2 ?? {})) {
      const where = `${stack}: ${name}`;
      if (typeof body.subnet_id === 'string') {
        const subnet = subnetKey(stack, body.subnet_id);
        attachments.push({ where, subnet, address: subnets.get(subnet)!.gateway, bySubnet: true });
        continue;
      }
      const port = /^\$\{openstack_networking_port_v2\.([a-z0-9-]+)\.id\}$/.exec(String(body.port_id));
      if (!port) throw new Error(`${where}: neither subnet_id nor a port of the stack`);
      const fixed = (ports[port[1]].fixed_ip as { subnet_id: string; ip_address: string }[]);
      expect(fixed).toHaveLength(1);
      attachments.push({ where, subnet: subnetKey(stack, fixed[0].subnet_id), address: fixed[0].ip_address, bySubnet: false });
    }
  }
  return { attachments, subnets };
}

describe('router interfaces on shared subnets', () => {
  it.each(['dev', 'staging', 'prod'] as const)('%s: no two routers share an address, none takes a shared subnet by subnet_id', (env) => {
    const { attachments, subnets } = routerAttachments(env);
    const bySubnet = new Map<string, Attachment[]>();
    for (const a of attachments) bySubnet.set(a.subnet, [...(bySubnet.get(a.subnet) ?? []), a]);
    const problems: string[] = [];
    for (const [subnet, list] of bySubnet) {
      const { cidr, gateway } = subnets.get(subnet)!;
      const seen = new Map<string, string>();
      for (const a of list) {
        if (seen.has(a.address)) problems.push(`${a.where}: ${a.address} on ${subnet} is also ${seen.get(a.address)}'s`);
        seen.set(a.address, a.where);
        if (!contains(mustParseCidr(cidr), mustParseCidr(`${a.address}/32`))) problems.push(`${a.where}: ${a.address} outside ${cidr}`);
        if (list.length > 1 && a.bySubnet) problems.push(`${a.where}: attached by subnet_id to ${subnet}, which ${list.length} routers share`);
        if (list.length > 1 && a.address === gateway) problems.push(`${a.where}: holds the gateway ${gateway} of shared ${subnet}`);
      }
    }
    expect(problems).toEqual([]);
    // The backbones are really shared: prod's north backbone carries the national core's, the
    // shared-services', north's core router and the level 4-5 systems' own routers.
    const north = bySubnet.get('national-core:openstack_networking_subnet_v2.north-backbone-subnet')!;
    expect(north.length).toBeGreaterThanOrEqual(env === 'prod' ? 6 : 2);
  });
});

describe('backbone address allocation', () => {
  it('is deterministic, distinct, inside the block and never the gateway, and grows the block when a /24 is too small', () => {
    const input = generateEnvironment(700);
    const cloud = buildCloud(validateEnvironment(input, 'generated.ts'));
    for (const cluster of cloud.clusters) {
      const ports = backboneAttachments(cloud, cluster);
      const block = backboneBlock(cloud, cluster);
      const addresses = ports.map((p) => p.address);
      expect(new Set(addresses).size).toBe(addresses.length);
      expect(addresses).not.toContain(backboneGateway(cloud, cluster));
      for (const address of addresses) expect(contains(block, mustParseCidr(`${address}/32`))).toBe(true);
      expect(backboneAttachments(cloud, cluster)).toEqual(ports);
    }
    const busiest = Math.max(...cloud.clusters.map((c) => backboneAttachments(cloud, c).length));
    expect(busiest).toBeGreaterThan(254);
    expect(backboneBlock(cloud, cloud.clusters[0]).prefix).toBeLessThan(24);
  });
});
