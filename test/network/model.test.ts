import { artifactSetOf } from '../../policies/artifacts';
import { networkReachability, showRule, showService, type Reachability } from '../../policies/network';
import { reachHtmlSection, reachView } from '../../policies/network/report';
import type { Artifact } from '../../stacks/manifest';

/**
 * A small cloud built by hand, whose reachability was worked out on paper: one cluster (c1) with a DMZ,
 * an application and a database subnet on one router (the application subnet attached by port, with a
 * fixed IP), a management subnet without hosts, the government interconnect and the edge; an isolated
 * database network on no router; a Kubernetes namespace with default deny and one ipBlock policy.
 */
const ref = (type: string, name: string, attr = 'id') => `\${${type}.${name}.${attr}}`;
const network = (zone: string) => ({ name: `c1-${zone}`, tags: ['ndc:cluster=c1', `ndc:zone=${zone}`] });
const subnet = (zone: string, cidr: string) => ({ cidr, network_id: ref('openstack_networking_network_v2', zone), tags: ['ndc:cluster=c1', `ndc:zone=${zone}`] });
const group = (tier: string) => ({ name: `sys-${tier}`, delete_default_rules: true, tags: ['ndc:system=sys', `ndc:tier=${tier}`] });
const rule = (tier: string, direction: string, port: number, remote: { remote_group_id?: string; remote_ip_prefix?: string }) => ({
  direction,
  ethertype: 'IPv4',
  protocol: 'tcp',
  port_range_min: port,
  port_range_max: port,
  security_group_id: ref('openstack_networking_secgroup_v2', tier),
  ...remote,
});
const instance = (tier: string, zone: string) => ({
  name: `sys-${tier}-0`,
  network: [{ uuid: ref('openstack_networking_network_v2', zone) }],
  security_groups: [ref('openstack_networking_secgroup_v2', tier, 'name')],
  tags: ['ndc:system=sys', `ndc:tier=${tier}`, 'ndc:cluster=c1'],
});

const terraform = {
  resource: {
    openstack_networking_network_v2: { dmz: network('dmz'), app: network('internal-server'), database: network('database'), management: network('management'), gov: network('gov-interconnect'), edge: network('edge'), isolated: network('database') },
    openstack_networking_subnet_v2: {
      dmz: subnet('dmz', '10.1.1.0/24'),
      app: { ...subnet('app', '10.1.2.0/24'), tags: ['ndc:cluster=c1', 'ndc:zone=internal-server'] },
      database: subnet('database', '10.1.3.0/24'),
      management: subnet('management', '10.1.4.0/24'),
      gov: subnet('gov', '10.1.5.0/24'),
      edge: subnet('edge', '10.1.6.0/24'),
      isolated: { ...subnet('isolated', '10.9.0.0/24'), tags: ['ndc:cluster=c1', 'ndc:zone=database'] },
    },
    openstack_networking_port_v2: { 'app-router-port': { network_id: ref('openstack_networking_network_v2', 'app'), fixed_ip: [{ subnet_id: ref('openstack_networking_subnet_v2', 'app'), ip_address: '10.1.2.1' }] } },
    openstack_networking_router_v2: { core: { name: 'c1-core', tags: ['ndc:cluster=c1'] } },
    openstack_networking_router_interface_v2: {
      ...Object.fromEntries(['dmz', 'database', 'management', 'gov', 'edge'].map((z) => [z, { router_id: ref('openstack_networking_router_v2', 'core'), subnet_id: ref('openstack_networking_subnet_v2', z) }])),
      app: { router_id: ref('openstack_networking_router_v2', 'core'), port_id: ref('openstack_networking_port_v2', 'app-router-port') },
    },
    openstack_networking_secgroup_v2: { web: group('web'), app: group('app'), db: group('db'), vault: group('vault') },
    openstack_networking_secgroup_rule_v2: {
      'web-in-443': rule('web', 'ingress', 443, { remote_ip_prefix: '0.0.0.0/0' }),
      'web-out-8443': rule('web', 'egress', 8443, { remote_group_id: ref('openstack_networking_secgroup_v2', 'app') }),
      'app-in-8443': rule('app', 'ingress', 8443, { remote_group_id: ref('openstack_networking_secgroup_v2', 'web') }),
      'app-out-5432': rule('app', 'egress', 5432, { remote_group_id: ref('openstack_networking_secgroup_v2', 'db') }),
      'app-in-22': rule('app', 'ingress', 22, { remote_ip_prefix: '10.1.4.0/24' }),
      'db-in-5432': rule('db', 'ingress', 5432, { remote_group_id: ref('openstack_networking_secgroup_v2', 'app') }),
      'db-in-22': rule('db', 'ingress', 22, { remote_ip_prefix: '10.1.4.0/24' }),
      'db-in-partner': rule('db', 'ingress', 5432, { remote_ip_prefix: '192.168.7.0/24' }),
      'vault-in-5432': rule('vault', 'ingress', 5432, { remote_ip_prefix: '0.0.0.0/0' }),
    },
    openstack_compute_instance_v2: { web: instance('web', 'dmz'), app: instance('app', 'app'), db: instance('db', 'database'), vault: instance('vault', 'isolated') },
  },
};

