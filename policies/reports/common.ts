import { regionLocation, systemLocation, type SourceMap } from '../../environments/source-map';
import type { Finding, PolicyReport } from '../engine';
import type { ControlFamily, Severity } from '../rule';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

/** Where a finding points: an artifact file (relative to the project root) or the environment file. */
export function fileOf(report: PolicyReport, finding: Pick<Finding, 'subject'>, source: string): string {
  const address = /^terraform\/([^:]+): /.exec(finding.subject);
  if (address) return `out/${report.env}/terraform/${address[1]}/cdk.tf.json`;
  const template = /^cloudformation\/([a-z0-9-]+)(?::|$)/.exec(finding.subject);
  if (template && !/\.(json|ya?ml)$/.test(template[1])) return `out/${report.env}/cloudformation/${template[1]}.template.json`;
  const manifest = /^(kubernetes\/[a-z0-9/-]+\.yaml): /.exec(finding.subject);
  if (manifest) return `out/${report.env}/${manifest[1]}`;
  if (/^(terraform|kubernetes|cloudformation)\/.+\.(json|ya?ml)$/.test(finding.subject)) return `out/${report.env}/${finding.subject}`;
  return source;
}

/** The profile line with its standing, and one line per reported (unconfirmed) figure: every format shows them. */
export function profileLines(report: PolicyReport): { profile: string; reported: readonly string[] } {
  const p = report.profile;
  return { profile: `${p.name} ${p.version}: ${p.title}${p.status === 'reported' ? ' [reported]' : ''}`, reported: p.reported.map((line) => `reported, not confirmed from the official text: ${line}`) };
}

/** A finding's place: the file, and the line when it is known (the environment file's definition of its system or cluster). */
export interface FindingLocation {
  readonly file: string;
  readonly line?: number;
}

/**
 * Where a finding is fixed: an artifact finding in its artifact; a system's finding where the environment
 * (or a module it imports) defines the system; a cluster's where it defines the cluster; the rest in the
 * environment file, at its regions for topology and green rules.
 */
export function locationOf(report: PolicyReport, finding: Pick<Finding, 'subject' | 'systemId' | 'family'>, source: string, locations?: SourceMap, artifactLine?: ArtifactLineFinder): FindingLocation {
  const file = fileOf(report, finding, source);
  if (file !== source) {
    const line = artifactLine?.(file, finding.subject);
    return line === undefined ? { file } : { file, line };
  }
  if (!locations) return { file };
  if (finding.systemId) return systemLocation(locations, finding.systemId);
  const region = new RegExp(`^${report.env.replace(/[^a-z0-9-]/g, '')}/([a-z0-9-]+)(?:<->|$)`).exec(finding.subject);
  if (region) return regionLocation(locations, region[1]);
  if ((finding.family === 'topology' || finding.family === 'green') && locations.keys.regions) return locations.keys.regions;
  return { file: locations.file };
}

export const showLocation = (l: FindingLocation): string => (l.line === undefined ? l.file : `${l.file}:${l.line}`);

export const failed = (f: Finding) => f.status === 'fail';

export function families(report: PolicyReport): ControlFamily[] {
  const seen: ControlFamily[] = [];
  for (const rule of report.rules) if (rule.enforcement !== 'disabled' && !seen.includes(rule.family)) seen.push(rule.family);
  return seen;
}

export type CellStatus = 'failed' | 'waived' | 'passed' | 'none';

/** The control matrix: for each system (and the cloud-wide row) and family, the worst status. */
export function controlMatrix(report: PolicyReport): { row: string; label: string; cells: { family: ControlFamily; status: CellStatus; failed: number; waived: number; passed: number }[] }[] {
  const rows = [...report.systems.map((s) => ({ row: s.id, label: `${s.name} (level ${s.level})` })), { row: '', label: 'Cloud-wide (clusters, artifacts, platform)' }];
  const fams = families(report);
  return rows.map(({ row, label }) => ({
    row,
    label,
    cells: fams.map((family) => {
      const own = report.findings.filter((f) => (f.systemId ?? '') === row && f.family === family);
      const n = (s: Finding['status']) => own.filter((f) => f.status === s).length;
      const status: CellStatus = n('fail') ? 'failed' : n('waived') ? 'waived' : n('pass') ? 'passed' : 'none';
      return { family, status, failed: n('fail'), waived: n('waived'), passed: n('pass') };
    }),
  }));
}

