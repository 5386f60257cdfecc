import { InputError } from '../core/errors';
import { validateEnvironment } from '../environments/validate';
import { DECREE_85_APPROVER_FLOOR, DECREE_85_APPROVERS } from '../environments/vocabulary';
import { checkApproverFloor } from '../policies/approvals/requirements';
import { citationsOf, regulationOf } from '../policies/citations';
import { policyInForce } from '../policies/engine';
import { INTERVAL_KINDS, NDC_POLICY, PROFILES, VN_2016, VN_2026 } from '../policies/profiles';
import { packsOf, rulesOf } from '../policies/registry';
import { renderReport, REPORT_FORMATS } from '../policies/reports';
import { environmentInput } from './helpers';
import { reportOf, variant } from './policy-fixtures';

describe('regulation profiles', () => {
  it('vn-2026 sits next to vn-2016 with the same packs, so rule code is shared and only data differ', () => {
    expect(Object.keys(PROFILES)).toEqual([VN_2016, VN_2026]);
    expect(packsOf(VN_2026)).toEqual(packsOf(VN_2016));
    expect(PROFILES[VN_2026].status).toBe('reported');
    expect(PROFILES[VN_2026].assessor.professionalFromLevel).toMatchObject({ value: 5, status: 'reported' });
    expect(PROFILES[VN_2016].assessor.professionalFromLevel).toBeUndefined();
  });

  it('every rule in every profile cites an article of one of the profile\'s instruments, or says "ndc policy"', () => {
    const superseded = /Decree 13\/2023|Decree 53\/2022|Cybersecurity 2018|Law on Cybersecurity 2018/;
    for (const profile of Object.values(PROFILES)) {
      const instruments = new Set(profile.instruments.map((i) => i.id));
      for (const { rule } of rulesOf(packsOf(profile.name))) {
        const entries = citationsOf(profile, rule.id);
        expect([profile.name, rule.id, entries === undefined ? 'unmapped' : 'mapped']).toEqual([profile.name, rule.id, 'mapped']);
        for (const entry of entries ?? []) {
          if (entry === NDC_POLICY) continue;
          expect([rule.id, instruments.has(entry.instrument)]).toEqual([rule.id, true]);
          expect(entry.article.trim().length).toBeGreaterThan(0);
          // A citation's standing is no better than its instrument's.
          if (profile.instruments.find((i) => i.id === entry.instrument)!.status === 'reported') expect([rule.id, entry.status]).toEqual([rule.id, 'reported']);
        }
        expect(regulationOf(profile, rule).reference).not.toMatch(superseded);
      }
    }
  });

  it('residency, public-edge, green and distance rules are the platform\'s own bounds; Decision 2629 is not cited for PUE or distances', () => {
    for (const profile of Object.values(PROFILES)) {
      for (const id of ['NDC-RES-001', 'NDC-RES-002', 'NDC-RES-003', 'NDC-EDGE-001', 'NDC-GRN-001', 'NDC-GRN-002', 'NDC-TOP-002']) {
        expect([profile.name, id, citationsOf(profile, id)]).toEqual([profile.name, id, [NDC_POLICY]]);
      }
    }
  });

  it('defines an intervals table per profile (kind -> level -> months, reported or confirmed) for the evidence rules', () => {
    for (const profile of Object.values(PROFILES)) {
      expect(Object.keys(profile.intervals).sort()).toEqual([...INTERVAL_KINDS].sort());
      for (const kind of INTERVAL_KINDS) {
        for (const [level, figure] of Object.entries(profile.intervals[kind])) {
          expect(['1', '2', '3', '4', '5']).toContain(level);
          expect(figure.months).toBeGreaterThan(0);
          expect(['confirmed', 'reported', 'ndc policy']).toContain(figure.basis);
        }
      }
    }
    const v26 = PROFILES[VN_2026].intervals;
    expect([v26['restore-test'][4]?.months, v26['restore-test'][5]?.months, v26['penetration-test'][4]?.months, v26['penetration-test'][5]?.months]).toEqual([6, 3, 12, 6]);
    expect(v26['penetration-test'][5]?.basis).toBe('reported');
    expect(PROFILES[VN_2016].intervals.assessment[5]).toMatchObject({ months: 6, basis: 'confirmed' });
  });

  it('every report format shows which profile was used and its reported figures as "reported"', () => {
    const report = reportOf(variant('dev', (input) => {
      input.profile = VN_2026;
    }, { render: false }));
    expect(report.profile).toMatchObject({ name: VN_2026, status: 'reported' });
    expect(report.profile.reported.some((line) => line.includes('penetration-test'))).toBe(true);
    expect(report.rules.find((r) => r.id === 'NDC-LVL-007')?.regulation).toMatchObject({ profile: VN_2026, status: 'reported' });
    for (const format of REPORT_FORMATS) {
      const text = renderReport(report, format);
      expect([format, text.includes(VN_2026), /reported/.test(text), text.includes('penetration-test')]).toEqual([format, true, true, true]);
    }
  });
});

