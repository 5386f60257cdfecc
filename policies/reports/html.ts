import type { Finding, PolicyReport } from '../engine';
import { anchorOf, controlMatrix, families, profileLines, SEVERITIES, severityCounts, verdictLine } from './common';
import { escapeHtml as h } from './escape';
import { maskFoundSecrets } from '../rules/secrets/mask';

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1b1f24}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}code{font-size:.9em;word-break:break-all}
.verdict{font-size:1.1rem;font-weight:600;padding:.6rem 1rem;border-radius:6px}
.ok{background:#dafbe1;color:#116329}.bad{background:#ffebe9;color:#82071e}
.failed{background:#ffebe9}.waived{background:#fff8c5}.passed{background:#dafbe1}.none{color:#8c959f}
td.failed a,td.waived a,td.passed a{color:inherit;font-weight:600}
.sev-critical{color:#82071e;font-weight:700}.sev-high{color:#bc4c00;font-weight:600}
.meta td:first-child{width:14rem;font-weight:600}small{color:#57606a}
`;

const STATUS_LABEL: Record<Finding['status'], string> = { fail: 'failed', waived: 'waived', pass: 'passed', 'not-applicable': 'not applicable' };

/** A self-contained HTML report: inline CSS, no scripts, no external URL, so it opens offline. */
export function htmlReport(report: PolicyReport, sections: readonly string[] = []): string {
  const ok = report.mandatoryFailures === 0;
  const fams = families(report);
  const counts = severityCounts(report);
  const matrix = controlMatrix(report);
  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>Policy report: ${h(report.env)}</title>`, `<style>${CSS}</style>`, '</head>', '<body>');
  out.push(`<h1>Policy report: ${h(report.env)} (${h(report.stage)})</h1>`);
  out.push(`<p class="verdict ${ok ? 'ok' : 'bad'}">${h(verdictLine(report))}</p>`);
  out.push('<table class="meta">');
  out.push(`<tr><td>Regulation profile</td><td><code>${h(report.profile.name)}</code> ${h(report.profile.version)}: ${h(report.profile.title)}${report.profile.status === 'reported' ? ' <strong>reported</strong>' : ''}</td></tr>`);
  for (const line of profileLines(report).reported) out.push(`<tr><td>Reported figure</td><td>${h(line)}</td></tr>`);
  out.push(`<tr><td>As of</td><td>${h(report.asOf)}</td></tr>`);
  out.push(`<tr><td>Manifest digest</td><td><code>${h(report.manifestDigest)}</code></td></tr>`);
  out.push(`<tr><td>Policy digest</td><td><code>${h(report.policyDigest)}</code></td></tr>`);
  out.push('</table>');

  out.push('<h2 id="summary">Summary by severity</h2>', '<table><tr><th>severity</th><th>mandatory failures</th><th>advisory failures</th><th>waived</th><th>passed</th></tr>');
  for (const s of SEVERITIES) out.push(`<tr><td class="sev-${s}">${s}</td><td>${counts[s].mandatory}</td><td>${counts[s].advisory}</td><td>${counts[s].waived}</td><td>${counts[s].passed}</td></tr>`);
  out.push('</table>');

  out.push('<h2 id="matrix">Control matrix</h2>', '<p><small>One row per information system, one column per control family; a cell links to its findings.</small></p>');
  out.push(`<table><tr><th>system</th>${fams.map((f) => `<th>${h(f)}</th>`).join('')}</tr>`);
  for (const row of matrix) {
    const cells = row.cells.map((c) => (c.status === 'none' ? '<td class="none">-</td>' : `<td class="${c.status}"><a href="#${anchorOf(row.row, c.family)}">${c.status}</a> <small>(${c.passed} passed${c.failed ? `, ${c.failed} failed` : ''}${c.waived ? `, ${c.waived} waived` : ''})</small></td>`));
    out.push(`<tr><td>${h(row.label)}</td>${cells.join('')}</tr>`);
  }
  out.push('</table>');

  out.push('<h2 id="overrides">Overrides</h2>');
  if (report.overrides.length === 0) out.push('<p>None: every rule has its default enforcement.</p>');
  else {
    out.push('<table><tr><th>rule</th><th>default</th><th>in this environment</th></tr>');
    for (const o of report.overrides) out.push(`<tr><td><a href="#rule-${h(o.ruleId)}">${h(o.ruleId)}</a></td><td>${h(o.from)}</td><td>${h(o.to)}</td></tr>`);
    out.push('</table>');
  }
  out.push('<h2 id="exceptions">Exceptions</h2>');
  if (report.exceptions.length === 0) out.push('<p>None.</p>');
  else {
    out.push('<table><tr><th>rule</th><th>scope</th><th>status</th><th>granted by</th><th>expires</th><th>reason</th><th>note</th></tr>');
    for (const e of report.exceptions) {
      out.push(`<tr id="exception-${report.exceptions.indexOf(e)}"><td>${h(e.rule)}</td><td>${h(e.system ? `system ${e.system}` : `resource ${e.resource}`)}</td><td class="${e.status === 'applied' ? 'waived' : e.status === 'refused' ? 'failed' : 'none'}">${h(e.status)}</td><td>${h(e.grantedBy)}</td><td>${h(e.expires)}</td><td>${h(e.reason)}</td><td>${h(e.note)}</td></tr>`);
    }
    out.push('</table>');
  }

  out.push('<h2 id="findings">Findings</h2>');
  for (const row of matrix) {
    for (const c of row.cells) {
      const list = report.findings.filter((f) => (f.systemId ?? '') === row.row && f.family === c.family && f.status !== 'not-applicable');
      if (list.length === 0) continue;
      out.push(`<h3 id="${anchorOf(row.row, c.family)}">${h(row.label)}: ${h(c.family)}</h3>`);
      out.push('<table><tr><th>status</th><th>rule</th><th>severity</th><th>enforcement</th><th>subject</th><th>finding</th></tr>');
      for (const f of list) {
        const waiver = f.waivedBy !== undefined ? ` <a href="#exception-${f.waivedBy}">(exception)</a>` : '';
        out.push(`<tr class="${STATUS_LABEL[f.status] === 'passed' ? '' : STATUS_LABEL[f.status]}"><td>${STATUS_LABEL[f.status]}${waiver}</td><td><a href="#rule-${h(f.ruleId)}">${h(f.ruleId)}</a></td><td class="sev-${f.severity}">${f.severity}</td><td>${f.enforcement}</td><td><code>${h(f.subject)}</code></td><td>${h(f.message)}</td></tr>`);
      }
      out.push('</table>');
    }
  }

  // Sections other layers render (the reachability matrix and attack paths), before the rule texts.
  // Sections are rendered outside the report (reachability); a secret the rules found is masked there too.
  out.push(...sections.filter((section) => section !== '').map((section) => maskFoundSecrets(report, section)));
  out.push('<h2 id="rules">Rules in force</h2>');
  for (const r of report.rules) {
    out.push(`<h3 id="rule-${h(r.id)}">${h(r.id)}: ${h(r.title)}</h3>`);
    out.push(`<p><small>${h(r.pack)} pack, ${h(r.family)}, severity <span class="sev-${r.severity}">${r.severity}</span>, ${h(r.enforcement)}${r.enforcement !== r.defaultEnforcement ? ` (default ${h(r.defaultEnforcement)})` : ''}, version ${r.version}; ${h(r.regulation.profile)}: ${h(r.regulation.reference)}${r.regulation.status === 'reported' ? ' <strong>reported</strong>' : ''}</small></p>`);
    out.push(`<p>${h(r.explanation)}</p>`, `<p><strong>Remediation:</strong> ${h(r.remediation)}</p>`);
  }
  out.push('</body>', '</html>');
  return `${out.join('\n')}\n`;
}
