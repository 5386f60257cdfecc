import '@microsoft/jest-sarif';
import { XMLParser } from 'fast-xml-parser';
import type { PolicyReport } from '../policies/engine';
import { PROFILES } from '../policies/profiles';
import { renderReport } from '../policies/reports';
import { environmentInput } from './helpers';
import { evidenceOf, fixture, reportOf, withoutEvidence } from './policy-fixtures';

type SystemInput = NonNullable<ReturnType<typeof environmentInput>['systems']>[number];

/** prod with one waived, one mandatory and one advisory failure, an override and a name that needs escaping. */
function mixedReport(): PolicyReport {
  const input = environmentInput('prod');
  const system = (id: string): SystemInput => input.systems!.find((s) => s.id === id)!;
  system('e-document-exchange').backup!.retentionDays = 30;
  Object.assign(system('digital-signature-ca').backup!, { rpoHours: 6, schedule: '0 */6 * * *' });
  system('open-data-portal').name = 'Open <Data> & "Portal"';
  input.policy = {
    overrides: { 'NDC-GRN-002': 'advisory', 'NDC-BAK-005': 'advisory' },
    exceptions: [{ rule: 'NDC-BAK-004', system: 'e-document-exchange', reason: 'Archive migration in progress; retention restored after cut-over.', grantedBy: 'Government Office Security Unit', expires: '2027-01-31' }],
  };
  return reportOf(fixture(input, { evidence: withoutEvidence(evidenceOf('prod'), 'population-db', 'restore-test') }));
}

let mixed: PolicyReport;
let clean: PolicyReport;
beforeAll(() => {
  mixed = mixedReport();
  clean = reportOf(fixture(environmentInput('prod')));
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
