import type { Rule } from '../../rule';
import { profileOf, vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

export const retentionAndRpo: Rule = {
  id: 'NDC-BAK-004',
  title: 'Backup retention and RPO are declared and within the level\'s bounds',
  family: 'backup',
  severity: 'medium',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex, levels 3-5 (backup and recovery); bounds of the ndc vn-2016 profile'),
  explanation: 'How much data may be lost (recovery point objective) and how long copies are kept are part of the level dossier. The profile bounds them: RPO at most 24 h / 4 h / 1 h and retention at least 90 / 365 / 365 days for levels 3 / 4 / 5.',
  remediation: 'Set backup.rpoHours and backup.retentionDays within the bounds, with a schedule at least as frequent as the RPO.',
  check: perSystem({
    fromLevel: 3,
    prepare: (context) => profileOf(context).parameters,
    judge(system, { maxRpoHours, minRetentionDays }) {
      if (!system.backup) return judged(['no backup plan, so no RPO or retention'], '');
      const level = system.level as 3 | 4 | 5;
      const problems: string[] = [];
      if (system.backup.rpoHours > maxRpoHours[level]) problems.push(`RPO ${system.backup.rpoHours} h exceeds ${maxRpoHours[level]} h for level ${level}`);
      if (system.backup.retentionDays < minRetentionDays[level]) problems.push(`retention ${system.backup.retentionDays} days is below ${minRetentionDays[level]} days for level ${level}`);
      return judged(problems, `RPO ${system.backup.rpoHours} h (max ${maxRpoHours[level]}), retention ${system.backup.retentionDays} days (min ${minRetentionDays[level]})`);
    },
  }),
};
