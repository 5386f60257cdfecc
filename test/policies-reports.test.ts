import '@microsoft/jest-sarif';
import { XMLParser } from 'fast-xml-parser';
import type { PolicyReport } from '../policies/engine';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { latestEvidence } from '../environments/evidence';
import { environmentSourceMap } from '../environments/source-map';
import { PROFILES } from '../policies/profiles';
import { cloudPicture, renderReport, type ChangeSinceApproval, type HtmlReportInputs, type ReportApprovals } from '../policies/reports';
import { environmentInput, REPO } from './helpers';
import { evidenceOf, fixture, reportOf, withoutEvidence, type Fixture } from './policy-fixtures';

type SystemInput = NonNullable<ReturnType<typeof environmentInput>['systems']>[number];

/** prod with one waived, one mandatory and one advisory failure, an override and a name that needs escaping. */
function mixedReport(): PolicyReport {
  return mixedFixture().report;
}

function mixedFixture(): { report: PolicyReport; cloud: Fixture['context']['cloud'] } {
  const input = environmentInput('prod');
  const system = (id: string): SystemInput => input.systems!.find((s) => s.id === id)!;
  system('e-document-exchange').backup!.retentionDays = 30;
  Object.assign(system('digital-signature-ca').backup!, { rpoHours: 6, schedule: '0 */6 * * *' });
  system('open-data-portal').name = 'Open <Data> & "Portal"';
  input.policy = {
    overrides: { 'NDC-GRN-002': 'advisory', 'NDC-BAK-005': 'advisory' },
    exceptions: [{ rule: 'NDC-BAK-004', system: 'e-document-exchange', reason: 'Archive migration in progress; retention restored after cut-over.', grantedBy: 'Government Office Security Unit', expires: '2027-01-31' }],
  };
  const f = fixture(input, { evidence: withoutEvidence(evidenceOf('prod'), 'population-db', 'restore-test') });
  return { report: reportOf(f), cloud: f.context.cloud };
}

let mixed: PolicyReport;
let mixedCloud: Fixture['context']['cloud'];
let clean: PolicyReport;
let cleanFixture: Fixture;
beforeAll(() => {
  ({ report: mixed, cloud: mixedCloud } = mixedFixture());
  cleanFixture = fixture(environmentInput('prod'));
  clean = reportOf(cleanFixture);
});

