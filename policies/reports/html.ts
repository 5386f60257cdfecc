import type { SourceMap } from '../../environments/source-map';
import type { Finding, PolicyReport } from '../engine';
import { anchorOf, artifactLineFinder, controlMatrix, families, locationOf, profileLines, SEVERITIES, severityCounts, showLocation, verdictLine } from './common';
import { renderDiagram, type Diagram } from './diagram';
import { canonicalJson, sha256 } from '../../core/canonical-json';
import { escapeHtml as h } from './escape';
import { DIAGRAM_LIMITS, type CloudPicture } from './topology';
import { maskFoundSecrets } from '../rules/secrets/mask';

/** Approval status per system, from the approvals and the trust store (the gate's view), when the report is built with them. */
export interface ReportApprovals {
  readonly operation: 'deploy' | 'destroy';
  /** "trust store version 3", or why no trust store is in force. */
  readonly trust: string;
  readonly systems: readonly {
    readonly id: string;
    readonly required: readonly string[];
    readonly counted: readonly { readonly role: string; readonly reviewer: string; readonly expires: string }[];
    readonly missing: readonly string[];
  }[];
}

/** What changed since the last approval, per scope (a system, or `platform`), as `ndc diff` computes it. */
export interface ChangeSinceApproval {
  /** What the change is measured against: "approved digest 1a2b...", a digest or a git ref. */
  readonly against: string;
  /** Why no comparison is shown (no approved state yet, an unreadable one), in place of the scopes. */
  readonly note?: string;
  readonly scopes: readonly {
    readonly scope: string;
    readonly level?: number;
    /** How the scope's reachability lines changed (stacks/reach.ts), when they did. */
    readonly reach?: { readonly added: readonly string[]; readonly removed: readonly string[] };
    readonly added: readonly string[];
    readonly removed: readonly string[];
    readonly changed: readonly { readonly address: string; readonly attributes: readonly string[] }[];
    /** Approvals this change voids (reviewer and role). */
    readonly approvalsVoided: readonly string[];
    /** Roles that must sign again. */
    readonly mustSign: readonly string[];
  }[];
}

/** Everything beyond the policy report that the HTML report shows; each part is optional and the report says when it is absent. */
export interface HtmlReportInputs {
  /** The environment file findings point at. */
  readonly source?: string;
  /** Where the environment defines each system (file:line in the failures list). */
  readonly locations?: SourceMap;
  /** Reads a synthesized artifact (a path relative to the project root), to give artifact findings their line. */
  readonly readArtifact?: (file: string) => string | undefined;
  /** Inventory and diagrams, from the model (policies/reports/topology.ts). */
  readonly picture?: CloudPicture;
  readonly approvals?: ReportApprovals;
  /** The reachability section, rendered by policies/network from the artifacts. */
  readonly reachability?: string;
  readonly change?: ChangeSinceApproval;
  /** The source commit the report was built from. */
  readonly commit?: string;
  /**
   * Diagrams laid out before, by a sha256 of what they draw (the layout is deterministic): the command
   * line keeps them under .ndc/cache/diagrams, so an unchanged cloud is not laid out again.
   */
  readonly diagrams?: DiagramCache;
}

export interface DiagramCache {
  get(key: string): string | undefined;
  set(key: string, svg: string): void;
}

/** The diagram cache's key of a diagram drawn under `id`; the cache names its file with the drawing sources too (report-inputs.ts diagramCache). */
export function diagramKey(diagram: Diagram, id: string): string {
  return sha256(canonicalJson({ id, diagram }));
}

/** The diagrams the report draws of a picture, each with the id it is drawn under. */
export function diagramsOf(picture: CloudPicture): { readonly diagram: Diagram; readonly id: string }[] {
  return [
    { diagram: picture.national, id: 'diagram-national' },
    ...picture.clusters.map((c) => ({ diagram: c.diagram, id: `diagram-cluster-${c.id}` })),
    ...[...picture.systems].map(([system, diagram]) => ({ diagram, id: `diagram-system-${system}` })),
  ];
}