export function anchorOf(row: string, family: string): string {
  return `f-${row || 'cloud'}-${family}`;
}

export function verdictLine(report: PolicyReport): string {
  return report.mandatoryFailures === 0
    ? `PASS: no mandatory failure (${report.advisoryFailures} advisory, ${report.waived} waived)`
    : `FAIL: ${report.mandatoryFailures} mandatory failure${report.mandatoryFailures === 1 ? '' : 's'} (${report.advisoryFailures} advisory, ${report.waived} waived)`;
}

export function severityCounts(report: PolicyReport): Record<Severity, { mandatory: number; advisory: number; waived: number; passed: number }> {
  const out = {} as Record<Severity, { mandatory: number; advisory: number; waived: number; passed: number }>;
  for (const s of SEVERITIES) {
    const of = report.findings.filter((f) => f.severity === s);
    out[s] = {
      mandatory: of.filter((f) => f.status === 'fail' && f.enforcement === 'mandatory').length,
      advisory: of.filter((f) => f.status === 'fail' && f.enforcement === 'advisory').length,
      waived: of.filter((f) => f.status === 'waived').length,
      passed: of.filter((f) => f.status === 'pass').length,
    };
  }
  return out;
}

/** The line of an artifact where a finding's resource is declared, when it can be told from the subject. */
export type ArtifactLineFinder = (file: string, subject: string) => number | undefined;

/**
 * Finds resources in artifact text as synth writes it (`read` returns a project file's text, or undefined):
 * a Terraform `"<type>": {` then `"<name>": {`, a CloudFormation `"<logicalId>": {`, a Kubernetes
 * document of that kind and name (its first line).
 */
export function artifactLineFinder(read: (file: string) => string | undefined): ArtifactLineFinder {
  const cache = new Map<string, string[] | undefined>();
  const linesOf = (file: string) => {
    if (!cache.has(file)) cache.set(file, read(file)?.split('\n'));
    return cache.get(file);
  };
  const after = (lines: readonly string[], from: number, text: string) => {
    for (let i = from; i < lines.length; i++) if (lines[i].includes(text)) return i;
    return -1;
  };
  return (file, subject) => {
    const lines = linesOf(file);
    if (!lines) return undefined;
    const terraform = /^terraform\/[^:]+: ([A-Za-z0-9_]+)\.([^\s]+)$/.exec(subject);
    if (terraform) {
      const type = after(lines, 0, `"${terraform[1]}": {`);
      const name = type < 0 ? -1 : after(lines, type + 1, `"${terraform[2]}": {`);
      return name < 0 ? undefined : name + 1;
    }
    const cloudformation = /^cloudformation\/[^:]+: \S+ (\S+)$/.exec(subject);
    if (cloudformation) {
      const at = after(lines, 0, `"${cloudformation[1]}": {`);
      return at < 0 ? undefined : at + 1;
    }
    const kubernetes = /^kubernetes\/[^:]+: (\S+) (?:([^/\s]+)\/)?(\S+)$/.exec(subject);
    if (kubernetes) {
      const [, kind, namespace, name] = kubernetes;
      let start = 0;
      for (let i = 0; i <= lines.length; i++) {
        if (i < lines.length && lines[i] !== '---') continue;
        const doc = lines.slice(start, i);
        if (doc.includes(`kind: ${kind}`) && doc.includes(`  name: ${name}`) && (namespace === undefined || doc.includes(`  namespace: ${namespace}`))) return start + 1;
        start = i + 1;
      }
    }
    return undefined;
  };
}
