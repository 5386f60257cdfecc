import { artifactSetOf } from '../policies/artifacts';
import { CONTROL_DETECTORS } from '../policies/controls';
import { antiMalware } from '../policies/controls/anti-malware';
import { siem } from '../policies/controls/siem';
import type { RuleContext } from '../policies/rule';
import { centralLogging } from '../policies/rules/security-level/central-logging';
import { levelControls } from '../policies/rules/security-level/level-controls';
import { securityGroupsMatchFlows } from '../policies/rules/segmentation/security-groups-match-flows';
import { managementReach } from '../policies/rules/network/management-reach';
import { reachExplained } from '../policies/rules/network/reach-explained';
import { InformationSystem, lockRetention, NationalCloud, RegionalCluster, retentionMonthsOf } from '../constructs';
import type { LoadedEvidenceRecord } from '../environments/evidence';
import { privilegedAccess } from '../policies/rules/security-level/privileged-access';
import { renderLogShipping } from '../stacks/kubernetes/log-shipping';
import { failures, variant, withEvidence, withoutEvidence, withTerraform, type Fixture } from './policy-fixtures';

type Resources = Record<string, Record<string, Record<string, unknown>>>;

let prod: Fixture;
beforeAll(() => {
  prod = variant('prod', () => undefined);
});

/** The same context with one Kubernetes artifact's documents filtered (as a hand edit of out/ would). */
function withoutKubernetesObjects(base: Fixture, path: string, drop: (document: string) => boolean): RuleContext {
  const artifacts = base.artifacts.map((a) => (a.path === path ? { ...a, content: a.content.split('\n---\n').filter((doc, i) => i === 0 || !drop(doc)).join('\n---\n') } : a));
  return { ...base.context, artifacts: artifactSetOf(artifacts) };
}

const messagesOf = (context: RuleContext, system: string) => failures(centralLogging, context).filter((r) => r.systemId === system).map((r) => r.message).join('\n');
const controlFailures = (context: RuleContext, control: string) => failures(levelControls, context).filter((r) => r.subject.endsWith(`/controls/${control}`));
const editInstances = (c: { resource: Resources }, match: (name: string) => boolean, edit: (body: Record<string, unknown>) => void) => {
  for (const [name, body] of Object.entries(c.resource.openstack_compute_instance_v2)) if (match(name)) edit(body);
};
/** An instance's own user data with one change, instead of the pool's shared local. */
const editUserData = (c: { resource: Resources; locals?: unknown }, instance: string, change: (text: string) => string) => {
  const body = c.resource.openstack_compute_instance_v2[instance];
  const local = /^\$\{local\.(.+)\}$/.exec(String(body.user_data));
  const text = local ? (c.locals as Record<string, string>)[local[1]] : String(body.user_data);
  body.user_data = change(text);
};

