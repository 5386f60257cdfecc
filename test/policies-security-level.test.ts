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
import { evaluate } from '../policies/engine';
import { requirementsFor } from '../constructs';
import { CONTROL_DETECTORS, type ControlDetector } from '../policies/controls';
import { adminVpn, coreRedundancy, ddosProtection } from '../policies/controls/attested';
import { centralBackup, highAvailability } from '../policies/controls/resilience';
import { evidenceOf, failedSystems, failures, variant, withEvidence, withoutEvidence, withTerraform, type Fixture } from './policy-fixtures';

type SystemInput = NonNullable<Fixture['input']['systems']>[number];
const system = (input: Fixture['input'], id: string): SystemInput => input.systems!.find((s) => s.id === id)!;

let prod: Fixture;
beforeAll(() => {
  prod = variant('prod', () => undefined);
});

describe('security-level pack', () => {
  it('has stable, unique ids and every rule passes on prod as shipped', () => {
    expect(pack.map((r) => r.id)).toEqual(['NDC-LVL-001', 'NDC-LVL-002', 'NDC-LVL-003', 'NDC-LVL-004', 'NDC-LVL-005', 'NDC-LVL-006', 'NDC-LVL-007', 'NDC-LVL-008', 'NDC-LVL-009', 'NDC-LVL-010', 'NDC-LVL-011']);
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

  it('NDC-LVL-004 reads the WAF from the artifacts: fails naming the missing hosts, and the tier reached around them', () => {
    expect(wafInternetFacing.check(prod.context).find((r) => r.systemId === 'open-data-portal')?.status).toBe('pass');
    const noWaf = withTerraform(prod, 'cluster-central', (c) => {
      for (const n of [0, 1]) delete c.resource.openstack_compute_instance_v2[`open-data-portal-waf-${n}`];
    });
    const failed = failures(wafInternetFacing, noWaf);
    expect(failed.map((f) => f.systemId)).toEqual(['open-data-portal']);
    expect(failed[0].message).toContain('no WAF hosts in cluster central');
    // The IPS hosts forward straight to the web tier: the WAF is still there, but requests go around it.
    const bypass = withTerraform(prod, 'cluster-central', (c) => {
      c.resource.openstack_networking_secgroup_rule_v2['open-data-portal-web-ingress-bypass'] = { ...c.resource.openstack_networking_secgroup_rule_v2['open-data-portal-waf-ingress-1-0'], security_group_id: '${openstack_networking_secgroup_v2.open-data-portal-web-secgroup.id}' };
      c.resource.openstack_networking_secgroup_rule_v2['open-data-portal-ips-egress-bypass'] = { ...c.resource.openstack_networking_secgroup_rule_v2['open-data-portal-ips-egress-1-0'], remote_group_id: '${openstack_networking_secgroup_v2.open-data-portal-web-secgroup.id}' };
    });
    expect(failures(wafInternetFacing, bypass)[0].message).toMatch(/reached from the edge without the WAF: vm:central\/open-data-portal\/ips -> vm:central\/open-data-portal\/web \(tcp\/443/);
    expect(wafInternetFacing.check(prod.context).find((r) => r.systemId === 'population-db')?.status).toBe('not-applicable');
  });

  it('NDC-LVL-005 is mandatory and reads the artifacts: a model with nothing rendered ships no logs', () => {
    expect(centralLogging.enforcement).toBe('mandatory');
    const f = variant('prod', () => undefined, { render: false });
    const failed = failures(centralLogging, f.context).find((r) => r.systemId === 'population-db');
    expect(failed?.message).toContain('no log collector in cluster north');
    expect(failed?.message).toContain('no log bucket ndc-prod-population-db-logs');
  });

  it('NDC-LVL-006 reads the jump hosts from the artifacts: missing hosts, SSH from elsewhere, level-4 recording', () => {
    const noJump = withTerraform(prod, 'cluster-south', (c) => {
      for (const n of [0, 1]) delete c.resource.openstack_compute_instance_v2[`online-meeting-pam-${n}`];
    });
    expect(failures(privilegedAccess, noJump).map((f) => [f.systemId, f.message])).toEqual([['online-meeting', 'no jump hosts in cluster south (instances with metadata ndc:security-service)']]);
    const sshFromApp = withTerraform(prod, 'cluster-south', (c) => {
      const rules = c.resource.openstack_networking_secgroup_rule_v2;
      rules['online-meeting-db-ingress-ssh'] = { ...rules['online-meeting-db-ingress-10-0'], remote_group_id: '${openstack_networking_secgroup_v2.online-meeting-control-secgroup.id}' };
      rules['online-meeting-control-egress-ssh'] = { ...rules['online-meeting-pam-egress-10-0'], security_group_id: '${openstack_networking_secgroup_v2.online-meeting-control-secgroup.id}' };
    });
    expect(failures(privilegedAccess, sshFromApp)[0].message).toMatch(/administered \(tcp\/22\) from outside the jump hosts: vm:south\/online-meeting\/control -> vm:south\/online-meeting\/db/);
    const unrecorded = withTerraform(prod, 'cluster-north', (c) => {
      const host = c.resource.openstack_compute_instance_v2['public-service-portal-pam-0'];
      host.metadata = { ...(host.metadata as Record<string, string>), 'ndc:session-recording': 'proxy' };
    });
    expect(failures(privilegedAccess, unrecorded)[0].message).toContain('jump host prod-public-service-portal-pam-north-0 in cluster north does not record sessions synchronously (ndc:session-recording=proxy; level 4 needs proxy-sync or node-sync)');
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

  it('NDC-LVL-008 fails once a system\'s latest assessment record is older than its level\'s interval', () => {
    // population-db (level 5, every 6 months) was assessed 2026-08-03: due 2027-02-03.
    const due = variant('prod', () => undefined, { render: false, asOf: new Date('2027-02-03T00:00:00Z') });
    expect(failedSystems(assessmentCurrent, due.context)).toEqual([]);
    const late = variant('prod', () => undefined, { render: false, asOf: new Date('2027-02-04T00:00:00Z') });
    expect(failures(assessmentCurrent, late.context).map((r) => [r.systemId, r.message])).toEqual([
      ['population-db', 'last assessment 2026-08-03 by Authority of Information Security (AIS) (evidence/prod/population-db-assessment-2026-08-03.json): overdue since 2027-02-03 (every 6 months at level 5, confirmed)'],
    ]);
    const none = variant('prod', () => undefined, { render: false, evidence: withoutEvidence(evidenceOf('prod'), 'online-meeting', 'assessment') });
    expect(failures(assessmentCurrent, none.context).map((r) => [r.systemId, r.message])).toEqual([['online-meeting', 'assessment: none recorded under evidence/prod/ (due every 12 months at level 3, confirmed)']]);
  });

  it('NDC-LVL-008 fails on a failed assessment, a record dated after today, and one past its own validUntil', () => {
    const records = evidenceOf('prod');
    const failed = variant('prod', () => undefined, { render: false, evidence: withEvidence(records, 'e-document-exchange', 'assessment', { result: 'fail' }) });
    expect(failures(assessmentCurrent, failed.context).map((r) => r.message)).toEqual([expect.stringMatching(/^last assessment 2026-03-02 .*: result fail; a passing assessment was due by 2027-03-02$/)]);
    const future = variant('prod', () => undefined, { render: false, evidence: withEvidence(records, 'e-document-exchange', 'assessment', { performed: '2026-12-01' }) });
    expect(failures(assessmentCurrent, future.context).map((r) => r.message)).toEqual([expect.stringMatching(/: performed after 2026-11-27$/)]);
    const lapsed = variant('prod', () => undefined, { render: false, evidence: withEvidence(records, 'e-document-exchange', 'assessment', { validUntil: '2026-11-01' }) });
    expect(failures(assessmentCurrent, lapsed.context).map((r) => r.message)).toEqual([expect.stringMatching(/: overdue since 2026-11-01 \(every 12 months at level 3, confirmed\)$/)]);
    // A partial result stands (findings accepted with a plan), and the message says so.
    const partial = variant('prod', () => undefined, { render: false, evidence: withEvidence(records, 'e-document-exchange', 'assessment', { result: 'partial' }) });
    expect(assessmentCurrent.check(partial.context).find((r) => r.systemId === 'e-document-exchange')).toMatchObject({ status: 'pass', message: expect.stringContaining(': partial; next due 2027-03-02') });
  });

  it('NDC-LVL-009 runs every control detector: each removed service fails on its own subject, naming the missing piece', () => {
    const removed = (stack: string, prefix: string) =>
      withTerraform(prod, stack, (c) => {
        for (const name of Object.keys(c.resource.openstack_compute_instance_v2)) if (name.startsWith(prefix)) delete c.resource.openstack_compute_instance_v2[name];
      });
    // Without the IPS hosts the WAF hosts are fed by nothing either: both controls fail.
    const noIps = failures(levelControls, removed('cluster-central', 'open-data-portal-ips-'));
    expect(noIps.map((f) => [f.subject, f.message.slice(f.message.indexOf('): ') + 3)])).toEqual([
      ['prod/open-data-portal/controls/ips', 'no IPS hosts in cluster central (instances with metadata ndc:security-service)'],
      ['prod/open-data-portal/controls/waf', 'the WAF hosts in cluster central receive no traffic from the edge (no rule admits the IPS hosts): requests go around them'],
    ]);
    const cases: [string, string, string, string][] = [
      ['cluster-central', 'open-data-portal-waf-', 'prod/open-data-portal/controls/waf', 'no WAF hosts in cluster central'],
      ['cluster-south', 'online-meeting-dbfw-', 'prod/online-meeting/controls/databaseFirewall', 'no database firewall hosts in cluster south'],
      ['cluster-south', 'online-meeting-pam-', 'prod/online-meeting/controls/privilegedAccessManagement', 'no jump hosts in cluster south'],
    ];
    for (const [stack, prefix, subject, missing] of cases) {
      // The service's tier is one of the system's tiers: with its hosts gone, high availability fails too.
      const failed = failures(levelControls, removed(stack, prefix)).filter((f) => !f.subject.endsWith('/controls/highAvailability'));
      expect(failed.map((f) => f.subject)).toEqual([subject]);
      expect(failed[0].message).toContain(missing);
    }
  });

  it('NDC-LVL-009: the database tier reached around the database firewall, and the internet reaching a tier around the IPS, fail', () => {
    const aroundFirewall = withTerraform(prod, 'cluster-south', (c) => {
      const rules = c.resource.openstack_networking_secgroup_rule_v2;
      rules['online-meeting-db-ingress-direct'] = { ...rules['online-meeting-db-ingress-6-0'], remote_group_id: '${openstack_networking_secgroup_v2.online-meeting-control-secgroup.id}' };
      rules['online-meeting-control-egress-direct'] = { ...rules['online-meeting-control-egress-5-0'], remote_group_id: '${openstack_networking_secgroup_v2.online-meeting-db-secgroup.id}' };
    });
    const dbfw = failures(levelControls, aroundFirewall);
    expect(dbfw.map((f) => f.subject)).toEqual(['prod/online-meeting/controls/databaseFirewall']);
    expect(dbfw[0].message).toMatch(/database reached without the database firewall: vm:south\/online-meeting\/control -> vm:south\/online-meeting\/db \(tcp\/5432/);
    const aroundIps = withTerraform(prod, 'cluster-south', (c) => {
      const rules = c.resource.openstack_networking_secgroup_rule_v2;
      rules['online-meeting-media-ingress-direct'] = { ...rules['online-meeting-ips-ingress-0-0'], security_group_id: '${openstack_networking_secgroup_v2.online-meeting-media-secgroup.id}' };
    });
    const ips = failures(levelControls, aroundIps);
    expect(ips.map((f) => f.subject)).toEqual(['prod/online-meeting/controls/ips']);
    expect(ips[0].message).toMatch(/reached from outside without the IPS: gov-network -> vm:south\/online-meeting\/media \(tcp\/443/);
  });

  it('NDC-LVL-009: a service image that is not pinned fails; a control is switched off only by a dated exception on its subject', () => {
    const unpinned = withTerraform(prod, 'cluster-central', (c) => {
      const host = c.resource.openstack_compute_instance_v2['open-data-portal-waf-0'];
      host.metadata = { ...(host.metadata as Record<string, string>), 'ndc:images': 'docker.io/owasp/modsecurity-crs:nginx' };
    });
    expect(failures(levelControls, unpinned)[0].message).toContain('runs docker.io/owasp/modsecurity-crs:nginx, not pinned to a version or digest');
    const context = withTerraform(prod, 'cluster-south', (c) => {
      for (const n of [0, 1]) delete c.resource.openstack_compute_instance_v2[`online-meeting-dbfw-${n}`];
    });
    const exception = { rule: 'NDC-LVL-009', resource: 'prod/online-meeting/controls/databaseFirewall', reason: 'Database firewall replaced by the vendor appliance until its migration completes.', grantedBy: 'Government Office Security Unit', expires: '2027-01-31' };
    const report = (expires: string) =>
      evaluate({ ...context, env: { ...context.env, policy: { exceptions: [{ ...exception, expires }] } }, source: 'fixture.ts', rules: [{ pack: 'test', rule: levelControls }] });
    const waived = report('2027-01-31').findings.filter((f) => f.subject === exception.resource);
    expect(waived.map((f) => f.status)).toEqual(['waived']);
    expect(report('2026-11-26').findings.filter((f) => f.subject === exception.resource).map((f) => f.status)).toEqual(['fail']);
  });

  it('NDC-LVL-009 has a detector for every control of the level table: none is read from a flag', () => {
    const detected = new Set(CONTROL_DETECTORS.map((d) => d.id));
    for (const level of [1, 2, 3, 4, 5] as const) for (const control of requirementsFor(level).controls) expect([level, control, detected.has(control)]).toEqual([level, control, true]);
  });

  it('NDC-LVL-009: the administration VPN, DDoS protection and core redundancy fail without current, passing evidence', () => {
    const population = prod.context.cloud.systems.find((s) => s.id === 'population-db')!;
    const cases: [ControlDetector, string][] = [[adminVpn, 'admin-vpn'], [ddosProtection, 'ddos-protection'], [coreRedundancy, 'core-redundancy']];
    for (const [detector, kind] of cases) {
      expect(detector.check(population, prod.context)).toEqual([]);
      const none = { ...prod.context, evidence: withoutEvidence(prod.context.evidence, 'national-cloud-platform', kind) };
      expect(detector.check(population, none)).toEqual([expect.stringMatching(new RegExp(`^no ${kind} evidence for population-db or national-cloud-platform in evidence/prod/`))]);
      const failed = { ...prod.context, evidence: withEvidence(prod.context.evidence, 'national-cloud-platform', kind, { result: 'fail' }) };
      expect(detector.check(population, failed)).toEqual([expect.stringMatching(/records result fail$/)]);
      const expired = { ...prod.context, evidence: withEvidence(prod.context.evidence, 'national-cloud-platform', kind, { validUntil: '2026-11-01' }) };
      expect(detector.check(population, expired)).toEqual([expect.stringMatching(/expired on 2026-11-01$/)]);
    }
  });

  it('NDC-LVL-009: high availability and central backup are read from the artifacts', () => {
    const meeting = prod.context.cloud.systems.find((s) => s.id === 'online-meeting')!;
    expect(highAvailability.check(meeting, prod.context)).toEqual([]);
    expect(centralBackup.check(meeting, prod.context)).toEqual([]);
    const oneDb = withTerraform(prod, 'cluster-south', (c) => {
      for (const name of Object.keys(c.resource.openstack_compute_instance_v2)) if (/^online-meeting-db-[1-9]$/.test(name)) delete c.resource.openstack_compute_instance_v2[name];
    });
    expect(highAvailability.check(meeting, oneDb)).toEqual(['tier db runs 1 instance(s) in south; high availability needs at least two']);
    const noBackup = withTerraform(prod, 'backup-vaults', (c) => {
      for (const [name, bucket] of Object.entries(c.resource.minio_s3_bucket)) {
        const tags = bucket.tags as Record<string, string>;
        if (tags['ndc-system'] === 'online-meeting' && tags['ndc-purpose'] === undefined) delete c.resource.minio_s3_bucket[name];
      }
    });
    expect(centralBackup.check(meeting, noBackup)).toEqual([expect.stringMatching(/^no backup buckets for online-meeting in terraform\/backup-vaults/)]);
    const unencrypted = withTerraform(prod, 'backup-vaults', (c) => {
      for (const name of Object.keys(c.resource.minio_s3_bucket_server_side_encryption)) if (name.startsWith('online-meeting-') && !name.includes('-logs-')) delete c.resource.minio_s3_bucket_server_side_encryption[name];
    });
    expect(centralBackup.check(meeting, unencrypted)).toEqual(expect.arrayContaining([expect.stringMatching(/^backup bucket ndc-prod-online-meeting-.* is not encrypted$/)]));
  });
});
