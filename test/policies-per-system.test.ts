import { securityGroupsMatchFlows } from '../policies/rules/segmentation/security-groups-match-flows';
import { requirementsFor } from '../constructs';
import { zonesRequired } from '../policies/rules/security-level/zones-required';
import { doesNotApply, judged, perSystem, systemResults } from '../policies/rules/per-system';
import type { RuleContext } from '../policies/rule';
import { failures, fixture, variant, withTerraform, type Fixture } from './policy-fixtures';

let prod: Fixture;
beforeAll(() => {
  prod = variant('prod', () => undefined, { render: false });
});

const levels = (context: RuleContext) => new Map(context.cloud.systems.map((s) => [s.id, s.level]));

describe('perSystem', () => {
  it('reports systems below fromLevel as not applicable, with the reason, and judges the others', () => {
    const check = perSystem({ fromLevel: 4, belowLevel: 'only from level 4', judge: (system) => judged(system.id.length > 0 ? [] : ['no id'], `${system.id} ok`) });
    const results = check(prod.context);
    const level = levels(prod.context);
    expect(results.map((r) => r.systemId)).toEqual(prod.context.cloud.systems.map((s) => s.id));
    for (const result of results) {
      const l = level.get(result.systemId!)!;
      if (l < 4) expect(result).toEqual({ status: 'not-applicable', subject: prod.context.cloud.systems.find((s) => s.id === result.systemId)!.node.path, message: `level ${l}: only from level 4`, systemId: result.systemId });
      else expect(result).toMatchObject({ status: 'pass', message: `${result.systemId} ok` });
    }
    expect(new Set(results.map((r) => r.status))).toEqual(new Set(['pass', 'not-applicable']));
  });

  it('says only the level when no reason is given, and fails a system with problems joined by "; "', () => {
    const results = systemResults(prod.context, { fromLevel: 3, judge: (system) => judged(system.level >= 4 ? ['first', 'second'] : [], 'fine') });
    const level = levels(prod.context);
    for (const result of results) {
      const l = level.get(result.systemId!)!;
      if (l < 3) expect(result).toMatchObject({ status: 'not-applicable', message: `level ${l}` });
      else if (l >= 4) expect(result).toMatchObject({ status: 'fail', message: 'first; second' });
      else expect(result).toMatchObject({ status: 'pass', message: 'fine' });
    }
    expect(results.some((r) => r.status === 'fail')).toBe(true);
  });

  it('uses the construct path as subject and passes what prepare computed once to every judgement', () => {
    let prepared = 0;
    const results = systemResults(prod.context, {
      prepare: (context) => {
        prepared++;
        return context.cloud.systems.length;
      },
      judge: (system, count) => (system.level === 1 ? doesNotApply('level one') : judged([], `one of ${count}`)),
    });
    expect(prepared).toBe(1);
    results.forEach((result, i) => {
      const system = prod.context.cloud.systems[i];
      expect(result.subject).toBe(system.node.path);
      expect(result.message).toBe(system.level === 1 ? 'level one' : `one of ${prod.context.cloud.systems.length}`);
    });
  });

  it('gives no results for a cloud without systems', () => {
    const empty = fixture({ ...structuredClone(prod.input), systems: [] }, { render: false });
    expect(perSystem({ judge: () => judged(['never'], '') })(empty.context)).toEqual([]);
  });
});

describe('NDC-LVL-001 explanation', () => {
  it('states for each level the zones the check requires of it', () => {
    const explained = zonesRequired.explanation;
    expect(explained).toMatch(/^Levels 1-2 need internal-server, edge and dmz zones; level 3 adds database and management zones; levels 4-5 add a device-management zone\. /);
    // Whatever the wording, every zone a level requires is named at or before that level's clause.
    for (const level of [1, 2, 3, 4, 5] as const) {
      const clause = explained.split('; ').findIndex((part) => new RegExp(`\\blevels? (\\d-)?${level}\\b|\\b${level}-\\d\\b`, 'i').test(part));
      const upTo = explained.split('; ').slice(0, clause + 1).join('; ');
      for (const zone of requirementsFor(level).zones) expect([level, upTo.includes(zone)]).toEqual([level, true]);
    }
  });
});

describe('NDC-SEG-007 port coverage (Port.within)', () => {
  let prodRendered: Fixture;
  beforeAll(() => {
    prodRendered = variant('prod', () => undefined);
  });
  const failedWith = (edit: (rule: Record<string, unknown>) => void) =>
    failures(
      securityGroupsMatchFlows,
      withTerraform(prodRendered, 'cluster-north', (c) => edit(c.resource.openstack_networking_secgroup_rule_v2['population-db-dbfw-ingress-2-0'])),
    ).map((r) => r.message);

  it('accepts a range inside the flow and refuses another protocol, a missing range or an inverted one', () => {
    expect(failedWith(() => undefined)).toEqual([]);
    expect(failedWith((r) => (r.protocol = 'udp'))).toEqual([expect.stringContaining('ingress udp/5432 from internal-server on tier dbfw (database) in north matches no flow')]);
    expect(failedWith((r) => delete r.port_range_max)).toEqual([expect.stringContaining('ingress tcp/5432-* from internal-server')]);
    expect(failedWith((r) => delete r.protocol)).toEqual([expect.stringContaining('ingress any from internal-server')]);
    expect(failedWith((r) => ((r.port_range_min = 5433), (r.port_range_max = 5432)))).toEqual([expect.stringContaining('ingress tcp/5433-5432 from internal-server')]);
  });
});
