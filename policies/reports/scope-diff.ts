import { stableJson } from '../../core/canonical-json';
import type { AttributeChange } from '../../core/json-diff';
import { describeRoles } from '../approvals/requirements';
import type { EnvironmentDiff, ResourceChange, ScopeDiff } from '../approvals/scope-diff';

/** How `ndc diff` prints: text for terminals and CI logs, json (schema ndc/diff/v1), markdown for pull-request comments. */
export const DIFF_FORMATS = ['text', 'json', 'markdown'] as const;
export type DiffFormat = (typeof DIFF_FORMATS)[number];

export function renderDiff(diff: EnvironmentDiff, format: DiffFormat): string {
  if (format === 'json') return stableJson(diff);
  return format === 'markdown' ? markdownDiff(diff) : textDiff(diff);
}

const short = (digest: string | undefined) => (digest === undefined ? '(none)' : `${digest.slice(0, 12)}...`);
const MARK: Record<ResourceChange['change'], string> = { added: '+', removed: '-', changed: '~' };

function baseLine(diff: EnvironmentDiff): string {
  const a = diff.against;
  const when = a.approvedAt ? `, approved ${a.approvedAt}` : '';
  return `${a.source} (digest ${short(a.digest)}${when})`;
}

/** One line per scope: what happened to it and how much. */
function scopeHeadline(s: ScopeDiff): string {
  const level = s.previousLevel !== undefined ? `level ${s.previousLevel} -> ${s.level}` : `level ${s.level}`;
  const what = s.status === 'changed' ? `${s.counts.added} added, ${s.counts.removed} removed, ${s.counts.changed} changed` : s.status === 'added' ? `new scope, ${s.counts.added} resources` : `scope removed, ${s.counts.removed} resources`;
  return `${s.id} (${level}): ${what}; digest ${short(s.digest.from)} -> ${short(s.digest.to)}`;
}

function moved(r: ResourceChange): string {
  return r.movedFrom !== undefined ? ` (moved from ${r.movedFrom})` : r.movedTo !== undefined ? ` (moved to ${r.movedTo})` : '';
}

function attributeText(a: AttributeChange): string {
  const path = a.path === '' ? '(whole resource)' : a.path;
  if (a.from === undefined) return `${path}: ${a.to}`;
  if (a.to === undefined) return `${path}: ${a.from}`;
  return `${path}: ${a.from} -> ${a.to}`;
}

function signLine(s: ScopeDiff): string {
  return s.mustSign.length === 0 ? 'nobody (the scope is gone)' : describeRoles(s.mustSign);
}

function summary(diff: EnvironmentDiff): string {
  const total = diff.scopes.length + diff.unchanged.length;
  if (diff.scopes.length === 0) return `No change: all ${total} scope(s) are as in ${diff.against.source}.`;
  return `${diff.scopes.length} of ${total} scope(s) changed; ${diff.unchanged.length} unchanged (their approvals stand).`;
}

export function textDiff(diff: EnvironmentDiff): string {
  const out: string[] = [];
  out.push(`Diff of ${diff.env}: ${diff.current.source} (digest ${short(diff.current.digest)}) against ${baseLine(diff)}`);
  out.push(summary(diff));
  for (const s of diff.scopes) {
    out.push('', scopeHeadline(s));
    for (const r of s.resources) {
      out.push(`  ${MARK[r.change]} ${r.address}${moved(r)}  [${r.artifact}]`);
      const sign = r.change === 'added' ? '+' : r.change === 'removed' ? '-' : '';
      for (const a of r.attributes) out.push(`      ${sign}${attributeText(a)}`);
    }
    if (s.reachability) {
      if (!s.reachability.recorded) out.push('  reachability changed (one side does not record its lines; only the digests differ)');
      for (const line of s.reachability.removed) out.push(`  - reach: ${line}`);
      for (const line of s.reachability.added) out.push(`  + reach: ${line}`);
    }
    if (s.resources.length === 0) {
      if (s.previousLevel !== undefined) out.push('  no resource changed; the level did');
      else if (s.reachability) out.push('  no resource of it changed; its reachability did (a change elsewhere)');
    }
    out.push(`  voids: ${s.voidedApprovals.length === 0 ? 'no approval on file covered this scope as it was' : s.voidedApprovals.map((v) => `${v.reviewer} as ${v.role} (${v.operation}, ${v.file})`).join('; ')}`);
    out.push(`  must sign again: ${signLine(s)}`);
  }
  return `${out.join('\n')}\n`;
}

