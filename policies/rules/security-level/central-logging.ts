import type { Rule } from '../../rule';
import { requirementsFor } from '../../../constructs';
import { vn2016 } from '../support';
import { doesNotApply, judged, perSystem } from '../per-system';

export const centralLogging: Rule = {
  id: 'NDC-LVL-005',
  title: 'Central logging keeps the system\'s logs for at least its level\'s retention (1/3/6/12 months for levels 2-5)',
  family: 'security-level',
  severity: 'medium',
  // The retention figures are reported for the 2026 profile and still to be confirmed: advisory until then.
  enforcement: 'advisory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex (log management); retention reported for the 2026 profile, to confirm'),
  explanation: 'Security logs go to the central SIEM and log archive and are kept long enough to investigate incidents: 1, 3, 6 and 12 months for levels 2, 3, 4 and 5. Level 3 and up also needs the SIEM control.',
  remediation: 'Set logging.retentionMonths to at least the level\'s retention and controls.siem to true for level 3 and up.',
  check: perSystem({
    judge(system) {
      const need = requirementsFor(system.level).logRetentionMonths;
      if (need === 0) return doesNotApply(`level ${system.level}: no retention is set for this level`);
      const problems: string[] = [];
      if (system.logRetentionMonths < need) problems.push(`log retention ${system.logRetentionMonths} months, below the ${need} months level ${system.level} requires`);
      if (system.level >= 3 && !system.controls.siem) problems.push('logs are not sent to the SIEM (controls.siem is not set)');
      return judged(problems, `logs kept ${system.logRetentionMonths} months (level ${system.level} needs ${need})`);
    },
  }),
};
