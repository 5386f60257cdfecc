import { packsOf } from '../../policies/registry';
import { pack } from '../../policies/rules/network';
import { govInternetApart } from '../../policies/rules/network/gov-internet-apart';
import { internetDepth } from '../../policies/rules/network/internet-depth';
import { internetOneHop } from '../../policies/rules/network/internet-one-hop';
import { managementReach } from '../../policies/rules/network/management-reach';
import { ownersApart } from '../../policies/rules/network/owners-apart';
import { reachExplained } from '../../policies/rules/network/reach-explained';
import { failedSystems, failures, variant, withTerraform, type Fixture } from '../policy-fixtures';

type Resources = Record<string, Record<string, Record<string, unknown>>>;
const group = (name: string, attr = 'id') => `\${openstack_networking_secgroup_v2.${name}.${attr}}`;
/** Adds a security-group rule, as a hand edit of out/<env>/terraform/<stack>/cdk.tf.json would. */
const addRule = (resource: Resources, name: string, on: string, direction: 'ingress' | 'egress', port: number, remote: Record<string, string>) => {
  resource.openstack_networking_secgroup_rule_v2[name] = { direction, ethertype: 'IPv4', protocol: 'tcp', port_range_min: port, port_range_max: port, security_group_id: group(on), ...remote };
};

let prod: Fixture;
beforeAll(() => {
  prod = variant('prod', () => undefined);
});

describe('network pack (NDC-NET)', () => {
  it('is in force in vn-2016, mandatory, with stable ids, and passes on prod as shipped', () => {
    expect(packsOf('vn-2016')).toContain('network');
    expect(pack.map((r) => r.id)).toEqual(['NDC-NET-001', 'NDC-NET-002', 'NDC-NET-003', 'NDC-NET-004', 'NDC-NET-005', 'NDC-NET-006']);
    for (const rule of pack) {
      expect(rule.enforcement).toBe('mandatory');
      expect([rule.id, failures(rule, prod.context)]).toEqual([rule.id, []]);
      expect(rule.check(prod.context).filter((r) => r.status === 'pass').length).toBeGreaterThan(0);
    }
  });

  it('NDC-NET-001 fails when the internet reaches a database tier in one hop', () => {
    const context = withTerraform(prod, 'cluster-north', (c) => addRule(c.resource, 'population-db-db-from-anywhere', 'population-db-db-secgroup', 'ingress', 5432, { remote_ip_prefix: '0.0.0.0/0' }));
    expect(failedSystems(internetOneHop, context)).toEqual(['population-db']);
    expect(failures(internetOneHop, context)[0].message).toContain('internet -> vm:north/population-db/db (tcp/5432 by terraform/cluster-north/cdk.tf.json: openstack_networking_secgroup_rule_v2.population-db-db-from-anywhere)');
  });

  it('NDC-NET-002 fails when the edge (IPS) hosts reach the level-4 database directly (two zones from the internet)', () => {
    const context = withTerraform(prod, 'cluster-north', (c) => {
      addRule(c.resource, 'psp-ips-to-db', 'public-service-portal-ips-secgroup', 'egress', 5432, { remote_group_id: group('public-service-portal-db-secgroup') });
      addRule(c.resource, 'psp-db-from-ips', 'public-service-portal-db-secgroup', 'ingress', 5432, { remote_group_id: group('public-service-portal-ips-secgroup') });
    });
    expect(failedSystems(internetDepth, context)).toEqual(['public-service-portal']);
    expect(failures(internetDepth, context)[0].message).toContain('internet > vm:north/public-service-portal/ips > vm:north/public-service-portal/db crosses 2 zones');
  });

  it('NDC-NET-003 fails when a level-5 system can reach a level-4 system of another owner', () => {
    const context = withTerraform(prod, 'cluster-north', (c) => {
      addRule(c.resource, 'population-api-to-ca-ra', 'population-db-api-secgroup', 'egress', 443, { remote_group_id: group('digital-signature-ca-ra-secgroup') });
      addRule(c.resource, 'ca-ra-from-population-api', 'digital-signature-ca-ra-secgroup', 'ingress', 443, { remote_group_id: group('population-db-api-secgroup') });
    });
    expect(failedSystems(ownersApart, context)).toEqual(['population-db']);
    expect(failures(ownersApart, context)[0].message).toContain('vm:north/population-db/api > vm:north/digital-signature-ca/ra reaches digital-signature-ca (Government Cipher Committee, level 4)');
  });

  it('NDC-NET-004 fails when a tier the government network reaches can open connections to the internet', () => {
    const context = withTerraform(prod, 'cluster-north', (c) => addRule(c.resource, 'gateway-to-anywhere', 'e-document-exchange-gateway-secgroup', 'egress', 443, { remote_ip_prefix: '0.0.0.0/0' }));
    const found = failures(govInternetApart, context);
    expect(found.map((r) => r.subject)).toEqual(['prod (government network)']);
    expect(found[0].message).toContain('gov-network reaches internet: gov-network > vm:north/e-document-exchange/ips > vm:north/e-document-exchange/gateway > internet');
  });

  it('NDC-NET-005 fails for a reachability no flow explains, naming the rule', () => {
    const context = withTerraform(prod, 'cluster-north', (c) => addRule(c.resource, 'app-from-agencies', 'e-document-exchange-app-secgroup', 'ingress', 8443, { remote_ip_prefix: '172.16.0.0/12' }));
    expect(failedSystems(reachExplained, context)).toEqual(['e-document-exchange']);
    expect(failures(reachExplained, context)[0].message).toContain('gov-network -> vm:north/e-document-exchange/app: tcp/8443 by terraform/cluster-north/cdk.tf.json: openstack_networking_secgroup_rule_v2.app-from-agencies matches no flow');
  });

  it('NDC-NET-006 fails when a management-zone host is reached from outside the management zones', () => {
    const context = withTerraform(prod, 'cluster-north', (c) => {
      c.resource.openstack_networking_secgroup_v2['ops-console-secgroup'] = { name: 'prod-ops-console', delete_default_rules: true, tags: ['ndc:env=prod', 'ndc:cluster=north'] };
      addRule(c.resource, 'ops-console-from-agencies', 'ops-console-secgroup', 'ingress', 22, { remote_ip_prefix: '172.16.0.0/12' });
      c.resource.openstack_compute_instance_v2['ops-console-0'] = {
        name: 'prod-ops-console-0',
        network: [{ uuid: '${openstack_networking_network_v2.management-network.id}' }],
        security_groups: [group('ops-console-secgroup', 'name')],
        tags: ['ndc:env=prod', 'ndc:cluster=north'],
      };
    });
    const found = failures(managementReach, context);
    expect(found.map((r) => r.subject)).toEqual(['prod (platform)']);
    expect(found[0].message).toContain('gov-network -> vm:north/prod-ops-console-0 (tcp/22 by terraform/cluster-north/cdk.tf.json: openstack_networking_secgroup_rule_v2.ops-console-from-agencies): gov-network is neither a management zone nor a privileged-access host');
    // The management zones' own addresses reaching the shared bastion / PAM are what the rule allows.
    expect(failures(managementReach, prod.context)).toEqual([]);
  });
});