/** The SVG of one diagram, from the cache when the same diagram under the same id was laid out before. */
function diagramSvg(inputs: HtmlReportInputs, diagram: Diagram, id: string): string {
  if (!inputs.diagrams) return renderDiagram(diagram, id);
  const key = diagramKey(diagram, id);
  const cached = inputs.diagrams.get(key);
  if (cached !== undefined) return cached;
  const svg = renderDiagram(diagram, id);
  inputs.diagrams.set(key, svg);
  return svg;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#1b1f24}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}code{font-size:.9em;word-break:break-all}
nav.toc{margin:.8rem 0;font-size:.95em;display:flex;flex-wrap:wrap;gap:.2rem .9rem}nav.toc a{white-space:nowrap}
.verdict{font-size:1.1rem;font-weight:600;padding:.6rem 1rem;border-radius:6px}
.ok{background:#dafbe1;color:#116329}.bad{background:#ffebe9;color:#82071e}
.failed{background:#ffebe9}.waived{background:#fff8c5}.passed{background:#dafbe1}.none{color:#8c959f}
td.failed a,td.waived a,td.passed a{color:inherit;font-weight:600}
.sev-critical{color:#82071e;font-weight:700}.sev-high{color:#bc4c00;font-weight:600}
.meta td:first-child{width:14rem;font-weight:600}small{color:#57606a}
ol.failures{padding-left:1.6rem}ol.failures>li{margin:.6rem 0;padding:.5rem .7rem;border-left:4px solid #cf222e;background:#fff5f5}
ol.failures>li.advisory{border-left-color:#bf8700;background:#fffbea}
ol.failures .what{margin:.2rem 0}ol.failures .fix,ol.failures .where{margin:.15rem 0;font-size:.95em}
.figure{overflow-x:auto;border:1px solid #d0d7de;border-radius:6px;margin:.6rem 0;padding:.4rem;background:#fff}
.figure svg{display:block;max-width:100%;height:auto}
section.system{margin-top:2rem;border-top:3px solid #d0d7de}
details{margin:.4rem 0}summary{cursor:pointer;color:#0969da}
.missing{color:#82071e;font-weight:600}.complete{color:#116329;font-weight:600}
@media print{
  body{font-size:9.5pt;max-width:none;margin:0;padding:0}
  nav.toc{display:none}
  a{color:inherit;text-decoration:none}
  h2,h3{break-after:avoid}
  tr,ol.failures>li,.figure{break-inside:avoid}
  section.system{break-before:page;border-top:none}
  .figure{overflow:visible;border:none;padding:0}
  .figure svg{max-width:100%;height:auto}
  details>summary{color:inherit}
  th{background:#eee !important;-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .failed,.waived,.passed,.verdict,ol.failures>li{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`;

const STATUS_LABEL: Record<Finding['status'], string> = { fail: 'failed', waived: 'waived', pass: 'passed', 'not-applicable': 'not applicable' };
/** Failures first (mandatory, then advisory), then waived, then passed. */
const ORDER = (f: Finding) => (f.status === 'fail' ? (f.enforcement === 'mandatory' ? 0 : 1) : f.status === 'waived' ? 2 : 3);
const byOrder = (list: readonly Finding[]) => list.map((f, i) => ({ f, i })).sort((a, b) => ORDER(a.f) - ORDER(b.f) || a.i - b.i).map(({ f }) => f);
const systemAnchor = (id: string) => `system-${id || 'cloud'}`;

/**
 * A self-contained HTML report: inline CSS and SVG, no scripts, no external URL, so it opens offline and
 * prints by system. Top to bottom: verdict and failures, inventory, diagrams, a section per system, the
 * control matrix, reachability, the change since the last approval, overrides, exceptions, rules.
 */
export function htmlReport(report: PolicyReport, inputs: HtmlReportInputs = {}): string {
  const source = inputs.source ?? `environments/${report.env}.ts`;
  const ok = report.mandatoryFailures === 0;
  const fams = families(report);
  const counts = severityCounts(report);
  const matrix = controlMatrix(report);
  const rules = new Map(report.rules.map((r) => [r.id, r]));
  const names = new Map(report.systems.map((s) => [s.id, s.name]));
  const lineIn = inputs.readArtifact ? artifactLineFinder(inputs.readArtifact) : undefined;
  const where = (f: Finding) => showLocation(locationOf(report, f, source, inputs.locations, lineIn));
  const out: string[] = [];
  out.push('<!DOCTYPE html>', '<html lang="en">', '<head>', '<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">');
  out.push(`<title>Policy report: ${h(report.env)}</title>`, `<style>${CSS}</style>`, '</head>', '<body>');
  out.push(`<h1>Policy report: ${h(report.env)} (${h(report.stage)})</h1>`);
  out.push(`<p class="verdict ${ok ? 'ok' : 'bad'}" id="verdict">${h(verdictLine(report))}</p>`);
  out.push('<table class="meta">');
  out.push(`<tr><td>Regulation profile</td><td><code>${h(report.profile.name)}</code> ${h(report.profile.version)}: ${h(report.profile.title)}${report.profile.status === 'reported' ? ' <strong>reported</strong>' : ''}</td></tr>`);
  for (const line of profileLines(report).reported) out.push(`<tr><td>Reported figure</td><td>${h(line)}</td></tr>`);
  out.push(`<tr><td>As of</td><td>${h(report.asOf)}</td></tr>`);
  out.push(`<tr><td>Environment file</td><td><code>${h(source)}</code></td></tr>`);
  out.push(`<tr><td>Commit</td><td>${inputs.commit ? `<code>${h(inputs.commit)}</code>` : 'not recorded (not built from a git checkout)'}</td></tr>`);
  out.push(`<tr><td>Manifest digest</td><td><code>${h(report.manifestDigest)}</code></td></tr>`);
  out.push(`<tr><td>Policy digest</td><td><code>${h(report.policyDigest)}</code></td></tr>`);
  out.push('</table>');
  const systemRows = [...report.systems.map((s) => s.id), ''];
  out.push(
    `<nav class="toc"><a href="#failures">Failures</a><a href="#inventory">Inventory</a><a href="#topology">Topology</a>${systemRows.map((id) => `<a href="#${systemAnchor(id)}">${h(id || 'cloud-wide')}</a>`).join('')}<a href="#matrix">Control matrix</a>${inputs.reachability ? '<a href="#reachability">Reachability</a>' : ''}<a href="#change">Change since approval</a><a href="#rules">Rules</a></nav>`,
  );

  // 1. What must be fixed, with the fix and where.
  const failures = byOrder(report.findings.filter((f) => f.status === 'fail'));
  out.push(`<h2 id="failures">Failures (${report.mandatoryFailures} mandatory, ${report.advisoryFailures} advisory)</h2>`);
  if (failures.length === 0) out.push('<p class="ok verdict">No failed finding: every rule in force passes or is waived.</p>');
  else {
    out.push('<ol class="failures">');
    for (const f of failures) {
      const rule = rules.get(f.ruleId);
      const system = f.systemId ? `${names.get(f.systemId) ?? f.systemId} (<code>${h(f.systemId)}</code>)` : 'cloud-wide';
      out.push(
        `<li class="failure ${f.enforcement}" data-rule="${h(f.ruleId)}"${f.systemId ? ` data-system="${h(f.systemId)}"` : ''}>`,
        `<div><strong><a href="#rule-${h(f.ruleId)}">${h(f.ruleId)}</a></strong> <span class="sev-${f.severity}">${f.severity}</span>, ${f.enforcement}: ${h(f.title)}</div>`,
        `<div class="what">${system}: <code>${h(f.subject)}</code>: ${h(f.message)}</div>`,
        `<div class="fix"><strong>How to fix:</strong> ${h(rule?.remediation ?? '')}</div>`,
        `<div class="where"><strong>Where:</strong> <code>${h(where(f))}</code></div>`,
        '</li>',
      );
    }
    out.push('</ol>');
  }
  const waived = report.findings.filter((f) => f.status === 'waived');
  if (waived.length > 0) {
    out.push(`<p><small>${waived.length} waived finding(s), by the exceptions below:</small></p>`, '<table><tr><th>rule</th><th>system</th><th>subject</th><th>finding</th><th>exception</th></tr>');
    for (const f of waived) out.push(`<tr class="waived"><td>${h(f.ruleId)}</td><td>${h(f.systemId ?? 'cloud-wide')}</td><td><code>${h(f.subject)}</code></td><td>${h(f.message)}</td><td><a href="#exception-${f.waivedBy}">exception</a></td></tr>`);
    out.push('</table>');
  }

  out.push('<h2 id="summary">Summary by severity</h2>', '<table><tr><th>severity</th><th>mandatory failures</th><th>advisory failures</th><th>waived</th><th>passed</th></tr>');
  for (const s of SEVERITIES) out.push(`<tr><td class="sev-${s}">${s}</td><td>${counts[s].mandatory}</td><td>${counts[s].advisory}</td><td>${counts[s].waived}</td><td>${counts[s].passed}</td></tr>`);
  out.push('</table>');

  // 2. What is being approved: systems, owners, levels, placement, approvals, assessments.
  out.push(...inventorySection(report, inputs));

  // 3. The picture.
  out.push('<h2 id="topology">Topology</h2>');
  if (!inputs.picture) out.push('<p>Not drawn: the report was built without the cloud model.</p>');
  else {
    out.push('<p><small>Boxes are network zones (with their address block and the tiers placed there) inside each cluster and each level 4-5 system\'s dedicated network; arrows are the flows the model allows (everything else is denied); red marks a system with a failed finding.</small></p>');
    out.push(`<div class="figure">${diagramSvg(inputs, inputs.picture.national, 'diagram-national')}</div>`);
    for (const c of inputs.picture.clusters) out.push(`<h3 id="cluster-${h(c.id)}">Cluster ${h(c.name)}</h3>`, `<div class="figure">${diagramSvg(inputs, c.diagram, `diagram-cluster-${c.id}`)}</div>`);
  }

  // 4. One section per system, then the cloud-wide findings, each printed on its own pages.
  for (const row of matrix) {
    const id = row.row;
    out.push(`<section class="system" id="${systemAnchor(id)}">`, `<h2>${id ? `System: ${h(row.label)}` : 'Cloud-wide: clusters, artifacts, platform'}</h2>`);
    const entry = inputs.picture?.inventory.find((s) => s.id === id);
    if (entry) out.push(`<p>${h(entry.id)}: owner ${h(entry.ownerAgency)}; level ${entry.level}; ${h(entry.classification)}${entry.personalData ? ', personal data' : ''}; primary ${h(entry.primary)}${entry.recovery ? `, recovery ${h(entry.recovery)}` : ''}; ${h(entry.isolation)} isolation; zones ${h(entry.zones.join(', '))}.</p>`);
    const diagram = id ? inputs.picture?.systems.get(id) : undefined;
    if (diagram) out.push(`<div class="figure">${diagramSvg(inputs, diagram, `diagram-system-${id}`)}</div>`);
    else if (id && inputs.picture) out.push(`<p><small>No diagram of its own: the cloud has more than ${DIAGRAM_LIMITS.systemDiagrams} systems; its zones are in the diagram of cluster ${h(entry?.primary ?? '')}.</small></p>`);
    const own = report.findings.filter((f) => (f.systemId ?? '') === id && f.status !== 'not-applicable');
    const open = byOrder(own.filter((f) => f.status === 'fail' || f.status === 'waived'));
    const anchored = new Set<string>();
    const anchor = (f: Finding) => {
      const key = anchorOf(id, f.family);
      if (anchored.has(key)) return '';
      anchored.add(key);
      return ` id="${key}"`;
    };
    if (open.length === 0) out.push(`<p>No failed or waived finding${own.length ? ` (${own.length} passed)` : ''}.</p>`);
    else {
      out.push('<table><tr><th>status</th><th>rule</th><th>severity</th><th>enforcement</th><th>subject</th><th>finding</th><th>how to fix</th></tr>');
      for (const f of open) {
        const waiver = f.waivedBy !== undefined ? ` <a href="#exception-${f.waivedBy}">(exception)</a>` : '';
        out.push(`<tr class="${STATUS_LABEL[f.status]}"${anchor(f)}><td>${STATUS_LABEL[f.status]}${waiver}</td><td><a href="#rule-${h(f.ruleId)}">${h(f.ruleId)}</a></td><td class="sev-${f.severity}">${f.severity}</td><td>${f.enforcement}</td><td><code>${h(f.subject)}</code></td><td>${h(f.message)}</td><td>${h(f.status === 'fail' ? (rules.get(f.ruleId)?.remediation ?? '') : '')}</td></tr>`);
      }
      out.push('</table>');
    }
    for (const c of row.cells) {
      const passed = own.filter((f) => f.family === c.family && f.status === 'pass');
      if (passed.length === 0) continue;
      out.push(`<details class="passed-rows"${anchor(passed[0])}><summary>${h(c.family)}: ${passed.length} passed</summary>`, '<table><tr><th>rule</th><th>severity</th><th>enforcement</th><th>subject</th><th>finding</th></tr>');
      for (const f of passed) out.push(`<tr><td><a href="#rule-${h(f.ruleId)}">${h(f.ruleId)}</a></td><td class="sev-${f.severity}">${f.severity}</td><td>${f.enforcement}</td><td><code>${h(f.subject)}</code></td><td>${h(f.message)}</td></tr>`);
      out.push('</table>', '</details>');
    }
    out.push('</section>');
  }

  out.push('<h2 id="matrix">Control matrix</h2>', '<p><small>One row per information system, one column per control family; a cell links to its findings.</small></p>');
  out.push(`<table><tr><th>system</th>${fams.map((f) => `<th>${h(f)}</th>`).join('')}</tr>`);
  for (const row of matrix) {
    const cells = row.cells.map((c) => (c.status === 'none' ? '<td class="none">-</td>' : `<td class="${c.status}"><a href="#${anchorOf(row.row, c.family)}">${c.status}</a> <small>(${c.passed} passed${c.failed ? `, ${c.failed} failed` : ''}${c.waived ? `, ${c.waived} waived` : ''})</small></td>`));
    out.push(`<tr><td>${h(row.label)}</td>${cells.join('')}</tr>`);
  }
  out.push('</table>');

  // Rendered outside the report (reachability, from the artifacts); a secret the rules found is masked there too.
  if (inputs.reachability) out.push(maskFoundSecrets(report, inputs.reachability));
  else out.push('<h2 id="reachability">Reachability</h2>', '<p>Not computed: the report was built without the synthesized artifacts (<code>ndc reach</code> computes it).</p>');
  out.push(...changeSection(inputs.change));

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

  out.push('<h2 id="rules">Rules in force</h2>');
  for (const r of report.rules) {
    out.push(`<h3 id="rule-${h(r.id)}">${h(r.id)}: ${h(r.title)}</h3>`);
    out.push(`<p><small>${h(r.pack)} pack, ${h(r.family)}, severity <span class="sev-${r.severity}">${r.severity}</span>, ${h(r.enforcement)}${r.enforcement !== r.defaultEnforcement ? ` (default ${h(r.defaultEnforcement)})` : ''}, version ${r.version}; ${h(r.regulation.profile)}: ${h(r.regulation.reference)}${r.regulation.status === 'reported' ? ' <strong>reported</strong>' : ''}</small></p>`);
    out.push(`<p>${h(r.explanation)}</p>`, `<p><strong>Remediation:</strong> ${h(r.remediation)}</p>`);
  }
  out.push('</body>', '</html>');
  return `${out.join('\n')}\n`;
}

function inventorySection(report: PolicyReport, inputs: HtmlReportInputs): string[] {
  const out = ['<h2 id="inventory">System inventory</h2>'];
  const approvals = inputs.approvals;
  out.push(
    approvals
      ? `<p><small>Approval status for ${h(approvals.operation)} of this manifest digest, per required role (${h(approvals.trust)}).</small></p>`
      : '<p><small>Approval status: not evaluated (the report was built without the approvals and the trust store; <code>ndc approvals</code> shows it).</small></p>',
  );
  const inventory = inputs.picture?.inventory;
  if (!inventory) {
    out.push('<table><tr><th>id</th><th>name</th><th>level</th></tr>');
    for (const s of report.systems) out.push(`<tr><td><a href="#${systemAnchor(s.id)}">${h(s.id)}</a></td><td>${h(s.name)}</td><td>${s.level}</td></tr>`);
    out.push('</table>');
    return out;
  }
  out.push('<table class="inventory"><tr><th>id</th><th>name</th><th>owner agency</th><th>level</th><th>primary</th><th>recovery</th><th>approval status per role</th><th>assessment due</th></tr>');
  for (const s of inventory) {
    const status = approvals?.systems.find((a) => a.id === s.id);
    const approval = !approvals
      ? 'not evaluated'
      : !status
        ? '<span class="missing">not in the gate\'s view</span>'
        : [
            ...status.counted.map((c) => `<span class="complete">${h(c.role)}: approved by ${h(c.reviewer)} (expires ${h(c.expires)})</span>`),
            ...status.missing.map((role) => `<span class="missing">${h(role)}: missing</span>`),
          ].join('<br>') || 'none required';
    const due = s.assessment
      ? `<span class="${s.assessment.overdue ? 'missing' : ''}">${h(s.assessment.due)}${s.assessment.overdue ? ' (overdue)' : ''}</span><br><small>last ${h(s.assessment.lastAssessed)} by ${h(s.assessment.assessor)}; every ${s.assessment.everyMonths} months</small>`
      : `<span class="missing">no dated assessment</span><br><small>every ${s.assessmentEveryMonths} months</small>`;
    out.push(`<tr><td><a href="#${systemAnchor(s.id)}">${h(s.id)}</a></td><td>${h(s.name)}</td><td>${h(s.ownerAgency)}</td><td>${s.level}</td><td>${h(s.primary)}</td><td>${h(s.recovery ?? 'none')}</td><td>${approval}</td><td>${due}</td></tr>`);
  }
  out.push('</table>');
  return out;
}

function changeSection(change: ChangeSinceApproval | undefined): string[] {
  const out = ['<h2 id="change">Change since the last approval</h2>'];
  if (!change) {
    out.push('<p>Not computed for this report (<code>ndc diff</code> computes it against the approved digest).</p>');
    return out;
  }
  if (change.note !== undefined) {
    out.push(`<p>${h(change.note)}</p>`);
    return out;
  }
  out.push(`<p>Against ${h(change.against)}: ${change.scopes.length} scope(s) changed.</p>`);
  if (change.scopes.length === 0) return out;
  out.push('<table><tr><th>scope</th><th>added</th><th>removed</th><th>changed (attributes)</th><th>approvals voided</th><th>must sign</th></tr>');
  const list = (items: readonly string[]) => (items.length ? items.map((i) => `<code>${h(i)}</code>`).join('<br>') : '-');
  for (const s of change.scopes) {
    const reach = [...(s.reach?.added ?? []).map((l) => `+ reach: ${l}`), ...(s.reach?.removed ?? []).map((l) => `- reach: ${l}`)];
    const changedItems = [...s.changed.map((c) => `<code>${h(c.address)}</code>${c.attributes.length ? ` (${h(c.attributes.join(', '))})` : ''}`), ...reach.map((l) => `<code>${h(l)}</code>`)];
    const changed = changedItems.length ? changedItems.join('<br>') : '-';
    out.push(`<tr><td>${h(s.scope)}${s.level !== undefined ? ` (level ${s.level})` : ''}</td><td>${list(s.added)}</td><td>${list(s.removed)}</td><td>${changed}</td><td>${h(s.approvalsVoided.join(', ') || '-')}</td><td>${h(s.mustSign.join(', ') || '-')}</td></tr>`);
  }
  out.push('</table>');
  return out;
}
