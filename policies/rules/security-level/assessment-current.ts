import type { Rule } from '../../rule';
import { requirementsFor } from '../../../constructs';
import { addMonths, isoDay, vn2016 } from '../support';
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
    judge(system, _prepared, { asOf }) {
      const today = isoDay(asOf);
      const months = requirementsFor(system.level).assessmentMonths;
      if (!system.assessment) return judged([`no dated security assessment (level ${system.level} needs one every ${months} months)`], '');
      const due = addMonths(system.assessment.lastAssessed, months);
      const problems = system.assessment.lastAssessed > today ? [`assessment date ${system.assessment.lastAssessed} is after ${today}`] : due < today ? [`last assessed ${system.assessment.lastAssessed}, overdue since ${due} (every ${months} months at level ${system.level})`] : [];
      return judged(problems, `assessed ${system.assessment.lastAssessed} by ${system.assessment.assessor}; next due ${due}`);
    },
  }),
};
