import { intervalFor, intervalsOf } from '../../policies/evidence-intervals';
import { PROFILES } from '../../policies/profiles';
import { pack, incidentDrilled, penetrationTested, riskReassessed, vulnerabilityScanned } from '../../policies/rules/assurance';
import { evidenceOf, failures, variant, withEvidence, withoutEvidence, type Fixture } from '../policy-fixtures';

let prod: Fixture;
beforeAll(() => {
  prod = variant('prod', () => undefined, { render: false });
});

const resultOf = (f: Fixture, rule: typeof pack[number], system: string) => rule.check(f.context).find((r) => r.systemId === system)!;

describe('assurance pack: recurring activities from evidence records', () => {
  it('has stable ids, is mandatory, and passes on prod as shipped', () => {
    expect(pack.map((r) => r.id)).toEqual(['NDC-ASR-001', 'NDC-ASR-002', 'NDC-ASR-003', 'NDC-ASR-004']);
    for (const rule of pack) {
      expect(rule.enforcement).toBe('mandatory');
      expect([rule.id, failures(rule, prod.context)]).toEqual([rule.id, []]);
    }
  });

  it('NDC-ASR-001: penetration tests every year at level 4, every 6 months at level 5 (reported), not required at level 2', () => {
    expect(intervalFor(PROFILES['vn-2016'], 'penetration-test', 4)).toMatchObject({ months: 12, basis: 'reported' });
    expect(intervalFor(PROFILES['vn-2016'], 'penetration-test', 5)).toMatchObject({ months: 6, basis: 'reported' });
    expect(resultOf(prod, penetrationTested, 'open-data-portal')).toMatchObject({ status: 'not-applicable', message: 'level 2: no penetration-test interval in profile vn-2016' });
    // population-db (level 5) was tested 2026-09-14: due 2027-03-14, one day later it is overdue.
    const late = variant('prod', () => undefined, { render: false, asOf: new Date('2027-03-15T00:00:00Z') });
    expect(resultOf(late, penetrationTested, 'population-db')).toMatchObject({
      status: 'fail',
      message: 'last penetration-test 2026-09-14 by National Cyber Security Center (NCSC), Ministry of Public Security (evidence/prod/population-db-penetration-test-2026-09-14.json): overdue since 2027-03-14 (every 6 months at level 5, reported)',
    });
    const missing = variant('prod', () => undefined, { render: false, evidence: withoutEvidence(evidenceOf('prod'), 'digital-signature-ca', 'penetration-test') });
    expect(failures(penetrationTested, missing.context).map((r) => [r.systemId, r.message])).toEqual([['digital-signature-ca', 'penetration-test: none recorded under evidence/prod/ (due every 12 months at level 4, reported)']]);
  });

  it('NDC-ASR-002: a failed vulnerability scan fails the rule however recent it is', () => {
    const failed = variant('prod', () => undefined, { render: false, evidence: withEvidence(evidenceOf('prod'), 'public-service-portal', 'vulnerability-scan', { result: 'fail' }) });
    expect(failures(vulnerabilityScanned, failed.context).map((r) => r.message)).toEqual([
      'last vulnerability-scan 2026-10-26 by Government Office Security Operations Centre (evidence/prod/public-service-portal-vulnerability-scan-2026-10-26.json): result fail; a passing vulnerability-scan was due by 2027-01-26',
    ]);
  });

  it('NDC-ASR-003: incident drills from level 3, due when the record\'s own validity ends first', () => {
    expect(resultOf(prod, incidentDrilled, 'open-data-portal').status).toBe('not-applicable');
    const lapsed = variant('prod', () => undefined, { render: false, evidence: withEvidence(evidenceOf('prod'), 'online-meeting', 'incident-drill', { validUntil: '2026-11-01' }) });
    expect(failures(incidentDrilled, lapsed.context).map((r) => [r.systemId, r.message])).toEqual([
      ['online-meeting', 'last incident-drill 2026-07-07 by Government Office Security Unit (evidence/prod/online-meeting-incident-drill-2026-07-07.json): overdue since 2026-11-01 (every 12 months at level 3, ndc policy)'],
    ]);
  });

  it('NDC-ASR-004: risk re-assessment every 2 years at level 2', () => {
    // open-data-portal's risk assessment of 2025-09-15 stands until 2027-09-15.
    const justIn = variant('prod', () => undefined, { render: false, asOf: new Date('2027-09-15T00:00:00Z') });
    expect(resultOf(justIn, riskReassessed, 'open-data-portal').status).toBe('pass');
    const late = variant('prod', () => undefined, { render: false, asOf: new Date('2027-09-16T00:00:00Z') });
    expect(resultOf(late, riskReassessed, 'open-data-portal')).toMatchObject({ status: 'fail', message: expect.stringContaining('overdue since 2027-09-15 (every 24 months at level 2, ndc policy)') });
  });

  it('reads a profile\'s own intervals table when it has one (the profile data owns the figures)', () => {
    expect(intervalsOf(PROFILES['vn-2016'])).toBe(PROFILES['vn-2016'].intervals);
    expect(intervalFor(PROFILES['vn-2026'], 'assessment', 5)).toMatchObject({ months: 6, basis: 'reported' });
    expect(intervalFor(PROFILES['vn-2016'], 'monitoring-contract', 4)).toBeUndefined();
    const strict = { ...PROFILES['vn-2016'], name: 'strict', intervals: { ...PROFILES['vn-2016'].intervals, 'penetration-test': { 2: { months: 1, basis: 'ndc policy' as const, source: 'test' } } } };
    const f = variant('prod', () => undefined, { render: false });
    const results = penetrationTested.check({ ...f.context, profile: strict });
    expect(results.find((r) => r.systemId === 'open-data-portal')).toMatchObject({ status: 'fail', message: 'penetration-test: none recorded under evidence/prod/ (due every 1 month at level 2, ndc policy)' });
    expect(results.find((r) => r.systemId === 'population-db')).toMatchObject({ status: 'not-applicable', message: 'level 5: no penetration-test interval in profile strict' });
  });
});