describe('log collection, SIEM forwarding and endpoint protection found in the artifacts', () => {
  it('prod as shipped: every system ships, archives and (level 3+) forwards its logs; anti-malware and SIEM detectors pass', () => {
    expect(failures(centralLogging, prod.context)).toEqual([]);
    const results = levelControls.check(prod.context);
    for (const control of ['antiMalware', 'siem']) {
      const mine = results.filter((r) => r.subject.endsWith(`/controls/${control}`));
      expect(mine.length).toBe(prod.context.cloud.systems.length);
      expect(mine.filter((r) => r.status === 'fail')).toEqual([]);
    }
    expect(CONTROL_DETECTORS).toEqual(expect.arrayContaining([siem, antiMalware]));
    // The platform's own rules accept the collection flows the services add.
    for (const rule of [securityGroupsMatchFlows, managementReach, reachExplained]) expect([rule.id, failures(rule, prod.context)]).toEqual([rule.id, []]);
  });

  it('without the log collectors of a cluster, every system there fails NDC-LVL-005 and the SIEM control, naming the cluster', () => {
    const context = withTerraform(prod, 'cluster-north', (c) => {
      for (const name of Object.keys(c.resource.openstack_compute_instance_v2)) if (name.startsWith('log-collector-')) delete c.resource.openstack_compute_instance_v2[name];
    });
    const failed = failures(centralLogging, context);
    expect(failed.map((r) => r.systemId).sort()).toEqual(['digital-signature-ca', 'e-document-exchange', 'population-db', 'public-service-portal']);
    expect(messagesOf(context, 'population-db')).toContain('no log collector in cluster north (terraform/cluster-north: no openstack_compute_instance_v2 with ndc:service=log-collector)');
    expect(controlFailures(context, 'siem').map((r) => r.systemId).sort()).toEqual(['digital-signature-ca', 'e-document-exchange', 'population-db', 'public-service-portal']);
  });

  it('an instance whose cloud-init does not run Fluent Bit fails, named', () => {
    const context = withTerraform(prod, 'cluster-north', (c) => {
      editUserData(c, 'population-db-api-2', (text) => text.replace(/\[fluent-bit, [^\]]+\]\n/, ''));
    });
    expect(messagesOf(context, 'population-db')).toBe('population-db-api-2 in north ship no logs to the collectors (no Fluent Bit forwarding to 10.10.16.10, 10.10.16.11:24224 in user_data)');
  });

  it('a tier whose security group may not reach the collectors, or that the collectors do not admit, fails', () => {
    const noEgress = withTerraform(prod, 'cluster-north', (c) => {
      for (const [name, body] of Object.entries(c.resource.openstack_networking_secgroup_rule_v2)) {
        if (name.startsWith('population-db-db-egress') && body.port_range_min === 24224) delete c.resource.openstack_networking_secgroup_rule_v2[name];
      }
    });
    expect(messagesOf(noEgress, 'population-db')).toMatch(/^population-db-db-0, population-db-db-1, population-db-db-2 and 2 more in north may not send to the collectors \(no egress tcp\/24224 to them in their security group\)$/);
    const notAdmitted = withTerraform(prod, 'cluster-north', (c) => {
      for (const [name, body] of Object.entries(c.resource.openstack_networking_secgroup_rule_v2)) {
        if (name.startsWith('log-collector-ingress') && body.remote_ip_prefix === '10.10.139.0/24') delete c.resource.openstack_networking_secgroup_rule_v2[name];
      }
    });
    expect(messagesOf(notAdmitted, 'population-db')).toContain('the log collectors of north do not admit population-db-db-0 (10.10.139.0/24)');
  });

  it('a collector admitting a segment no system declares a flow from fails NDC-SEG-007', () => {
    const context = withTerraform(prod, 'cluster-north', (c) => {
      c.resource.openstack_networking_secgroup_rule_v2['log-collector-ingress-0'].remote_ip_prefix = '172.16.0.0/12';
    });
    expect(failures(securityGroupsMatchFlows, context).map((r) => r.message).join('\n')).toContain('log-collector-ingress-0 opens tcp/24224 from 172.16.0.0/12 on shared service log-collector');
  });

  it('without the log agent DaemonSet, or its input for a namespace, the systems with namespaces in that cluster fail', () => {
    const noAgent = withoutKubernetesObjects(prod, 'kubernetes/prerequisites/south.yaml', (doc) => doc.includes('"kind":"DaemonSet"'));
    expect(messagesOf(noAgent, 'online-meeting')).toContain('namespace online-meeting in south ships no logs: no DaemonSet ndc-logging/fluent-bit in kubernetes/prerequisites/south.yaml');
    const noInput = withoutKubernetesObjects(prod, 'kubernetes/prerequisites/south.yaml', () => false);
    const edited: RuleContext = {
      ...noInput,
      artifacts: artifactSetOf(prod.artifacts.map((a) => (a.path === 'kubernetes/prerequisites/south.yaml' ? { ...a, content: a.content.replace('*_online-meeting_*.log', '*_other_*.log') } : a))),
    };
    expect(messagesOf(edited, 'online-meeting')).toContain('the log agent of south does not tail namespace online-meeting');
    expect(messagesOf(edited, 'population-db')).toBe('');
  });

  it('collectors that do not archive a system, or a log bucket without its lock, retention or compliance mode, fail', () => {
    const noArchive = withTerraform(prod, 'cluster-central', (c) => {
      editInstances(c, (n) => n.startsWith('log-collector-'), (body) => {
        body.user_data = String(body.user_data).replace('s3_bucket ndc-prod-e-document-exchange-logs', 's3_bucket elsewhere');
      });
    });
    expect(messagesOf(noArchive, 'e-document-exchange')).toContain("the log collectors of central do not archive e-document-exchange's logs (no <match system.e-document-exchange.**> with an s3 store to ndc-prod-e-document-exchange-logs");
    const locks = (edit: (lock: Record<string, unknown>) => void) =>
      withTerraform(prod, 'backup-vaults', (c) => {
        edit(c.resource.minio_s3_bucket_object_lock_configuration['population-db-logs-object-lock']);
      });
    expect(messagesOf(locks((l) => ((l.rule as { default_retention: Record<string, unknown>[] }[])[0].default_retention[0] = { mode: 'COMPLIANCE', days: 180 })), 'population-db')).toBe('log bucket ndc-prod-population-db-logs locks logs for 5 months, below the 12 months level 5 requires');
    expect(messagesOf(locks((l) => ((l.rule as { default_retention: Record<string, unknown>[] }[])[0].default_retention[0] = { mode: 'GOVERNANCE', years: 1 })), 'population-db')).toBe('log bucket ndc-prod-population-db-logs is locked in GOVERNANCE mode; level 5 logs must be immutable (COMPLIANCE)');
    const unlocked = withTerraform(prod, 'backup-vaults', (c) => {
      delete c.resource.minio_s3_bucket_object_lock_configuration['online-meeting-logs-object-lock'];
    });
    expect(messagesOf(unlocked, 'online-meeting')).toBe('log bucket ndc-prod-online-meeting-logs has no default object-lock retention (minio_s3_bucket_object_lock_configuration)');
    const noBucket = withTerraform(prod, 'backup-vaults', (c) => {
      delete c.resource.minio_s3_bucket['open-data-portal-logs-bucket'];
    });
    expect(messagesOf(noBucket, 'open-data-portal')).toBe('no log bucket ndc-prod-open-data-portal-logs (terraform/backup-vaults: minio_s3_bucket tagged ndc-purpose=logs)');
  });

  it('collectors that stop forwarding a level-3 system to the SIEM, or a missing SIEM, fail the SIEM control', () => {
    const context = withTerraform(prod, 'cluster-south', (c) => {
      editInstances(c, (n) => n.startsWith('log-collector-'), (body) => {
        body.user_data = String(body.user_data).replace('    index_name ndc-online-meeting', '').replace(/(<match system\.online-meeting\.\*\*>[\s\S]*?)@type opensearch/, '$1@type null');
      });
    });
    expect(controlFailures(context, 'siem').map((r) => [r.systemId, r.message])).toEqual([
      ['online-meeting', expect.stringContaining('the log collectors of south do not forward online-meeting\'s logs to the SIEM (no opensearch store to 10.0.200.10, 10.0.200.11, 10.0.200.12:9200 in its match)')],
    ]);
    const noSiem = withTerraform(prod, 'national-core', (c) => {
      for (const name of Object.keys(c.resource.openstack_compute_instance_v2)) if (name.startsWith('siem-')) delete c.resource.openstack_compute_instance_v2[name];
    });
    const failed = controlFailures(noSiem, 'siem');
    expect(failed.map((r) => r.systemId).sort()).toEqual(['digital-signature-ca', 'e-document-exchange', 'online-meeting', 'population-db', 'public-service-portal']);
    expect(failed[0].message).toContain('no SIEM in the national core');
    expect(controlFailures(noSiem, 'siem').some((r) => r.systemId === 'open-data-portal')).toBe(false);
  });

  it('instances without ClamAV or central patching, or without the patch mirror, fail the anti-malware control', () => {
    const noClam = withTerraform(prod, 'cluster-central', (c) => {
      editUserData(c, 'open-data-portal-web-0', (text) => text.replace('  - clamav-daemon\n', ''));
    });
    expect(controlFailures(noClam, 'antiMalware').map((r) => [r.systemId, r.message])).toEqual([
      ['open-data-portal', expect.stringContaining('open-data-portal-web-0 in central run no anti-malware (no ClamAV daemon with on-access scanning and signatures from the patch mirror in user_data)')],
    ]);
    const noMirror = withTerraform(prod, 'cluster-central', (c) => {
      for (const name of Object.keys(c.resource.openstack_compute_instance_v2)) if (name.startsWith('patch-mirror-')) delete c.resource.openstack_compute_instance_v2[name];
    });
    expect(controlFailures(noMirror, 'antiMalware').map((r) => r.message)).toContainEqual(expect.stringContaining('no patch mirror in cluster central'));
  });

  it('retention maps to whole years or rounded-up days and back, never below the months asked for', () => {
    expect([1, 3, 6, 12, 24].map(lockRetention)).toEqual([{ days: 31 }, { days: 92 }, { days: 183 }, { years: 1 }, { years: 2 }]);
    for (const months of [1, 2, 3, 5, 6, 7, 11, 12, 18]) expect(retentionMonthsOf(lockRetention(months))).toBeGreaterThanOrEqual(months);
    expect(retentionMonthsOf({ days: 30 })).toBe(0);
  });
});

