import type { Rule } from '../../rule';
import { notApplicable, VN_2016, verdict } from '../support';

export const backupCopiesNational: Rule = {
  id: 'NDC-RES-002',
  title: 'Backup copies of level 3+ systems and of personal data are kept only in the national clusters',
  family: 'residency',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: { profile: VN_2016, reference: 'Decision 2629/QD-TTg; Decree 13/2023/ND-CP (personal data); Decree 53/2022/ND-CP (data localisation)' },
  explanation: 'A backup is the data. Copies of data that must stay in the national clusters must stay there too.',
  remediation: 'Point every backup copy (backup.copies[].region) at a national cluster.',
  check({ cloud }) {
    return cloud.systems.map((system) => {
      if (!(system.level >= 3 || system.personalData)) return notApplicable(system.node.path, `level ${system.level} without personal data`, system.id);
      if (!system.backup) return notApplicable(system.node.path, 'no backup plan', system.id);
      const foreign = system.backup.copies.filter((c) => !c.cluster.national);
      return verdict(system, foreign.map((c) => `backup copy (${c.medium}) in ${c.cluster.id}, not a national cluster`), `${system.backup.copies.length} backup copies, all in national clusters`);
    });
  },
};