describe('report formats', () => {
  it('the fixture has what the reports must show', () => {
    expect(mixed.mandatoryFailures).toBe(1);
    expect(mixed.advisoryFailures).toBe(1);
    expect(mixed.waived).toBe(1);
    expect(mixed.overrides).toEqual([{ ruleId: 'NDC-BAK-005', from: 'mandatory', to: 'advisory' }, { ruleId: 'NDC-GRN-002', from: 'mandatory', to: 'advisory' }]);
  });

  it('SARIF 2.1.0 validates against the official schema, with waived findings as accepted suppressions', () => {
    for (const report of [mixed, clean]) {
      const log = JSON.parse(renderReport(report, 'sarif', 'environments/prod.ts'));
      expect(log).toBeValidSarifLog();
    }
    const log = JSON.parse(renderReport(mixed, 'sarif', 'environments/prod.ts'));
    const run = log.runs[0];
    expect(log.version).toBe('2.1.0');
    expect(run.tool.driver.rules).toHaveLength(84);
    expect(run.properties).toMatchObject({ env: 'prod', profile: `vn-2016 ${PROFILES['vn-2016'].version}`, policyDigest: mixed.policyDigest, mandatoryFailures: 1 });
    const byRule = (id: string) => run.results.filter((r: { ruleId: string }) => r.ruleId === id);
    expect(byRule('NDC-BAK-004').map((r: { level: string; suppressions?: unknown[] }) => [r.level, r.suppressions?.length ?? 0])).toEqual([
      ['error', 1],
      ['error', 0],
    ]);
    expect(byRule('NDC-BAK-005')[0].level).toBe('warning');
    expect(byRule('NDC-BAK-004')[0].locations[0].physicalLocation.artifactLocation.uri).toBe('environments/prod.ts');
    expect(run.tool.driver.rules[byRule('NDC-BAK-004')[0].ruleIndex].id).toBe('NDC-BAK-004');
    expect(JSON.parse(renderReport(clean, 'sarif')).runs[0].results).toEqual([]);
  });

  it('SARIF locates artifact findings in the artifact file', () => {
    const report: PolicyReport = { ...clean, findings: [{ ...clean.findings[0], ruleId: 'NDC-SEG-007', status: 'fail', subject: 'terraform/cluster-north: openstack_networking_secgroup_rule_v2.x' }] };
    const log = JSON.parse(renderReport(report, 'sarif'));
    expect(log).toBeValidSarifLog();
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('out/prod/terraform/cluster-north/cdk.tf.json');
  });

  it('SARIF gives artifact findings the line that declares their resource', () => {
    const pick = (prefix: string) => clean.findings.find((f) => f.subject.startsWith(prefix))!;
    const north = JSON.parse(cleanFixture.artifacts.find((a) => a.path === 'terraform/cluster-north/cdk.tf.json')!.content) as { resource: Record<string, Record<string, unknown>> };
    // The last security-group rule, so a match on an earlier resource's line would be caught.
    const rule = Object.keys(north.resource.openstack_networking_secgroup_rule_v2).at(-1)!;
    const findings = [{ ...clean.findings[0], subject: `terraform/cluster-north: openstack_networking_secgroup_rule_v2.${rule}` }, pick('kubernetes/north.yaml: NetworkPolicy '), pick('cloudformation/public-edge-origin: AWS::')].map((f) => ({ ...f, status: 'fail' as const }));
    const text = (file: string) => cleanFixture.artifacts.find((a) => `out/prod/${a.path}` === file)?.content;
    const log = JSON.parse(renderReport({ ...clean, findings }, 'sarif', 'environments/prod.ts', { readArtifact: text }));
    expect(log).toBeValidSarifLog();
    const located = log.runs[0].results.map((r: { locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }) => r.locations[0].physicalLocation);
    expect(located.map((l: { artifactLocation: { uri: string } }) => l.artifactLocation.uri)).toEqual(['out/prod/terraform/cluster-north/cdk.tf.json', 'out/prod/kubernetes/north.yaml', 'out/prod/cloudformation/public-edge-origin.template.json']);
    const lines = located.map((l: { artifactLocation: { uri: string }; region: { startLine: number } }) => text(l.artifactLocation.uri)!.split('\n')[l.region.startLine - 1]);
    expect(lines[0]).toContain(`"${findings[0].subject.split('.').at(-1)}": {`);
    expect(lines[1]).toMatch(/^apiVersion: /);
    const [, kind, name] = /: (\S+) (?:[^/]+\/)?(\S+)$/.exec(findings[1].subject)!;
    const doc = text(located[1].artifactLocation.uri)!.split('\n').slice(located[1].region.startLine - 1).join('\n').split('\n---')[0];
    expect(doc).toContain(`kind: ${kind}`);
    expect(doc).toContain(`  name: ${name}`);
    expect(lines[2]).toContain(`"${findings[2].subject.split(' ').at(-1)}": {`);
  });

  it('JUnit XML parses: a suite per pack, mandatory failures fail, advisory and waived are skipped', () => {
    const xml = renderReport(mixed, 'junit');
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(xml);
    const root = parsed.testsuites;
    expect(Number(root.failures)).toBe(1);
    expect(root.testsuite.map((s: { name: string }) => s.name)).toEqual(['security-level', 'segmentation', 'backup', 'residency', 'topology-and-green', 'secrets', 'kubernetes', 'public-edge', 'network', 'assurance', 'validation'].map((p) => `ndc prod ${p}`));
    const cases = root.testsuite.flatMap((s: { testcase: unknown[] }) => s.testcase) as { name: string; failure?: { message: string }; skipped?: { message: string } }[];
    expect(Number(root.tests)).toBe(cases.length);
    expect(cases.filter((c) => c.failure).map((c) => c.name)).toEqual(['NDC-BAK-004 prod/digital-signature-ca']);
    expect(cases.filter((c) => c.skipped).map((c) => c.skipped!.message)).toEqual([
      'waived until 2027-01-31: Archive migration in progress; retention restored after cut-over.; finding: retention 30 days is below 90 days for level 3',
      'advisory: restore-test: none recorded under evidence/prod/ (due every 3 months at level 5, reported)',
    ]);
    const backup = root.testsuite.find((s: { name: string }) => s.name === 'ndc prod backup');
    expect([Number(backup.failures), Number(backup.skipped)]).toEqual([1, 2]);
  });

  describe('HTML', () => {
    let html: string;
    beforeAll(() => {
      html = renderReport(mixed, 'html');
    });

    it('is self-contained: inline CSS, no script, no external URL', () => {
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(html).toContain('<style>');
      expect(html).not.toMatch(/https?:\/\//);
      expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    });

    it('has a summary by severity and a control matrix with a row per system and a column per family', () => {
      expect(html).toContain('<h2 id="summary">Summary by severity</h2>');
      const matrix = html.slice(html.indexOf('<h2 id="matrix">'), html.indexOf('<h2 id="overrides">'));
      const rows = matrix.match(/<tr><td>[^<]*<\/td>/g)!.map((r) => r.replace(/<\/?t[rd]>/g, ''));
      expect(rows).toEqual([
        'National Public Service Portal (level 4)',
        'National Population Database (level 5)',
        'National E-Document Exchange Platform (level 3)',
        'National Online Meeting Platform (level 3)',
        'Government Digital Signature Certification Authority (level 4)',
        'Open &lt;Data&gt; &amp; &quot;Portal&quot; (level 2)',
        'Cloud-wide (clusters, artifacts, platform)',
      ]);
      expect(matrix.match(/<th>([a-z-]+)<\/th>/g)).toEqual(['system', 'security-level', 'segmentation', 'backup', 'residency', 'topology', 'green', 'secrets', 'kubernetes', 'public-edge', 'assurance', 'validation'].map((f) => `<th>${f}</th>`));
      expect(matrix).toContain('<td class="failed"><a href="#f-digital-signature-ca-backup">failed</a>');
      expect(matrix).toContain('<td class="waived"><a href="#f-e-document-exchange-backup">waived</a>');
      expect(matrix).toContain('<td class="failed"><a href="#f-population-db-backup">failed</a>');
      expect(matrix).toContain('<td class="passed"><a href="#f-online-meeting-backup">passed</a>');
    });

    it('every link points at an anchor in the page', () => {
      const targets = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
      const all = [...html.matchAll(/id="([^"]+)"/g)].map((m) => m[1]);
      const ids = new Set(all);
      expect(ids.size).toBe(all.length);
      expect(targets.length).toBeGreaterThan(50);
      expect(targets.filter((t) => !ids.has(t))).toEqual([]);
    });

    it('lists overrides and exceptions and escapes what the environment wrote', () => {
      expect(html).toContain('<td><a href="#rule-NDC-GRN-002">NDC-GRN-002</a></td><td>mandatory</td><td>advisory</td>');
      expect(html).toContain('<td class="waived">applied</td>');
      expect(html).not.toContain('<Data>');
    });
  });

  it('markdown carries the verdict, the matrix, overrides, exceptions and failures', () => {
    const md = renderReport(mixed, 'markdown');
    expect(md).toContain('**FAIL: 1 mandatory failure (1 advisory, 1 waived)**');
    expect(md).toContain('| NDC-GRN-002 | mandatory | advisory |');
    expect(md).toContain('| National E-Document Exchange Platform (level 3) | passed | passed | waived | passed | - | - | - | passed |');
    expect(md).toMatch(/\| NDC-BAK-004 \| system e-document-exchange \| applied \| Government Office Security Unit \| 2027-01-31 \|/);
    expect(md).toContain('| fail | NDC-BAK-004 | medium | mandatory | prod/digital-signature-ca | RPO 6 h exceeds 4 h for level 4 |');
  });

  it('text lists failures first with their fix, then waived findings, then the verdict', () => {
    const lines = renderReport(mixed, 'text').trimEnd().split('\n');
    const tagged = lines.filter((l) => /^(FAIL|WARN|WAIVED) /.test(l)).map((l) => l.split(' ')[0] + ' ' + l.split(/\s+/)[1]);
    expect(tagged).toEqual(['FAIL NDC-BAK-004', 'WARN NDC-BAK-005', 'WAIVED NDC-BAK-004']);
    expect(lines).toContain('       fix: Set backup.rpoHours and backup.retentionDays within the bounds, with a schedule at least as frequent as the RPO.');
    expect(lines.at(-1)).toBe('FAIL: 1 mandatory failure (1 advisory, 1 waived)');
    expect(lines).toContain('  NDC-GRN-002: mandatory -> advisory');
  });

  it('json is the whole report, key-sorted, and the same inputs give the same bytes', () => {
    const json = renderReport(mixed, 'json');
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(mixed)));
    expect(renderReport(mixedReport(), 'json')).toBe(json);
    expect(renderReport(mixedReport(), 'html')).toBe(renderReport(mixed, 'html'));
  });
});

