import type { Rule } from '../../rule';
import { vn2016 } from '../support';
import { doesNotApply, judged, perSystem } from '../per-system';

const sensitive = (s: { level: number; personalData: boolean }) => s.level >= 3 || s.personalData;

export const nationalClustersOnly: Rule = {
  id: 'NDC-RES-001',
  title: 'Systems of level 3 and up, and systems with personal data, run only in the national clusters',
  family: 'residency',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('ndc policy (data of level 3 and above, and personal data, stays in the national clusters)'),
  explanation: 'Data of level 3 and above, and personal data, stays in Vietnam\'s national data-center clusters: the primary and the recovery cluster must both be national.',
  remediation: 'Move primaryRegion / recoveryRegion to a cluster with national: true.',
  check: perSystem({
    judge(system) {
      if (!sensitive(system)) return doesNotApply(`level ${system.level} without personal data`);
      const foreign = system.clusters.filter((c) => !c.national);
      return judged(foreign.map((c) => `runs in ${c.id} (${c.displayName}), not a national cluster`), `runs only in national clusters (${system.clusters.map((c) => c.id).join(', ')})`);
    },
  }),
};
