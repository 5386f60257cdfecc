import type { Rule } from '../../rule';
import { requirementsFor } from '../../../constructs';
import { isoDay, nextDue, vn2016 } from '../support';
import { doesNotApply, judged, perSystem } from '../per-system';

export const restoreTested: Rule = {
  id: 'NDC-BAK-005',
  title: 'Restores are tested every 6 months at level 4 and every quarter at level 5',
  family: 'backup',
  severity: 'medium',
  // Reported for the 2026 profile and still to be confirmed: advisory until it is.
  enforcement: 'advisory',
  regulation: vn2016('Reported 2026 profile (restore tests), to confirm before enforcing'),
  explanation: 'A backup that was never restored is a hope, not a control. Levels 4 and 5 record the date of their last successful restore test, at most 6 and 3 months old.',
  remediation: 'Run a restore test and record backup.lastRestoreTest (YYYY-MM-DD).',
  check: perSystem({
    prepare: ({ asOf }) => isoDay(asOf),
    judge(system, today) {
      const months = requirementsFor(system.level).restoreTestMonths;
      if (months === undefined) return doesNotApply(`level ${system.level}: no restore-test interval`);
      const last = system.backup?.lastRestoreTest;
      if (!last) return judged([`no restore test recorded (every ${months} months at level ${system.level})`], '');
      const { due, overdue } = nextDue(last, months, today);
      return judged(overdue ? [`last restore test ${last}, overdue since ${due}`] : [], `restore tested ${last}; next due ${due}`);
    },
  }),
};
