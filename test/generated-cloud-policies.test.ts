import { generatedEvidence, generateEnvironment } from '../scripts/generate-cloud';
import { fixture, reportOf } from './policy-fixtures';

describe('generated clouds (benchmark input) are realistic enough to pass the policy packs', () => {
  it('4 systems per region: 3 clusters, every level, no failure of any rule', () => {
    const input = generateEnvironment(4);
    const report = reportOf(fixture(input, { evidence: generatedEvidence(input) }));
    expect(input.regions.map((r) => r.id)).toEqual(['north', 'central', 'south']);
    expect(new Set(report.systems.map((s) => s.level))).toEqual(new Set([1, 2, 3, 4, 5]));
    expect(report.findings.filter((f) => f.status === 'fail').map((f) => `${f.ruleId} ${f.subject}: ${f.message}`)).toEqual([]);
    expect(report.findings.filter((f) => f.status === 'pass').length).toBeGreaterThan(200);
  });
});
