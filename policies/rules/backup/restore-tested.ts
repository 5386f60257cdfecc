import { vn2016 } from '../support';
import { evidenceIntervalRule } from '../evidence-interval';

export const restoreTested = evidenceIntervalRule({
  id: 'NDC-BAK-005',
  version: 2,
  kind: 'restore-test',
  title: 'Restores are tested within the level\'s interval (12/12/6 months at levels 1-3, ndc policy; 6 months at level 4 and a quarter at level 5, reported 2026)',
  family: 'backup',
  severity: 'medium',
  enforcement: 'mandatory',
  regulation: vn2016('Levels 4-5: reported 2026 figures (every 6 months / every quarter), not yet checked against the official text; levels 1-3: ndc policy'),
  explanation: 'A backup that was never restored is a hope, not a control. Every system with backups records its restore tests as evidence; the latest must be recent enough for its level and must not have failed.',
  remediation: 'Run a restore test and add an evidence record of kind "restore-test" under evidence/<env>/.',
  // Levels 3-5 always have a central backup plan (a default one when the file gives none).
  applies: (system) => (system.backup ? true : `level ${system.level}: no backup plan`),
});
