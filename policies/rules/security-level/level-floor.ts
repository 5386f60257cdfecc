import type { Rule } from '../../rule';
import { profileOf, vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

export const levelFloor: Rule = {
  id: 'NDC-LVL-011',
  title: 'A system is at least at the level the regulation assigns to what it processes or serves',
  family: 'security-level',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('Decree 85/2016/ND-CP art. 7-11 (criteria for levels 1-5)'),
  explanation:
    'The decree fixes the lowest level of some systems by what they process or serve: state-secret data (classification secret), a national e-government service operated 24/7, shared national infrastructure (levelCriteria). A system declared below that level gets too few controls and too few approvers.',
  remediation: 'Raise the system\'s level to the one cited (and meet that level\'s controls), or correct its classification or levelCriteria if they are wrong.',
  check: perSystem({
    prepare: (context) => ({ floors: profileOf(context).levelFloors, configs: new Map(context.env.systems.map((s) => [s.id, s])) }),
    judge(system, { floors, configs }) {
      const config = configs.get(system.id);
      const applying = floors.filter((f) => ('classification' in f.when ? system.classification === f.when.classification : (config?.levelCriteria ?? []).includes(f.when.criterion)));
      const problems = applying
        .filter((f) => system.level < f.minLevel)
        .map((f) => `${'classification' in f.when ? `${f.when.classification} data` : f.when.criterion} needs level ${f.minLevel} or above (${f.citation.instrument} ${f.citation.article}${f.citation.status === 'reported' ? ', reported' : ''}); the system is level ${system.level}`);
      const highest = applying.reduce((max, f) => Math.max(max, f.minLevel), 1);
      return judged(problems, applying.length ? `level ${system.level}, at least the ${highest} its ${applying.map((f) => ('classification' in f.when ? `${f.when.classification} data` : f.when.criterion)).join(' and ')} require` : `level ${system.level}; no level floor applies`);
    },
  }),
};
