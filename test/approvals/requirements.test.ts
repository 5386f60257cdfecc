import { LEVEL_REQUIREMENTS } from '../../constructs/security-level';
import { loadEnvironment } from '../../environments/load';
import { validateEnvironment } from '../../environments/validate';
import { approvalSettingsOf, DEFAULT_APPROVAL_SETTINGS, describeRoles, requiredRoles } from '../../policies/approvals/requirements';
import { environmentInput } from '../helpers';
import { parseDuration } from '../../policies/approvals/statement';
import { REPO } from './fixture';

describe('approval requirements per environment', () => {
  it('prod follows the decree: security unit, then owner, then the national authority (twice at level 5)', () => {
    const prod = loadEnvironment(REPO, 'prod');
    const settings = approvalSettingsOf(prod.env, prod.source);
    expect([1, 2, 3, 4, 5].map((level) => describeRoles(requiredRoles(settings, level)))).toEqual([
      'security-unit',
      'security-unit',
      'security-unit + system-owner',
      'national-authority + system-owner',
      'national-authority x2 + system-owner',
    ]);
    expect(settings.maxValidityDays).toBe(30);
  });

  it('staging asks for what prod asks; dev asks for the vn-2016 floor only', () => {
    const staging = loadEnvironment(REPO, 'staging');
    const dev = loadEnvironment(REPO, 'dev');
    expect(approvalSettingsOf(staging.env, staging.source).levels).toEqual(DEFAULT_APPROVAL_SETTINGS.levels);
    const devSettings = approvalSettingsOf(dev.env, dev.source);
    expect(requiredRoles(devSettings, 3)).toEqual(['security-unit', 'system-owner']);
    expect(requiredRoles(devSettings, 5)).toEqual(['national-authority', 'system-owner']);
  });

  it('defaults to the decree table when an environment says nothing', () => {
    const { approvals: _omitted, ...input } = environmentInput('prod');
    expect(validateEnvironment(input, 'environments/prod.ts').approvals).toEqual(DEFAULT_APPROVAL_SETTINGS);
  });

  it('the level table and the default approval settings state the same approvers', () => {
    for (const level of [1, 2, 3, 4, 5] as const) expect([level, [...LEVEL_REQUIREMENTS[level].approvers].sort()]).toEqual([level, requiredRoles(DEFAULT_APPROVAL_SETTINGS, level)]);
  });

  it('rejects bad settings when the environment loads, in one line naming the field', () => {
    const bad = (approvals: Record<string, unknown>) => () => validateEnvironment({ ...environmentInput('prod'), approvals }, 'environments/prod.ts');
    const levels = DEFAULT_APPROVAL_SETTINGS.levels;
    expect(bad({ levels: { ...levels, '4': ['national-authority', 'minister'] } })).toThrow(
      'environments/prod.ts: approvals.levels.4[1]: "minister": Invalid option: expected one of "security-unit"|"system-owner"|"national-authority"',
    );
    expect(bad({ levels: { ...levels, '3': [] } })).toThrow('environments/prod.ts: approvals.levels.3: []: must name at least one role');
    expect(bad({ levels, maxValidityDays: 0 })).toThrow(/^environments\/prod\.ts: approvals\.maxValidityDays: 0: /);
    expect(bad({ levels, quorum: 2 })).toThrow(/^environments\/prod\.ts: approvals: .*unknown field "quorum"$/);
    const { '5': _five, ...four } = levels;
    expect(bad({ levels: four })).toThrow(/^environments\/prod\.ts: approvals\.levels\.5: missing: /);
  });

  it('holds every environment to its profile’s approver floor: more approvers are fine, fewer are bad input', () => {
    const prod = loadEnvironment(REPO, 'prod');
    const withLevels = (levels: Record<string, string[]>) => ({ ...prod.env, approvals: { ...prod.env.approvals, levels: { ...prod.env.approvals.levels, ...levels } as typeof prod.env.approvals.levels } });
    expect(() => approvalSettingsOf(withLevels({ '2': ['security-unit', 'system-owner'] }), prod.source)).not.toThrow();
    expect(() => approvalSettingsOf(withLevels({ '4': ['security-unit', 'system-owner'] }), prod.source)).toThrow(
      'environments/prod.ts: approvals.levels.4: ["security-unit","system-owner"]: level 4 is missing national-authority; profile vn-2016 (Decree 85/2016/ND-CP art. 12) requires at least national-authority + system-owner, and an environment may add approvers but never drop below that',
    );
    expect(() => approvalSettingsOf(withLevels({ '3': ['security-unit'] }), prod.source)).toThrow(/^environments\/prod\.ts: approvals\.levels\.3: .*level 3 is missing system-owner;/);
    // Level 5's second national-authority reviewer is prod's choice, not the floor: one is enough to load.
    expect(() => approvalSettingsOf(withLevels({ '5': ['national-authority', 'system-owner'] }), prod.source)).not.toThrow();
  });

  it('parses approval durations', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    for (const bad of ['0d', '30', 'd', '1w', '-3d', '30 days']) expect(parseDuration(bad)).toBeUndefined();
  });
});
