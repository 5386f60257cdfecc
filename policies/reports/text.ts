import type { PolicyReport } from '../engine';
import { profileLines, SEVERITIES, severityCounts, verdictLine } from './common';

/** The human summary printed by `ndc check` and `npm start`. */
export function textReport(report: PolicyReport, opts: { verbose?: boolean } = {}): string {
  const lines: string[] = [];
  const rules = report.rules.filter((r) => r.enforcement !== 'disabled');
  lines.push(`Policy check of ${report.env} (${report.stage}) as of ${report.asOf}`);
  const profile = profileLines(report);
  lines.push(`Regulation profile ${profile.profile}`);
  for (const line of profile.reported) lines.push(`  ${line}`);
  lines.push(`Rules in force: ${rules.length} (${rules.filter((r) => r.enforcement === 'mandatory').length} mandatory, ${rules.filter((r) => r.enforcement === 'advisory').length} advisory${report.rules.length > rules.length ? `, ${report.rules.length - rules.length} disabled` : ''})`);
  lines.push(`Manifest digest ${report.manifestDigest}`);
  lines.push(`Policy digest   ${report.policyDigest}`);
  if (report.overrides.length) {
    lines.push('Overrides by the environment:');
    for (const o of report.overrides) lines.push(`  ${o.ruleId}: ${o.from} -> ${o.to}`);
  }
  if (report.exceptions.length) {
    lines.push('Exceptions:');
    for (const e of report.exceptions) lines.push(`  [${e.status}] ${e.rule} ${e.system ? `system ${e.system}` : `resource ${e.resource}`}, granted by ${e.grantedBy}, expires ${e.expires}: ${e.note}`);
  }
  const counts = severityCounts(report);
  lines.push(`Findings: ${report.passed} passed, ${report.mandatoryFailures} mandatory failures, ${report.advisoryFailures} advisory, ${report.waived} waived, ${report.findings.filter((f) => f.status === 'not-applicable').length} not applicable`);
  lines.push(`  by severity (mandatory/advisory failures): ${SEVERITIES.map((s) => `${s} ${counts[s].mandatory}/${counts[s].advisory}`).join(', ')}`);
  const rule = new Map(report.rules.map((r) => [r.id, r]));
  const shown = report.findings.filter((f) => f.status === 'fail' || f.status === 'waived' || (opts.verbose && f.status === 'pass'));
  const order = (f: (typeof shown)[number]) => (f.status === 'fail' ? (f.enforcement === 'mandatory' ? 0 : 1) : f.status === 'waived' ? 2 : 3);
  for (const f of [...shown].sort((a, b) => order(a) - order(b))) {
    const tag = f.status === 'fail' ? (f.enforcement === 'mandatory' ? 'FAIL' : 'WARN') : f.status === 'waived' ? 'WAIVED' : 'ok';
    const reported = rule.get(f.ruleId)?.regulation.status === 'reported' ? ', reported' : '';
    lines.push(`${tag.padEnd(6)} ${f.ruleId} [${f.severity}, ${f.enforcement}${reported}] ${f.subject}: ${f.message}`);
    if (f.status === 'fail') lines.push(`       fix: ${rule.get(f.ruleId)?.remediation ?? ''}`);
  }
  lines.push(verdictLine(report));
  return `${lines.join('\n')}\n`;
}
