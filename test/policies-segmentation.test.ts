import { pack } from '../policies/rules/segmentation';
import { defaultDeny } from '../policies/rules/segmentation/default-deny';
import { deviceManagementIsolated } from '../policies/rules/segmentation/device-management-isolated';
import { dmzNotToDatabase } from '../policies/rules/segmentation/dmz-database';
import { govNetworkNotInternet } from '../policies/rules/segmentation/gov-network-not-internet';
import { internetIngress } from '../policies/rules/segmentation/internet-ingress';
import { managementAccess } from '../policies/rules/segmentation/management-access';
import { securityGroupsMatchFlows } from '../policies/rules/segmentation/security-groups-match-flows';
import { failedSystems, failures, variant, withTerraform, type Fixture } from './policy-fixtures';

type SystemInput = NonNullable<Fixture['input']['systems']>[number];
const system = (input: Fixture['input'], id: string): SystemInput => input.systems!.find((s) => s.id === id)!;
const addFlow = (id: string, flow: SystemInput['flows'] extends (infer F)[] | undefined ? F : never) => (input: Fixture['input']) => {
  system(input, id).flows!.push(flow);
};

let prod: Fixture;
beforeAll(() => {
  prod = variant('prod', () => undefined);
});

describe('segmentation pack', () => {
  it('has stable ids and every rule passes on prod as shipped', () => {
    expect(pack.map((r) => r.id)).toEqual(['NDC-SEG-001', 'NDC-SEG-002', 'NDC-SEG-003', 'NDC-SEG-004', 'NDC-SEG-005', 'NDC-SEG-006', 'NDC-SEG-007']);
    for (const rule of pack) expect([rule.id, failures(rule, prod.context)]).toEqual([rule.id, []]);
  });

  it('NDC-SEG-001 fails when a security group keeps the provider default rules', () => {
    const context = withTerraform(prod, 'cluster-central', (c) => {
      c.resource.openstack_networking_secgroup_v2['open-data-portal-web-secgroup'].delete_default_rules = false;
    });
    expect(failedSystems(defaultDeny, context)).toEqual(['open-data-portal']);
    const platform = withTerraform(prod, 'national-core', (c) => {
      c.resource.openstack_networking_secgroup_v2['siem-secgroup'].delete_default_rules = false;
    });
    expect(failures(defaultDeny, platform).map((r) => r.subject)).toEqual(['prod (platform)']);
  });

  it('NDC-SEG-002 fails for a model flow from the internet to an inner zone, and for an artifact rule open to 0.0.0.0/0', () => {
    const model = variant('prod', addFlow('open-data-portal', { from: 'internet', to: 'internal-server', protocol: 'tcp', ports: 8080 }), { render: false });
    expect(failures(internetIngress, model.context).map((r) => r.message)).toEqual(['flow from the internet to internal-server on tcp/8080']);
    const ssh = variant('prod', addFlow('open-data-portal', { from: 'internet', to: 'dmz', protocol: 'tcp', ports: 22 }), { render: false });
    expect(failedSystems(internetIngress, ssh.context)).toEqual(['open-data-portal']);
    const artifact = withTerraform(prod, 'cluster-north', (c) => {
      c.resource.openstack_networking_secgroup_rule_v2['population-db-db-ingress-3-0'].remote_ip_prefix = '0.0.0.0/0';
      delete c.resource.openstack_networking_secgroup_rule_v2['population-db-db-ingress-3-0'].remote_group_id;
    });
    expect(failures(internetIngress, artifact).map((r) => r.systemId)).toEqual(['population-db']);
  });

  it('NDC-SEG-003 fails for a flow from the DMZ straight to the database zone', () => {
    const f = variant('prod', addFlow('e-document-exchange', { from: 'dmz', to: 'database', protocol: 'tcp', ports: 5432 }), { render: false });
    expect(failures(dmzNotToDatabase, f.context).map((r) => [r.systemId, r.message])).toEqual([['e-document-exchange', 'flow dmz -> database on tcp/5432']]);
  });

  it('NDC-SEG-004 fails for a flow into the management zone or onto an administrative port from elsewhere', () => {
    const intoManagement = variant('prod', addFlow('online-meeting', { from: 'internal-server', to: 'management', protocol: 'tcp', ports: 9100 }), { render: false });
    expect(failedSystems(managementAccess, intoManagement.context)).toEqual(['online-meeting']);
    const rdp = variant('prod', addFlow('online-meeting', { from: 'gov-network', to: 'internal-server', protocol: 'tcp', ports: [3000, 4000] }), { render: false });
    expect(failures(managementAccess, rdp.context)[0].message).toBe('flow gov-network -> internal-server on tcp/3000-4000 opens an administrative port');
  });

  it('NDC-SEG-005 fails when the device-management zone starts a connection', () => {
    const f = variant('prod', addFlow('population-db', { from: 'device-management', to: 'internal-server', protocol: 'tcp', ports: 443 }), { render: false });
    expect(failedSystems(deviceManagementIsolated, f.context)).toEqual(['population-db']);
  });

  it('NDC-SEG-006 fails when a zone is reached from both networks, or a router joins gov-interconnect to an external gateway', () => {
    const both = variant('prod', addFlow('e-document-exchange', { from: 'internet', to: 'dmz', protocol: 'tcp', ports: 443 }), { render: false });
    expect(failures(govNetworkNotInternet, both.context).map((r) => r.message)).toEqual(['dmz is reached from both the government network and the internet']);
    const routed = withTerraform(prod, 'cluster-north', (c) => {
      c.resource.openstack_networking_router_v2['core-router'].external_network_id = 'public';
    });
    const failed = failures(govNetworkNotInternet, routed);
    expect(failed.map((r) => r.subject)).toEqual(['prod (routers)']);
    expect(failed[0].message).toContain('openstack_networking_router_v2.core-router has an external gateway');
  });

  describe('NDC-SEG-007 (artifact rules against the model flows)', () => {
    it('fails for a widened port range', () => {
      const context = withTerraform(prod, 'cluster-north', (c) => {
        c.resource.openstack_networking_secgroup_rule_v2['population-db-db-ingress-3-0'].port_range_max = 5440;
      });
      const failed = failures(securityGroupsMatchFlows, context);
      expect(failed.map((r) => r.systemId)).toEqual(['population-db']);
      expect(failed[0].message).toContain('population-db-db-ingress-3-0: ingress tcp/5432-5440 from database on tier db (database) in north matches no flow');
    });

    it('fails for a rule from a CIDR no zone of the system has, and for a rule on an undeclared group', () => {
      const context = withTerraform(prod, 'cluster-south', (c) => {
        const rules = c.resource.openstack_networking_secgroup_rule_v2;
        rules['online-meeting-db-ingress-extra'] = { ...rules['online-meeting-db-ingress-6-0'], remote_ip_prefix: '10.99.0.0/24' };
        delete rules['online-meeting-db-ingress-extra'].remote_group_id;
        rules['stray'] = { security_group_id: '${openstack_networking_secgroup_v2.hand-made.id}', direction: 'ingress', protocol: 'tcp', port_range_min: 1, port_range_max: 65535, remote_ip_prefix: '0.0.0.0/0' };
      });
      const failed = failures(securityGroupsMatchFlows, context);
      expect(failed.map((r) => r.systemId ?? r.subject)).toEqual(['terraform/cluster-south: openstack_networking_secgroup_rule_v2.stray', 'online-meeting']);
      expect(failed[1].message).toContain('from 10.99.0.0/24');
    });

    it('fails for a shared-service rule open beyond the management zones', () => {
      const context = withTerraform(prod, 'national-core', (c) => {
        c.resource.openstack_networking_secgroup_rule_v2['siem-from-north-management'].remote_ip_prefix = '0.0.0.0/0';
      });
      expect(failures(securityGroupsMatchFlows, context).map((r) => r.subject)).toEqual(['prod (shared services)']);
    });

    it('passes every system on prod, counting the rules its flows explain', () => {
      const results = securityGroupsMatchFlows.check(prod.context);
      expect(results.filter((r) => r.status === 'pass').length).toBe(7);
      expect(results.find((r) => r.systemId === 'online-meeting')?.message).toMatch(/^\d+ security-group rules, each matching a flow$/);
    });
  });
});