describe('approver floors', () => {
  it('the decree floor asks one national-authority reviewer at level 5; two are ndc\'s choice, never the floor', () => {
    expect(DECREE_85_APPROVER_FLOOR['5'].filter((r) => r === 'national-authority')).toHaveLength(1);
    expect(DECREE_85_APPROVERS['5'].filter((r) => r === 'national-authority')).toHaveLength(2);
    for (const profile of Object.values(PROFILES)) {
      expect(profile.approverFloor.table['5'].filter((r) => r === 'national-authority')).toHaveLength(1);
      // An environment asking for the floor only is accepted; one asking for less is refused.
      expect(() => checkApproverFloor({ levels: DECREE_85_APPROVER_FLOOR, maxValidityDays: 30 }, profile, 'environments/x.ts')).not.toThrow();
      expect(() => checkApproverFloor({ levels: { ...DECREE_85_APPROVER_FLOOR, '5': ['system-owner'] }, maxValidityDays: 30 }, profile, 'environments/x.ts')).toThrow(/approvals\.levels\.5/);
    }
  });
});

describe('overrides may not weaken a profile\'s protected rules', () => {
  const withOverrides = (overrides: Record<string, string>, profile = VN_2016) => {
    const input = environmentInput('dev');
    input.profile = profile;
    input.policy = { ...(input.policy as object), overrides };
    return validateEnvironment(input, 'environments/dev.ts');
  };

  it.each([
    ['NDC-NET-001', 'advisory'],
    ['NDC-VAL-001', 'disabled'],
    ['NDC-LVL-011', 'advisory'],
  ])('refuses %s -> %s at load, in one line naming the field, in both profiles', (rule, to) => {
    for (const profile of [VN_2016, VN_2026]) {
      const attempt = () => policyInForce(withOverrides({ [rule]: to }, profile), 'environments/dev.ts');
      expect(attempt).toThrow(InputError);
      expect(attempt).toThrow(`environments/dev.ts: policy.overrides.${rule}: "${to}": ${rule} is mandatory in profile ${profile} and an override may not weaken it; waive a finding with a dated exception`);
    }
  });

  it('still allows overrides of other rules, and restating a protected rule as mandatory', () => {
    const policy = policyInForce(withOverrides({ 'NDC-TOP-001': 'advisory', 'NDC-NET-002': 'mandatory' }), 'environments/dev.ts');
    expect(policy.overrides.map((o) => `${o.ruleId}:${o.to}`)).toEqual(['NDC-NET-002:mandatory', 'NDC-TOP-001:advisory']);
  });

  it('leaves the dated exception as the way to waive a protected rule\'s finding', () => {
    const input = environmentInput('dev');
    input.policy = {
      ...(input.policy as object),
      exceptions: [{ rule: 'NDC-NET-005', system: 'e-document-exchange', reason: 'Migration window for the legacy exchange gateway', grantedBy: 'Platform team security unit', expires: '2026-12-31' }],
    };
    expect(() => policyInForce(validateEnvironment(input, 'environments/dev.ts'), 'environments/dev.ts')).not.toThrow();
  });
});
