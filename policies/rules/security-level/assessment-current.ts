import { vn2016 } from '../support';
import { evidenceIntervalRule } from '../evidence-interval';

export const assessmentCurrent = evidenceIntervalRule({
  id: 'NDC-LVL-008',
  version: 2,
  kind: 'assessment',
  title: 'The latest security assessment (evidence record) is within the level\'s interval (24/24/12/12/6 months) and did not fail',
  family: 'security-level',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Decree 85/2016/ND-CP, Article 20 (periodic inspection and assessment); Circular 12/2022/TT-BTTTT'),
  explanation: 'Each system is assessed periodically: every 2 years at levels 1-2, every year at levels 3-4 and every 6 months at level 5. A system whose last assessment is older than that, or failed, may not stay in operation unassessed.',
  remediation: 'Have the system assessed and add an evidence record of kind "assessment" under evidence/<env>/ (performed, by, result, document sha256, validUntil).',
});