const kubernetes = [
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns1\n  labels:\n    ndc.gov.vn/system: sys\n    ndc.gov.vn/cluster: c1',
  'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: ns1\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]',
  [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata:',
    '  name: api-from-agencies',
    '  namespace: ns1',
    '  annotations:',
    '    ndc.gov.vn/flow: test/sys/c1/flows/0-gov-network-to-internal-server',
    'spec:',
    '  podSelector:',
    '    matchLabels:',
    '      ndc.gov.vn/tier: api',
    '  policyTypes: [Ingress]',
    '  ingress:',
    '    - from:',
    '        - ipBlock:',
    '            cidr: 172.16.0.0/12',
    '            except: [172.20.0.0/16]',
    '      ports:',
    '        - protocol: TCP',
    '          port: 8000',
    '          endPort: 8010',
  ].join('\n'),
].join('\n---\n');

function reachOf(resources: typeof terraform, extra: Pick<Artifact, 'path' | 'engine' | 'stack' | 'content'>[] = []): Reachability {
  const artifacts: Pick<Artifact, 'path' | 'engine' | 'stack' | 'content'>[] = [
    { path: 'terraform/c1/cdk.tf.json', engine: 'terraform', stack: 'c1', content: JSON.stringify(resources) },
    { path: 'kubernetes/c1.yaml', engine: 'kubernetes', stack: 'k-c1', content: `${kubernetes}\n` },
    ...extra,
  ];
  return networkReachability({
    artifacts: artifactSetOf(artifacts),
    manifest: { artifacts: artifacts.map((a) => ({ ...a, bytes: 0, sha256: '' })), systems: [{ id: 'sys', name: 'System', level: 4, regions: ['c1'], owner: 'Agency', classification: 'internal', personalData: false }] },
    governmentNetwork: '172.16.0.0/12',
  });
}

const flat = (reach: Reachability) => reach.hops.flatMap((h) => h.allows.map((a) => `${h.from} -> ${h.to} ${showService(a.service)}`)).sort();