describe('collection services and log archives in the model', () => {
  const cloudWith = (props: { level: number; logRetentionMonths?: number }) => {
    const cloud = new NationalCloud('t', { stage: 'production' });
    new RegionalCluster(cloud, 'north');
    new RegionalCluster(cloud, 'south');
    return { cloud, system: new InformationSystem(cloud, 'sys', { ...props, primary: 'north', tiers: [{ name: 'app', zone: 'internal-server' }, { name: 'db', zone: 'database' }] }) };
  };

  it('a cluster alone gets log collectors and a patch mirror in its management zone, at fixed addresses', () => {
    const { cloud } = cloudWith({ level: 1 });
    const north = cloud.cluster('north');
    expect(north.collectionServices.map((s) => [s.name, s.segment.zone, s.port.toString(), s.addresses])).toEqual([
      ['log-collector', 'management', 'tcp/24224', ['10.10.16.10', '10.10.16.11']],
      ['patch-mirror', 'management', 'tcp/80', ['10.10.16.20', '10.10.16.21']],
    ]);
  });

  it('every tier zone of a placement gets one flow to each collection service, received by no tier of the system', () => {
    const { system } = cloudWith({ level: 4 });
    const flows = system.placements[0].flows.filter((f) => f.collection !== undefined);
    expect(flows.map((f) => [f.node.id, f.to.node.path, f.port.toString()])).toEqual(
      expect.arrayContaining([
        ['log-collector-from-internal-server', 't/north/management', 'tcp/24224'],
        ['patch-mirror-from-database', 't/north/management', 'tcp/80'],
      ]),
    );
    for (const f of flows) expect(f.toTiers).toEqual([]);
    // The database firewall is a tier of the level-4 system and ships its logs like the others.
    expect(flows.find((f) => f.node.id === 'log-collector-from-database')?.fromTiers).toEqual(expect.arrayContaining(['db', 'dbfw']));
  });

  it('the Kubernetes log agent: a pinned Fluent Bit DaemonSet tailing each system namespace, allowed only DNS and the collectors', () => {
    const { cloud } = cloudWith({ level: 3 });
    const objects = renderLogShipping(cloud, cloud.cluster('north'));
    expect(objects.map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([
      'Namespace ndc-logging',
      'ServiceAccount fluent-bit',
      'ClusterRole ndc-logging-fluent-bit',
      'ClusterRoleBinding ndc-logging-fluent-bit',
      'ConfigMap fluent-bit-config',
      'DaemonSet fluent-bit',
      'NetworkPolicy default-deny-ingress',
      'NetworkPolicy default-deny-egress',
      'NetworkPolicy allow-dns-egress',
      'NetworkPolicy allow-log-collectors-egress',
    ]);
    const config = objects.find((o) => o.kind === 'ConfigMap') as unknown as { data: Record<string, string> };
    expect(config.data['fluent-bit.conf']).toContain('path             /var/log/containers/*_sys_*.log');
    expect(config.data['collectors.conf']).toContain('host 10.10.16.10\n    port 24224');
    expect(JSON.stringify(objects.find((o) => o.kind === 'DaemonSet'))).toContain('"image":"cr.fluentbit.io/fluent/fluent-bit:3.2.10"');
    expect(objects.find((o) => o.metadata.name === 'allow-log-collectors-egress')?.spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '10.10.16.10/32' } }, { ipBlock: { cidr: '10.10.16.11/32' } }], ports: [{ protocol: 'TCP', port: 24224 }] }],
    });
  });

  it('log archives lock by level: none at level 1, governance at 2-3, compliance from 4; a retention below the level is refused', () => {
    expect([1, 2, 3, 4, 5].map((level) => cloudWith({ level }).system.logArchive).map((a) => [a.retentionMonths, a.lockMode ?? null, a.cluster.id])).toEqual([
      [0, null, 'north'],
      [1, 'GOVERNANCE', 'north'],
      [3, 'GOVERNANCE', 'north'],
      [6, 'COMPLIANCE', 'north'],
      [12, 'COMPLIANCE', 'north'],
    ]);
    expect(cloudWith({ level: 3, logRetentionMonths: 24 }).system.logArchive.retentionMonths).toBe(24);
    expect(() => cloudWith({ level: 4, logRetentionMonths: 3 })).toThrow('logRetentionMonths');
  });
});

