import type { Rule } from '../../rule';
import { vn2016 } from '../support';
import { doesNotApply, judged, perSystem } from '../per-system';

export const publicEdgePublicOnly: Rule = {
  id: 'NDC-RES-003',
  title: 'Only public information of level 1-2 without personal data is served from the public edge',
  family: 'residency',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('ndc policy (the public edge carries open data only)'),
  explanation: 'The public edge runs outside the national clusters. It may carry only open data: public classification, level 1-2, no personal data.',
  remediation: 'Set publicEdge to false, or publish only a public, level 1-2 extract without personal data.',
  check: perSystem({
    judge(system) {
      if (!system.publicEdge) return doesNotApply('not served from the public edge');
      const problems: string[] = [];
      if (system.classification !== 'public') problems.push(`classification ${system.classification}, not public`);
      if (system.level >= 3) problems.push(`level ${system.level}`);
      if (system.personalData) problems.push('holds personal data');
      return judged(problems, 'public open data of level 1-2 only');
    },
  }),
};