describe('the HTML report a reviewer decides from', () => {
  const locations = environmentSourceMap(REPO, 'environments/prod.ts');
  const nationalLine = (id: string) => readFileSync(join(REPO, 'environments/shared/national.ts'), 'utf8').split('\n').findIndex((l) => l.includes(`id: '${id}'`)) + 1;
  const failing = () => new Set(mixed.findings.filter((f) => f.status === 'fail' && f.systemId).map((f) => f.systemId!));
  const inputs = (extra: Partial<HtmlReportInputs> = {}): HtmlReportInputs => ({ locations, picture: cloudPicture(mixedCloud, mixed.asOf, failing(), evidenceOf('prod')), commit: 'abc123', ...extra });
  let html: string;
  beforeAll(() => {
    html = renderReport(mixed, 'html', 'environments/prod.ts', inputs());
  });
  const section = (from: string, to: string) => html.slice(html.indexOf(from), html.indexOf(to, html.indexOf(from)));

  it('gives the same bytes with laid-out diagrams taken from a cache as laid out afresh', () => {
    const store = new Map<string, string>();
    const diagrams = { get: (key: string) => store.get(key), set: (key: string, svg: string) => void store.set(key, svg) };
    expect(renderReport(mixed, 'html', 'environments/prod.ts', inputs({ diagrams }))).toBe(html);
    expect(store.size).toBeGreaterThan(2);
    // Served from the cache: a planted entry shows, so the cache is what was used.
    for (const key of store.keys()) store.set(key, store.get(key)!.replace('<svg', '<svg data-cached="1"'));
    expect(renderReport(mixed, 'html', 'environments/prod.ts', inputs({ diagrams }))).toContain('data-cached="1"');
  });

  it('lists the failures first, mandatory before advisory, each with rule, system, what, how to fix and file:line', () => {
    const order = ['id="failures"', 'id="summary"', 'id="inventory"', 'id="topology"', 'id="system-public-service-portal"', 'id="matrix"', 'id="reachability"', 'id="change"', 'id="overrides"', 'id="rules"'].map((a) => html.indexOf(a));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const failures = section('<h2 id="failures">', '<h2 id="summary">');
    const items = failures.split('<li ').slice(1);
    expect(items.map((li) => /data-rule="([^"]+)" data-system="([^"]+)"/.exec(li)!.slice(1).join(' '))).toEqual(['NDC-BAK-004 digital-signature-ca', 'NDC-BAK-005 population-db']);
    expect(items[0]).toContain('class="failure mandatory"');
    expect(items[0]).toContain('RPO 6 h exceeds 4 h for level 4');
    expect(items[0]).toContain(`<strong>How to fix:</strong> ${mixed.rules.find((r) => r.id === 'NDC-BAK-004')!.remediation}`);
    expect(items[0]).toContain(`<strong>Where:</strong> <code>environments/shared/national.ts:${nationalLine('digital-signature-ca')}</code>`);
    expect(items[1]).toContain('class="failure advisory"');
    expect(items[1]).toContain(`environments/shared/national.ts:${nationalLine('population-db')}`);
    // The waived finding is not a failure; it is shown below the list with its exception.
    expect(failures).toMatch(/<tr class="waived"><td>NDC-BAK-004<\/td><td>e-document-exchange<\/td>/);
  });

  it('has an inventory with owner, level, clusters, approval status per role and the assessment due date', () => {
    const inventory = section('<h2 id="inventory">', '<h2 id="topology">');
    const rows = inventory.split('<tr>').slice(2).map((r) => r.replace(/<br>/g, ' ').replace(/<[^>]+>/g, '|').split('|').filter((c) => c !== ''));
    expect(rows).toHaveLength(mixedCloud.systems.length);
    const portal = mixedCloud.system('public-service-portal');
    expect(rows[0].slice(0, 7)).toEqual([portal.id, portal.displayName, portal.ownerAgency, String(portal.level), portal.primary.id, portal.recovery!.id, 'not evaluated']);
    expect(inventory).toContain('Approval status: not evaluated');
    // Due one assessment interval (12 months at level 4) after the last assessment.
    const last = latestEvidence(evidenceOf('prod'), portal.id, 'assessment')!.performed;
    expect(rows[0][7]).toBe(`${Number(last.slice(0, 4)) + 1}${last.slice(4)}`);
    const approvals: ReportApprovals = {
      operation: 'deploy',
      trust: 'trust store version 2',
      systems: [{ id: portal.id, required: ['security-unit', 'owner'], counted: [{ role: 'security-unit', reviewer: 'gov-office-su', expires: '2026-12-20' }], missing: ['owner'] }],
    };
    const withApprovals = renderReport(mixed, 'html', 'environments/prod.ts', inputs({ approvals }));
    expect(withApprovals).toContain('<span class="complete">security-unit: approved by gov-office-su (expires 2026-12-20)</span><br><span class="missing">owner: missing</span>');
    expect(withApprovals).toContain('trust store version 2');
  });

  it('draws the national view, each cluster and each system as inline SVG laid out at report time', () => {
    const topology = section('<h2 id="topology">', '<section class="system"');
    const svgs = html.match(/<svg class="diagram" id="([^"]+)"/g)!.map((m) => /id="([^"]+)"/.exec(m)![1]);
    expect(svgs).toEqual(['diagram-national', ...mixedCloud.clusters.map((c) => `diagram-cluster-${c.id}`), ...mixedCloud.systems.map((s) => `diagram-system-${s.id}`)]);
    const national = /<svg class="diagram" id="diagram-national"[\s\S]*?<\/svg>/.exec(topology)![0];
    // A box per placement (primary and recovery) inside its cluster, the external networks, recovery links.
    const placements = mixedCloud.systems.flatMap((s) => s.placements.map((p) => `sys:${s.id}@${p.cluster.id}`));
    expect([...national.matchAll(/data-node="(sys:[^"]+)"/g)].map((m) => m[1]).sort()).toEqual(placements.sort());
    expect(national).toContain('data-node="internet"');
    expect(national).toContain('data-node="gov-network"');
    expect(national.match(/data-group="/g)).toHaveLength(mixedCloud.clusters.length);
    expect(national).toContain('data-from="internet" data-to="sys:public-service-portal@north"');
    // A system with a failed finding is drawn red.
    expect(national).toMatch(/<g class="node node-system node-failed" data-node="sys:digital-signature-ca@north">/);
    expect(national).not.toMatch(/node-failed" data-node="sys:online-meeting@/);
    const north = /<svg class="diagram" id="diagram-cluster-north"[\s\S]*?<\/svg>/.exec(topology)![0];
    expect(north).toMatch(/data-group="north\/population-db"/);
    expect(north).toMatch(/<text[^>]*>tcp\/5432<\/text>/);
  });

  it('gives each system a section: its diagram, its failures first, passed rows collapsed', () => {
    const system = section('<section class="system" id="system-digital-signature-ca">', '</section>');
    expect(system).toContain('<svg class="diagram" id="diagram-system-digital-signature-ca"');
    const failedAt = system.indexOf('<tr class="failed" id="f-digital-signature-ca-backup">');
    expect(failedAt).toBeGreaterThan(0);
    const details = [...system.matchAll(/<details class="passed-rows"[^>]*><summary>([a-z-]+): (\d+) passed<\/summary>/g)];
    expect(details.length).toBeGreaterThan(3);
    expect(system.indexOf('<details')).toBeGreaterThan(failedAt);
    const passed = mixed.findings.filter((f) => f.systemId === 'digital-signature-ca' && f.status === 'pass').length;
    expect(details.reduce((n, d) => n + Number(d[2]), 0)).toBe(passed);
    expect(html).toContain('<section class="system" id="system-cloud">');
  });

  it('shows the change since the last approval when it is given, and says so when not', () => {
    expect(section('<h2 id="change">', '<h2 id="overrides">')).toContain('Not computed for this report');
    const change: ChangeSinceApproval = {
      against: 'approved digest 1a2b3c',
      scopes: [{ scope: 'population-db', level: 5, added: ['terraform/cluster-north: openstack_compute_instance_v2.population-db-db-5'], removed: [], changed: [{ address: 'terraform/cluster-north: openstack_networking_secgroup_rule_v2.x', attributes: ['port_range_max'] }], approvalsVoided: ['nca-1 (national-authority)'], mustSign: ['national-authority', 'owner'] }],
    };
    const withChange = renderReport(mixed, 'html', 'environments/prod.ts', inputs({ change }));
    const shown = withChange.slice(withChange.indexOf('<h2 id="change">'), withChange.indexOf('<h2 id="overrides">'));
    expect(shown).toContain('Against approved digest 1a2b3c: 1 scope(s) changed.');
    expect(shown).toContain('<td>population-db (level 5)</td><td><code>terraform/cluster-north: openstack_compute_instance_v2.population-db-db-5</code></td><td>-</td>');
    expect(shown).toContain('(port_range_max)');
    expect(shown).toContain('<td>national-authority, owner</td>');
  });

  it('prints one system per page and stays one self-contained, byte-identical file', () => {
    expect(html).toMatch(/@media print\{[^]*section\.system\{break-before:page/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\((?!#)/i);
    expect(renderReport(mixed, 'html', 'environments/prod.ts', inputs())).toBe(html);
    const targets = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    const all = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(all.length - new Set(all).size).toBe(0);
    expect(targets.filter((t) => !all.includes(t))).toEqual([]);
  });

  it('SARIF puts each result at the line that defines its system, with its own fingerprint', () => {
    const log = JSON.parse(renderReport(mixed, 'sarif', 'environments/prod.ts', { locations }));
    expect(log).toBeValidSarifLog();
    const results = log.runs[0].results as { ruleId: string; properties: { system: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[]; partialFingerprints: Record<string, string> }[];
    for (const r of results.filter((x) => x.properties.system)) {
      expect(r.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'environments/shared/national.ts', uriBaseId: 'PROJECTROOT' }, region: { startLine: nationalLine(r.properties.system) } });
    }
    // Every finding of the report (passed ones too, as failures) gets a distinct fingerprint.
    const all: PolicyReport = { ...mixed, findings: mixed.findings.map((f) => ({ ...f, status: 'fail' as const })) };
    const fingerprints = JSON.parse(renderReport(all, 'sarif', 'environments/prod.ts', { locations })).runs[0].results.map((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints['ndcFinding/v2']);
    expect(fingerprints).toHaveLength(mixed.findings.length);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
  });
});
