import type { Rule } from '../../rule';
import { vn2016 } from '../support';
import { evidenceIntervalRule } from '../evidence-interval';

/**
 * Assurance: the recurring activities that show a system's controls still work (penetration tests,
 * vulnerability scans, incident-response drills, risk re-assessment), checked from evidence records
 * against the profile's intervals per level.
 */

export const penetrationTested = evidenceIntervalRule({
  id: 'NDC-ASR-001',
  kind: 'penetration-test',
  title: 'Penetration tests within the level\'s interval (yearly at level 4 and every 6 months at level 5, reported 2026; yearly at level 3, ndc policy)',
  family: 'assurance',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Levels 4-5: reported 2026 figures, not yet checked against the official text; level 3: ndc policy'),
  explanation: 'A penetration test shows whether the controls the level requires stop a real attacker. The latest one must be recent enough for the level and must not have failed (open critical findings).',
  remediation: 'Have the system penetration-tested and add an evidence record of kind "penetration-test" under evidence/<env>/.',
});

export const vulnerabilityScanned = evidenceIntervalRule({
  id: 'NDC-ASR-002',
  kind: 'vulnerability-scan',
  title: 'Vulnerability scans within the level\'s interval (12/6/6/3/3 months, ndc policy)',
  family: 'assurance',
  severity: 'medium',
  enforcement: 'mandatory',
  regulation: vn2016('ndc policy'),
  explanation: 'Known vulnerabilities are the commonest way in. Every system is scanned at least as often as its level requires, and a failed scan (unremediated critical findings) fails the rule.',
  remediation: 'Scan the system and add an evidence record of kind "vulnerability-scan" under evidence/<env>/.',
});

export const incidentDrilled = evidenceIntervalRule({
  id: 'NDC-ASR-003',
  kind: 'incident-drill',
  title: 'Incident-response drills within the level\'s interval (yearly at levels 3-4, every 6 months at level 5, ndc policy)',
  family: 'assurance',
  severity: 'medium',
  enforcement: 'mandatory',
  regulation: vn2016('ndc policy'),
  explanation: 'An incident-response plan nobody rehearsed fails when it is needed. Systems of level 3 and above run a drill at least as often as their level requires.',
  remediation: 'Run an incident-response drill and add an evidence record of kind "incident-drill" under evidence/<env>/.',
});

export const riskReassessed = evidenceIntervalRule({
  id: 'NDC-ASR-004',
  kind: 'risk-assessment',
  title: 'Risk re-assessment within the level\'s interval (24/24/12/12/12 months, ndc policy)',
  family: 'assurance',
  severity: 'medium',
  enforcement: 'mandatory',
  regulation: vn2016('ndc policy'),
  explanation: 'The threats and the system change; its risk assessment is redone at least as often as its level requires so the controls still answer the risks.',
  remediation: 'Re-assess the system\'s risks and add an evidence record of kind "risk-assessment" under evidence/<env>/.',
});

export const pack: Rule[] = [penetrationTested, vulnerabilityScanned, incidentDrilled, riskReassessed];
