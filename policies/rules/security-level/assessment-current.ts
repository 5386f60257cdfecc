import type { Rule } from '../../rule';
import { requirementsFor } from '../../../constructs';
import { isoDay, nextDue, vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

export const assessmentCurrent: Rule = {
  id: 'NDC-LVL-008',
  title: 'The latest dated security assessment is within the level\'s interval (24/24/12/12/6 months)',
  family: 'security-level',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Decree 85/2016/ND-CP, Article 20 (periodic inspection and assessment); Circular 12/2022/TT-BTTTT'),
  explanation: 'Each system is assessed periodically: every 2 years at levels 1-2, every year at levels 3-4 and every 6 months at level 5. A system whose last assessment is older than that may not stay in operation unassessed.',
  remediation: 'Have the system assessed and record assessment.lastAssessed (YYYY-MM-DD) and the assessor in the environment file.',
  check: perSystem({
    prepare: ({ asOf }) => isoDay(asOf),
    judge(system, today) {
      const months = requirementsFor(system.level).assessmentMonths;
      if (!system.assessment) return judged([`no dated security assessment (level ${system.level} needs one every ${months} months)`], '');
      const { lastAssessed, assessor } = system.assessment;
      const { due, overdue } = nextDue(lastAssessed, months, today);
      const problems = lastAssessed > today ? [`assessment date ${lastAssessed} is after ${today}`] : overdue ? [`last assessed ${lastAssessed}, overdue since ${due} (every ${months} months at level ${system.level})`] : [];
      return judged(problems, `assessed ${lastAssessed} by ${assessor}; next due ${due}`);
    },
  }),
};
