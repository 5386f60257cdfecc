import { main } from '../cli/main';
import { PROFILES, VN_2016, VN_2026 } from '../policies/profiles';
import { assessorEntitled } from '../policies/rules/security-level/assessor-entitled';
import { recoverySiteDistance } from '../policies/rules/security-level/recovery-site-distance';
import { transitionReport, transitionTarget, transitionText, type TransitionReport } from '../policies/transition';
import { captureIO, environmentInput, tempProject, writeEnvironmentJson } from './helpers';
import { reportOf, variant } from './policy-fixtures';

describe('transition report (vn-2016 -> vn-2026)', () => {
  it('lists what would fail under vn-2026 with the deadline its requirement gets, and what fails already', () => {
    const change = (profile: string) =>
      variant('prod', (input) => {
        input.profile = profile;
        // Fails only under vn-2026: a level-5 assessor that is not a professional organisation.
        input.assessorOrganisations![0].professional = false;
        // Fails under both: one link between population-db's clusters.
        input.interconnect.links = input.interconnect.links!.filter((l) => l.id !== 'north-south-backup');
      }, { render: false });
    const rules = [recoverySiteDistance, assessorEntitled];
    const report = transitionReport(reportOf(change(VN_2016), rules), reportOf(change(VN_2026), rules), transitionTarget(VN_2026, VN_2016));
    const deadlines = PROFILES[VN_2026].transition!;
    expect(report.items.map((i) => [i.ruleId, i.systemId, i.requirement, i.deadline, i.failsNow, i.reported])).toEqual([
      ['NDC-LVL-007', 'population-db', 'recovery-site', deadlines.deadlines['recovery-site'], true, true],
      ['NDC-LVL-010', 'population-db', 'assessor', deadlines.defaultDeadline, false, true],
    ]);
    expect([deadlines.deadlines['recovery-site'], deadlines.defaultDeadline]).toEqual(['2027-07-01', '2027-01-01']);
    expect(report.newFailures).toBe(1);
    const text = transitionText(report);
    expect(text).toContain('WOULD FAIL NDC-LVL-010 by 2027-01-01 [reported] prod/population-db: level 5 needs a professional assessor organisation');
    expect(text).toContain('WOULD FAIL NDC-LVL-007 due now (fails under vn-2016 too) [reported] prod/population-db');
    expect(text.trimEnd().split('\n').pop()).toBe('NOT READY: 2 mandatory findings under vn-2026 (1 new, 1 failing under vn-2016 already)');
  });

  it('refuses a profile that declares no transition from the environment\'s profile', () => {
    expect(() => transitionTarget(VN_2016, VN_2026)).toThrow('--profile: "vn-2016" declares no transition from the environment\'s profile vn-2026 (transitions: vn-2026 from vn-2016)');
  });

  describe('ndc check --profile (command line)', () => {
    let root: string;
    beforeAll(() => {
      root = tempProject('ndc-transition-');
      // dev without its NDC-TOP-001 override: one cluster fails under both profiles.
      const strict = { ...environmentInput('dev'), name: 'strict' };
      const overrides = { ...((strict.policy as { overrides: Record<string, string> }).overrides) };
      delete overrides['NDC-TOP-001'];
      // dev's dated exceptions name their subjects under the environment's name.
      const exceptions = ((strict.policy as { exceptions?: { resource?: string }[] }).exceptions ?? []).map((e) => (e.resource ? { ...e, resource: e.resource.replace(/^dev\//, 'strict/') } : e));
      strict.policy = { ...(strict.policy as object), overrides, exceptions };
      writeEnvironmentJson(root, 'strict', strict);
    });

    it('exits 0 and says READY when nothing would fail; the ordinary check when asked for the environment\'s own profile', async () => {
      const ready = captureIO(root);
      expect(await main(['check', '--env', 'dev', '--profile', VN_2026, '--as-of', '2026-11-27'], ready.io)).toBe(0);
      expect(ready.out.join('\n')).toMatch(/^Transition of dev from vn-2016 \S+ to vn-2026 \S+ as of 2026-11-27/);
      expect(ready.out.join('\n')).toMatch(/READY: dev meets vn-2026's mandatory rules$/);
      const same = captureIO(root);
      expect(await main(['check', '--env', 'dev', '--profile', VN_2016, '--as-of', '2026-11-27'], same.io)).toBe(0);
      expect(same.out.join('\n')).toContain('Policy check of dev (development) as of 2026-11-27');
    });

    it('exits 1 when something would fail, with --format json the transition report', async () => {
      const { io, out } = captureIO(root);
      expect(await main(['check', '--env', 'strict', '--profile', VN_2026, '--format', 'json', '--as-of', '2026-11-27'], io)).toBe(1);
      const report = JSON.parse(out.join('\n')) as TransitionReport;
      expect(report.items.map((i) => [i.ruleId, i.deadline, i.failsNow])).toEqual([['NDC-TOP-001', '2027-01-01', true]]);
      expect(report.to).toMatchObject({ name: VN_2026, status: 'reported' });
      expect((report as unknown as { schema: string }).schema).toBe('ndc/check-transition/v1');
    });

    it('exits 2 on an unknown profile, in one line', async () => {
      const { io, err } = captureIO(root);
      expect(await main(['check', '--env', 'dev', '--profile', 'vn-2030'], io)).toBe(2);
      expect(err.join('\n')).toContain('--profile: "vn-2030" is not a regulation profile (known: vn-2016, vn-2026)');
    });
  });
});