const code = (text: string) => {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${fence === '``' ? ' ' : ''}${text}${fence === '``' ? ' ' : ''}${fence}`;
};
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** A pull-request comment has a size limit (65,536 characters on GitHub): markdown lists this many per scope and resource. */
const MARKDOWN_RESOURCES = 40;
const MARKDOWN_ATTRIBUTES = 25;

/** Markdown for a pull-request comment: a summary table, then one section per changed scope. */
export function markdownDiff(diff: EnvironmentDiff): string {
  const out: string[] = [];
  out.push(`### ndc diff: ${diff.env}`, '');
  out.push(`Current ${cell(diff.current.source)} ${code(short(diff.current.digest))} against ${cell(diff.against.source)} ${code(short(diff.against.digest))}${diff.against.approvedAt ? ` (approved ${diff.against.approvedAt})` : ''}.`, '');
  out.push(`**${summary(diff)}**`, '');
  if (diff.scopes.length === 0) return `${out.join('\n')}\n`;
  out.push('| scope | level | added | removed | changed | approvals voided | must sign again |', '|---|---|---:|---:|---:|---:|---|');
  for (const s of diff.scopes) {
    const level = s.previousLevel !== undefined ? `${s.previousLevel} -> ${s.level}` : String(s.level);
    out.push(`| ${cell(s.id)}${s.status === 'changed' ? '' : ` (${s.status})`} | ${level} | ${s.counts.added} | ${s.counts.removed} | ${s.counts.changed} | ${s.voidedApprovals.length} | ${cell(signLine(s))} |`);
  }
  for (const s of diff.scopes) {
    out.push('', `#### ${cell(s.id)}`, '', `${cell(scopeHeadline(s))}`, '');
    for (const r of s.resources.slice(0, MARKDOWN_RESOURCES)) {
      out.push(`- **${r.change}** ${code(r.address)}${moved(r)} in ${code(r.artifact)}`);
      for (const a of r.attributes.slice(0, MARKDOWN_ATTRIBUTES)) out.push(`  - ${code(a.path === '' ? '(whole resource)' : a.path)}: ${a.from === undefined ? '(absent)' : code(a.from)} -> ${a.to === undefined ? '(absent)' : code(a.to)}`);
      if (r.attributes.length > MARKDOWN_ATTRIBUTES) out.push(`  - ... and ${r.attributes.length - MARKDOWN_ATTRIBUTES} more attributes (ndc diff --env ${diff.env} --format text shows them all)`);
    }
    if (s.resources.length > MARKDOWN_RESOURCES) out.push(`- ... and ${s.resources.length - MARKDOWN_RESOURCES} more resources (ndc diff --env ${diff.env} --format text shows them all)`);
    if (s.reachability) {
      const lines = [...s.reachability.removed.map((l) => `- **reach removed** ${code(l)}`), ...s.reachability.added.map((l) => `- **reach added** ${code(l)}`)];
      out.push(...lines.slice(0, MARKDOWN_RESOURCES));
      if (lines.length > MARKDOWN_RESOURCES) out.push(`- ... and ${lines.length - MARKDOWN_RESOURCES} more reachability lines (ndc diff --env ${diff.env} --format text shows them all)`);
      if (!s.reachability.recorded) out.push('- Reachability changed; one side does not record its lines, so only the digests are known to differ.');
    }
    out.push('', s.voidedApprovals.length === 0 ? '- Voids: no approval on file covered this scope as it was.' : `- Voids: ${s.voidedApprovals.map((v) => `${cell(v.reviewer)} as ${v.role} (${v.operation}, ${code(v.file)})`).join('; ')}`);
    out.push(`- Must sign again: ${cell(signLine(s))}`);
  }
  return `${out.join('\n')}\n`;
}
