import type { PolicyReport } from '../engine';
import { controlMatrix, families, profileLines, SEVERITIES, severityCounts, verdictLine } from './common';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const MARK = { failed: 'failed', waived: 'waived', passed: 'passed', none: '-' } as const;

/** Markdown for pull-request comments and wikis. */
export function markdownReport(report: PolicyReport): string {
  const out: string[] = [];
  out.push(`# Policy report: ${report.env} (${report.stage})`, '');
  out.push(`**${verdictLine(report)}**`, '');
  out.push(`- Regulation profile: \`${report.profile.name}\` ${report.profile.version} (${report.profile.title})${report.profile.status === 'reported' ? ' **reported**' : ''}`);
  for (const line of profileLines(report).reported) out.push(`  - ${cell(line)}`);
  out.push(`- As of: ${report.asOf}`);
  out.push(`- Manifest digest: \`${report.manifestDigest}\``);
  out.push(`- Policy digest: \`${report.policyDigest}\``, '');
  out.push('## Summary by severity', '', '| severity | mandatory failures | advisory failures | waived | passed |', '|---|---:|---:|---:|---:|');
  const counts = severityCounts(report);
  for (const s of SEVERITIES) out.push(`| ${s} | ${counts[s].mandatory} | ${counts[s].advisory} | ${counts[s].waived} | ${counts[s].passed} |`);
  out.push('');
  out.push('## Control matrix', '', `| system | ${families(report).join(' | ')} |`, `|---|${families(report).map(() => '---').join('|')}|`);
  for (const row of controlMatrix(report)) out.push(`| ${cell(row.label)} | ${row.cells.map((c) => MARK[c.status]).join(' | ')} |`);
  out.push('');
  out.push('## Overrides', '');
  if (report.overrides.length === 0) out.push('None: every rule has its default enforcement.');
  else {
    out.push('| rule | default | in this environment |', '|---|---|---|');
    for (const o of report.overrides) out.push(`| ${o.ruleId} | ${o.from} | ${o.to} |`);
  }
  out.push('', '## Exceptions', '');
  if (report.exceptions.length === 0) out.push('None.');
  else {
    out.push('| rule | scope | status | granted by | expires | reason | note |', '|---|---|---|---|---|---|---|');
    for (const e of report.exceptions) out.push(`| ${e.rule} | ${cell(e.system ? `system ${e.system}` : `resource ${e.resource}`)} | ${e.status} | ${cell(e.grantedBy)} | ${e.expires} | ${cell(e.reason)} | ${cell(e.note)} |`);
  }
  out.push('', '## Findings', '');
  const shown = report.findings.filter((f) => f.status === 'fail' || f.status === 'waived');
  if (shown.length === 0) out.push('No failed or waived findings.');
  else {
    out.push('| status | rule | severity | enforcement | subject | finding |', '|---|---|---|---|---|---|');
    for (const f of shown) out.push(`| ${f.status} | ${f.ruleId} | ${f.severity} | ${f.enforcement} | ${cell(f.subject)} | ${cell(f.message)} |`);
  }
  out.push('', '## Rules in force', '', '| rule | title | family | severity | enforcement | regulation |', '|---|---|---|---|---|---|');
  for (const r of report.rules) out.push(`| ${r.id} | ${cell(r.title)} | ${r.family} | ${r.severity} | ${r.enforcement}${r.enforcement !== r.defaultEnforcement ? ` (default ${r.defaultEnforcement})` : ''} | ${cell(r.regulation.reference)}${r.regulation.status === 'reported' ? ' **reported**' : ''} |`);
  return `${out.join('\n')}\n`;
}