describe('24/7 monitoring: a control only a signed contract shows (evidence)', () => {
  const withRecords = (evidence: readonly LoadedEvidenceRecord[], asOf?: Date): RuleContext => ({ ...prod.context, evidence, ...(asOf ? { asOf } : {}) });
  const monitoringFailures = (context: RuleContext) => controlFailures(context, 'monitoring247').map((r) => [r.systemId, r.message]);
  const levelFour = ['public-service-portal', 'population-db', 'digital-signature-ca'];

  it('prod passes on the platform monitoring contract, which NDC-LVL-006 names', () => {
    expect(monitoringFailures(prod.context)).toEqual([]);
    const pam = privilegedAccess.check(prod.context).find((r) => r.systemId === 'population-db');
    expect(pam).toMatchObject({ status: 'pass', message: expect.stringContaining('monitored 24/7 (evidence/prod/national-cloud-platform-monitoring-contract-2026-01-01.json, by National Cyber Security Monitoring Centre (NCSC), valid until 2027-01-01)') });
    // Below level 4 the control is not required.
    expect(levelControls.check(prod.context).find((r) => r.subject === 'prod/online-meeting/controls/monitoring247')?.status).toBe('not-applicable');
  });

  it('without a monitoring-contract record, every level 4-5 system fails NDC-LVL-009 and NDC-LVL-006', () => {
    const none = withRecords(withoutEvidence(prod.context.evidence, 'national-cloud-platform', 'monitoring-contract'));
    const failed = monitoringFailures(none);
    expect(failed.map(([system]) => system)).toEqual(levelFour);
    expect(failed[0][1]).toContain('no monitoring-contract evidence for public-service-portal or national-cloud-platform in evidence/prod/');
    expect(failures(privilegedAccess, none).map((r) => r.systemId)).toEqual(levelFour);
  });

  it('an expired, failed or future-dated contract fails; a current contract of the system itself passes', () => {
    const expired = withRecords(prod.context.evidence, new Date('2027-01-02T00:00:00Z'));
    expect(monitoringFailures(expired)).toContainEqual(['population-db', expect.stringContaining('the 24/7 monitoring contract evidence/prod/national-cloud-platform-monitoring-contract-2026-01-01.json (by National Cyber Security Monitoring Centre (NCSC)) expired on 2027-01-01')]);
    const failedResult = withRecords(withEvidence(prod.context.evidence, 'national-cloud-platform', 'monitoring-contract', { result: 'fail' }));
    expect(monitoringFailures(failedResult)[0][1]).toContain('records result fail');
    const future = withRecords(withEvidence(prod.context.evidence, 'national-cloud-platform', 'monitoring-contract', { performed: '2026-12-15' }));
    expect(monitoringFailures(future).map(([system]) => system)).toEqual(levelFour);
    const own = withRecords([
      ...withoutEvidence(prod.context.evidence, 'national-cloud-platform', 'monitoring-contract'),
      { kind: 'monitoring-contract', system: 'population-db', performed: '2026-06-01', by: 'Ministry of Public Security SOC', result: 'pass', document: { sha256: 'a'.repeat(64) }, validUntil: '2027-05-31', source: 'evidence/prod/population-db-monitoring-contract-2026-06-01.json' },
    ]);
    expect(monitoringFailures(own).map(([system]) => system)).toEqual(['public-service-portal', 'digital-signature-ca']);
  });
});
