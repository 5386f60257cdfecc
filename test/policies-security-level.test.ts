import { pack } from '../policies/rules/security-level';
import { assessmentCurrent } from '../policies/rules/security-level/assessment-current';
import { centralLogging } from '../policies/rules/security-level/central-logging';
import { dedicatedInfrastructure } from '../policies/rules/security-level/dedicated-infrastructure';
import { levelControls } from '../policies/rules/security-level/level-controls';
import { logicalIsolation } from '../policies/rules/security-level/logical-isolation';
import { privilegedAccess } from '../policies/rules/security-level/privileged-access';
import { recoverySiteDistance } from '../policies/rules/security-level/recovery-site-distance';
import { wafInternetFacing } from '../policies/rules/security-level/waf-internet-facing';
import { zonesRequired } from '../policies/rules/security-level/zones-required';
import { failedSystems, failures, variant, withTerraform, type Fixture } from './policy-fixtures';

type SystemInput = NonNullable<Fixture['input']['systems']>[number];
const system = (input: Fixture['input'], id: string): SystemInput => input.systems!.find((s) => s.id === id)!;

let prod: Fixture;
beforeAll(() => {
  prod = variant('prod', () => undefined);
});

describe('security-level pack', () => {
  it('has stable, unique ids and every rule passes on prod as shipped', () => {
    expect(pack.map((r) => r.id)).toEqual(['NDC-LVL-001', 'NDC-LVL-002', 'NDC-LVL-003', 'NDC-LVL-004', 'NDC-LVL-005', 'NDC-LVL-006', 'NDC-LVL-007', 'NDC-LVL-008', 'NDC-LVL-009']);
    for (const rule of pack) expect([rule.id, failures(rule, prod.context)]).toEqual([rule.id, []]);
  });

  it('NDC-LVL-001 fails when a required zone is missing from the Terraform artifacts', () => {
    expect(failedSystems(zonesRequired, prod.context)).toEqual([]);
    const context = withTerraform(prod, 'cluster-north', (c) => {
      delete c.resource.openstack_networking_network_v2['population-db-device-management-network'];
    });
    const failed = failures(zonesRequired, context);
    expect(failed.map((f) => f.systemId)).toEqual(['population-db']);
    expect(failed[0].message).toContain('north: device-management zone not in the Terraform artifacts');
  });

  it('NDC-LVL-002 fails when a level-3 instance joins another tenant\'s security group', () => {
    const context = withTerraform(prod, 'cluster-south', (c) => {
      c.resource.openstack_compute_instance_v2['online-meeting-media-0'].security_groups = ['${openstack_networking_secgroup_v2.public-service-portal-web-secgroup.name}'];
    });
    const failed = failures(logicalIsolation, context);
    expect(failed.map((f) => f.systemId)).toEqual(['online-meeting']);
    expect(failed[0].message).toContain('online-meeting-media-0 uses security group');
    expect(logicalIsolation.check(prod.context).find((r) => r.systemId === 'population-db')?.status).toBe('not-applicable');
  });

  it('NDC-LVL-003 fails for a level-4 system on shared hosts, and for an instance without its host aggregate', () => {
    const shared = variant('prod', (input) => {
      system(input, 'digital-signature-ca').dedicatedHosts = false;
    });
    expect(failedSystems(dedicatedInfrastructure, shared.context)).toEqual(['digital-signature-ca']);
    const edited = withTerraform(prod, 'cluster-north', (c) => {
      c.resource.openstack_compute_instance_v2['population-db-db-0'].flavor_name = 'm4.8xlarge';
    });
    expect(failures(dedicatedInfrastructure, edited)[0].message).toContain('population-db-db-0 is not bound to a dedicated host aggregate');
  });

  it('NDC-LVL-004 fails for an internet-facing level-2 system without a WAF', () => {
    const f = variant('prod', (input) => {
      system(input, 'open-data-portal').controls = { waf: false };
    }, { render: false });
    expect(failedSystems(wafInternetFacing, f.context)).toEqual(['open-data-portal']);
  });

  it('NDC-LVL-005 is mandatory and reads the artifacts: a model with nothing rendered ships no logs', () => {
    expect(centralLogging.enforcement).toBe('mandatory');
    const f = variant('prod', () => undefined, { render: false });
    const failed = failures(centralLogging, f.context).find((r) => r.systemId === 'population-db');
    expect(failed?.message).toContain('no log collector in cluster north');
    expect(failed?.message).toContain('no log bucket ndc-prod-population-db-logs');
  });

  it('NDC-LVL-006 fails for a level-4 system without PAM', () => {
    const f = variant('prod', (input) => {
      system(input, 'public-service-portal').controls!.privilegedAccessManagement = false;
    }, { render: false });
    expect(failedSystems(privilegedAccess, f.context)).toEqual(['public-service-portal']);
  });

  it('NDC-LVL-007 fails when the level-5 recovery cluster is closer than 30 km (great-circle)', () => {
    const f = variant('prod', (input) => {
      const north = input.regions[0];
      input.regions.push({
        ...structuredClone(north),
        id: 'north-annex',
        name: 'Hanoi city annex',
        location: { lat: 21.03, lon: 105.78 },
        openstackRegion: 'VN-North-Annex',
        availabilityZones: [{ id: 'annex-a' }, { id: 'annex-b' }],
        addressPlan: { cidr: '10.40.0.0/16', segments: { 'internal-server': '10.40.8.0/22', edge: '10.40.0.0/22', dmz: '10.40.4.0/22', database: '10.40.12.0/22', management: '10.40.16.0/22', 'device-management': '10.40.20.0/22' } },
      });
      const db = system(input, 'population-db');
      db.recoveryRegion = 'north-annex';
      db.dedicatedNetworks = { north: '10.10.136.0/21', 'north-annex': '10.40.128.0/21' };
    }, { render: false });
    const failed = failures(recoverySiteDistance, f.context);
    expect(failed.map((r) => r.systemId)).toEqual(['population-db']);
    expect(failed[0].message).toMatch(/recovery cluster north-annex is 2\d\.\d km from north, less than 30 km/);
  });

  it('NDC-LVL-008 fails once a system\'s assessment is older than its level\'s interval', () => {
    // population-db (level 5, every 6 months) was assessed 2026-08-03: due 2027-02-03.
    const due = variant('prod', () => undefined, { render: false, asOf: new Date('2027-02-03T00:00:00Z') });
    expect(failedSystems(assessmentCurrent, due.context)).toEqual([]);
    const late = variant('prod', () => undefined, { render: false, asOf: new Date('2027-02-04T00:00:00Z') });
    expect(failures(assessmentCurrent, late.context).map((r) => [r.systemId, r.message])).toEqual([['population-db', 'last assessed 2026-08-03, overdue since 2027-02-03 (every 6 months at level 5)']]);
    const none = variant('prod', (input) => {
      delete system(input, 'online-meeting').assessment;
    }, { render: false });
    expect(failedSystems(assessmentCurrent, none.context)).toEqual(['online-meeting']);
  });

  it('NDC-LVL-009 fails when a control the level requires is switched off', () => {
    const f = variant('prod', (input) => {
      system(input, 'online-meeting').controls!.databaseFirewall = false;
    }, { render: false });
    expect(failures(levelControls, f.context).map((r) => [r.systemId, r.message])).toEqual([['online-meeting', 'level 3 controls not in place: databaseFirewall']]);
  });
});
