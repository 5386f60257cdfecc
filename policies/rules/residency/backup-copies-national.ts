import type { Rule } from '../../rule';
import { vn2016 } from '../support';
import { doesNotApply, judged, perSystem } from '../per-system';

export const backupCopiesNational: Rule = {
  id: 'NDC-RES-002',
  title: 'Backup copies of level 3+ systems and of personal data are kept only in the national clusters',
  family: 'residency',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('ndc policy (data of level 3 and above, and personal data, stays in the national clusters)'),
  explanation: 'A backup is the data. Copies of data that must stay in the national clusters must stay there too.',
  remediation: 'Point every backup copy (backup.copies[].region) at a national cluster.',
  check: perSystem({
    judge(system) {
      if (!(system.level >= 3 || system.personalData)) return doesNotApply(`level ${system.level} without personal data`);
      if (!system.backup) return doesNotApply('no backup plan');
      const foreign = system.backup.copies.filter((c) => !c.cluster.national);
      return judged(foreign.map((c) => `backup copy (${c.medium}) in ${c.cluster.id}, not a national cluster`), `${system.backup.copies.length} backup copies, all in national clusters`);
    },
  }),
};
