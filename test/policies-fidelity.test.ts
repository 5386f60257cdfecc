import { InputProblems } from '../core/errors';
import { validateEnvironment } from '../environments/validate';
import { PROFILES, VN_2016, VN_2026 } from '../policies/profiles';
import type { RuleContext } from '../policies/rule';
import { assessorEntitled } from '../policies/rules/security-level/assessor-entitled';
import { levelFloor } from '../policies/rules/security-level/level-floor';
import { recoverySiteDistance } from '../policies/rules/security-level/recovery-site-distance';
import { environmentInput } from './helpers';
import { evidenceOf, failures, variant, type Fixture } from './policy-fixtures';
import type { EnvironmentInput } from '../environments/schema';

const under = (f: Fixture, profile: string): RuleContext => ({ ...f.context, profile: PROFILES[profile] });
const prodVariant = (change: (input: EnvironmentInput) => void) => variant('prod', change, { render: false });
const messages = (rule: typeof levelFloor, context: RuleContext) => failures(rule, context).map((r) => `${r.systemId}: ${r.message}`);

let prod: Fixture;
beforeAll(() => {
  prod = prodVariant(() => undefined);
});

describe('fidelity fixes, in both profiles', () => {
  it('prod as shipped passes the new and changed rules under vn-2016 and vn-2026', () => {
    for (const profile of [VN_2016, VN_2026]) {
      for (const rule of [assessorEntitled, levelFloor, recoverySiteDistance]) expect([profile, rule.id, messages(rule, under(prod, profile))]).toEqual([profile, rule.id, []]);
    }
  });

  describe('NDC-LVL-007: level 5 needs at least two links between the primary and the recovery cluster', () => {
    it('fails with one link or none, in both profiles', () => {
      const one = prodVariant((input) => {
        input.interconnect.links = input.interconnect.links!.filter((l) => l.id !== 'north-south-backup');
      });
      const none = prodVariant((input) => {
        input.interconnect.links = [];
      });
      for (const profile of [VN_2016, VN_2026]) {
        expect(messages(recoverySiteDistance, under(one, profile))).toEqual(['population-db: 1 link between north and south (north-south-primary), at least 2 required']);
        expect(messages(recoverySiteDistance, under(none, profile))).toEqual(['population-db: 0 links between north and south, at least 2 required']);
      }
    });

    it('counts only links joining that pair of clusters', () => {
      const elsewhere = prodVariant((input) => {
        input.interconnect.links = input.interconnect.links!.filter((l) => !l.id.startsWith('north-south'));
      });
      expect(messages(recoverySiteDistance, under(elsewhere, VN_2016))).toEqual(['population-db: 0 links between north and south, at least 2 required']);
    });

    it('refuses a link to an unknown cluster or from a cluster to itself, at load', () => {
      const input = environmentInput('prod');
      input.interconnect.links = [{ id: 'x', between: ['north', 'west'], carrier: 'c' }, { id: 'y', between: ['north', 'north'], carrier: 'c' }];
      let error: unknown;
      try {
        validateEnvironment(input, 'environments/prod.ts');
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(InputProblems);
      expect((error as InputProblems).problems.map((p) => p.message)).toEqual([
        'environments/prod.ts: interconnect.links[0].between[1]: "west": is not a region of this environment (regions: north, central, south)',
        'environments/prod.ts: interconnect.links[1].between: ["north","north"]: a link joins two different clusters',
      ]);
    });
  });

  describe('NDC-LVL-010: the assessor of a level 3+ system is a licensed or designated organisation', () => {
    it('fails an assessor that is not on the environment\'s list, in both profiles', () => {
      const evidence = evidenceOf('prod').map((r) => (r.system === 'e-document-exchange' && r.kind === 'assessment' ? { ...r, by: 'Government Office Security Unit' } : r));
      const unlisted = variant('prod', () => undefined, { render: false, evidence });
      const record = evidence.find((r) => r.system === 'e-document-exchange' && r.kind === 'assessment')!.source;
      for (const profile of [VN_2016, VN_2026]) {
        expect(messages(assessorEntitled, under(unlisted, profile))).toEqual([`e-document-exchange: assessor "Government Office Security Unit" of ${record} is not a licensed or designated assessor organisation of this environment (assessorOrganisations: ais)`]);
      }
    });

    it('fails an organisation whose licence had lapsed before the assessment', () => {
      const lapsed = prodVariant((input) => {
        input.assessorOrganisations![0].licence.validUntil = '2026-05-01';
      });
      const failing = failures(assessorEntitled, under(lapsed, VN_2016)).map((r) => r.systemId);
      // Assessed after 2026-05-01: the portal (05-12), population-db (08-03), e-document-exchange's is 03-02 (still valid then).
      expect(failing).toEqual(['public-service-portal', 'population-db', 'online-meeting']);
      expect(failures(assessorEntitled, under(lapsed, VN_2016))[0].message).toBe('the designation AIS-DES-2025-01 of ais (Ministry of Science and Technology) was valid until 2026-05-01, before the assessment of 2026-05-12');
    });

    it('vn-2026 (reported) asks a professional organisation at level 5; vn-2016 does not', () => {
      const notProfessional = prodVariant((input) => {
        input.assessorOrganisations![0].professional = false;
      });
      expect(messages(assessorEntitled, under(notProfessional, VN_2016))).toEqual([]);
      expect(messages(assessorEntitled, under(notProfessional, VN_2026))).toEqual(['population-db: level 5 needs a professional assessor organisation under vn-2026 (reported); ais is not declared professional']);
    });

    it('fails a level 3+ system without any assessment evidence record', () => {
      const none = variant('prod', () => undefined, { render: false, evidence: evidenceOf('prod').filter((r) => !(r.system === 'online-meeting' && r.kind === 'assessment')) });
      expect(messages(assessorEntitled, under(none, VN_2016))).toEqual(['online-meeting: no assessment evidence record, so no assessor to judge (level 3 needs a licensed or designated assessor organisation)']);
    });

    it('does not apply below level 3', () => {
      const results = assessorEntitled.check(under(prod, VN_2016));
      expect(results.find((r) => r.systemId === 'open-data-portal')).toMatchObject({ status: 'not-applicable' });
    });
  });

  describe('NDC-LVL-011: classification and criteria fix the lowest level', () => {
    it('fails state-secret data below level 3 and a national 24/7 e-government service below level 4, in both profiles', () => {
      const low = prodVariant((input) => {
        const meeting = input.systems!.find((s) => s.id === 'online-meeting')!;
        meeting.classification = 'secret';
        meeting.level = 2;
        const portal = input.systems!.find((s) => s.id === 'e-document-exchange')!;
        portal.levelCriteria = ['national-e-government-24x7'];
      });
      const v16 = messages(levelFloor, under(low, VN_2016));
      expect(v16).toEqual([
        'e-document-exchange: national-e-government-24x7 needs level 4 or above (Decree 85/2016/ND-CP art. 10 (national e-government systems operated 24/7), reported); the system is level 3',
        'online-meeting: secret data needs level 3 or above (Decree 85/2016/ND-CP art. 9 (state secrets: level 3 or above), reported); the system is level 2',
      ]);
      expect(messages(levelFloor, under(low, VN_2026))).toHaveLength(2);
    });

    it('fails shared national infrastructure below level 4 (art. 10(3), confirmed)', () => {
      const shared = prodVariant((input) => {
        input.systems!.find((s) => s.id === 'online-meeting')!.levelCriteria = ['shared-national-infrastructure'];
      });
      expect(messages(levelFloor, under(shared, VN_2016))).toEqual(['online-meeting: shared-national-infrastructure needs level 4 or above (Decree 85/2016/ND-CP art. 10(3)); the system is level 3']);
    });
  });
});