describe('network model on a hand-built cloud', () => {
  it('agrees with the reachability computed by hand', () => {
    expect(flat(reachOf(terraform))).toEqual(
      [
        // The DMZ web tier is open to 0.0.0.0/0: the internet and, inside that block, the government network.
        'internet -> vm:c1/sys/web tcp/443',
        'gov-network -> vm:c1/sys/web tcp/443',
        // Tier to tier through remote groups, egress and ingress both.
        'vm:c1/sys/web -> vm:c1/sys/app tcp/8443',
        'vm:c1/sys/app -> vm:c1/sys/db tcp/5432',
        // The management subnet has no hosts: its addresses reach what names them.
        'zone:c1/management -> vm:c1/sys/app tcp/22',
        'zone:c1/management -> vm:c1/sys/db tcp/22',
        // A prefix outside every known network is an external peer, which may sit behind any router.
        'external:192.168.7.0/24 -> vm:c1/sys/db tcp/5432',
        'external:192.168.7.0/24 -> vm:c1/sys/vault tcp/5432',
        // 0.0.0.0/0 holds the partner's block too.
        'external:192.168.7.0/24 -> vm:c1/sys/web tcp/443',
        // ipBlock with except and endPort; the pod's zone comes from the flow annotation.
        'gov-network -> pod:c1/ns1/api tcp/8000-8010',
        // The isolated network is on no router: neither the internet nor the government network reaches vault.
      ].sort(),
    );
  });

  it('names the exact rules that allow each hop, egress and ingress', () => {
    const hop = reachOf(terraform).hops.find((h) => h.from === 'vm:c1/sys/app' && h.to === 'vm:c1/sys/db')!;
    expect(hop.allows.map((a) => a.rules.map(showRule))).toEqual([
      ['terraform/c1/cdk.tf.json: openstack_networking_secgroup_rule_v2.app-out-5432', 'terraform/c1/cdk.tf.json: openstack_networking_secgroup_rule_v2.db-in-5432'],
    ]);
  });

  it('puts the application subnet, attached by port and fixed IP, on the router; without the interface it is cut off', () => {
    const reach = reachOf(terraform);
    const domainOf = (id: string) => reach.model.byId.get(id)!.domain;
    expect(domainOf('vm:c1/sys/app')).toBe(domainOf('vm:c1/sys/web'));
    // The pod's zone kind comes from the flow annotation; the cluster's networks are shared, so is the zone.
    expect(reach.model.byId.get('pod:c1/ns1/api')!.zone).toBe('c1/internal-server');
    const cut = structuredClone(terraform);
    delete (cut.resource.openstack_networking_router_interface_v2 as Record<string, unknown>).app;
    expect(flat(reachOf(cut))).not.toContain('vm:c1/sys/web -> vm:c1/sys/app tcp/8443');
    expect(flat(reachOf(cut))).not.toContain('zone:c1/management -> vm:c1/sys/app tcp/22');
  });

  it('an external gateway on the router of the interconnect joins the government network and the internet', () => {
    const gateway = structuredClone(terraform);
    (gateway.resource.openstack_networking_router_v2.core as Record<string, unknown>).external_network_id = 'public-net';
    expect(flat(reachOf(gateway))).toEqual(expect.arrayContaining(['gov-network -> internet any', 'internet -> gov-network any']));
    expect(flat(reachOf(terraform))).not.toContain('gov-network -> internet any');
  });

  it('renders the zone matrix and attack paths for the HTML report, folded to zone kinds when wide', () => {
    const view = reachView(reachOf(terraform));
    const html = reachHtmlSection(view);
    expect(html).toContain('<th>c1/internal-server</th>');
    expect(html).toContain('<tr><td>c1/dmz</td><td class="none">-</td><td class="none">-</td><td>tcp/8443</td>');
    expect(html).toContain('<td>internet</td><td>c1/database</td><td>internet &gt; vm:c1/sys/web &gt; vm:c1/sys/app &gt; vm:c1/sys/db (3 hops)</td>');
    expect(reachHtmlSection(view, 1)).toContain('folded here to cluster and zone kind');
  });

  it('follows floating IPs, a CDN origin pointing at a host, and networks without port security', () => {
    const changed = structuredClone(terraform);
    (changed.resource as Record<string, unknown>).openstack_compute_floatingip_associate_v2 = { vault: { floating_ip: '203.0.113.7', instance_id: ref('openstack_compute_instance_v2', 'vault') } };
    const template = {
      Resources: {
        Site: {
          Type: 'AWS::CloudFront::Distribution',
          Properties: {
            DistributionConfig: { DefaultCacheBehavior: { ViewerProtocolPolicy: 'https-only' }, Origins: [{ Id: 'app', DomainName: '10.1.1.10', CustomOriginConfig: { OriginProtocolPolicy: 'https-only' } }] },
            Tags: [{ Key: 'ndc:system', Value: 'sys' }],
          },
        },
      },
    };
    const reach = reachOf(changed, [{ path: 'cloudformation/edge.template.json', engine: 'cloudformation', stack: 'edge', content: JSON.stringify(template) }]);
    expect(flat(reach)).toEqual(expect.arrayContaining(['internet -> vm:c1/sys/vault tcp/5432', 'internet -> cdn:edge/Site tcp/443', 'cdn:edge/Site -> vm:c1/sys/web tcp/443']));
    expect(flat(reach)).not.toContain('internet -> cdn:edge/Site tcp/80');
    // Without port security the database admits anything from anywhere routed to it.
    const open = structuredClone(terraform);
    (open.resource.openstack_networking_network_v2.database as Record<string, unknown>).port_security_enabled = false;
    expect(flat(reachOf(open))).toEqual(expect.arrayContaining(['internet -> vm:c1/sys/db any', 'vm:c1/sys/db -> internet any']));
  });
});
