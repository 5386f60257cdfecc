import { sha256 } from '../../core/canonical-json';
import type { PolicyReport } from '../engine';
import type { SourceMap } from '../../environments/source-map';
import { locationOf, profileLines, type ArtifactLineFinder } from './common';

const LEVEL = { mandatory: 'error', advisory: 'warning' } as const;
const RANK = { critical: 9.5, high: 8, medium: 5.5, low: 3 } as const;

/**
 * SARIF 2.1.0 for code-scanning tools: one result per failed or waived finding (waived ones carry an
 * accepted external suppression with the exception's reason), located in the artifact, or at the line of the
 * environment file (or the module it imports) that defines the finding's system or cluster. Each result has
 * its own fingerprint over rule, system, subject and message, so code scanning never merges two findings.
 */
export function sarifReport(report: PolicyReport, source: string, locations?: SourceMap, artifactLine?: ArtifactLineFinder): string {
  const rules = report.rules.filter((r) => r.enforcement !== 'disabled');
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const seen = new Map<string, number>();
  const results = report.findings
    .filter((f) => f.status === 'fail' || f.status === 'waived')
    .map((f) => {
      const where = locationOf(report, f, source, locations, artifactLine);
      const identity = `${f.ruleId}|${f.systemId ?? ''}|${f.subject}|${f.message}`;
      // The same finding twice (two identical resources) still gets two fingerprints, in report order.
      const occurrence = seen.get(identity) ?? 0;
      seen.set(identity, occurrence + 1);
      const exception = f.waivedBy !== undefined ? report.exceptions[f.waivedBy] : undefined;
      return {
        ruleId: f.ruleId,
        ruleIndex: ruleIndex.get(f.ruleId),
        level: LEVEL[f.enforcement],
        message: { text: `${f.subject}: ${f.message}` },
        locations: [
          {
            physicalLocation: { artifactLocation: { uri: where.file, uriBaseId: 'PROJECTROOT' }, ...(where.line === undefined ? {} : { region: { startLine: where.line } }) },
            logicalLocations: [{ fullyQualifiedName: f.subject, kind: 'resource' }],
          },
        ],
        partialFingerprints: { 'ndcFinding/v2': sha256(occurrence === 0 ? identity : `${identity}|${occurrence}`) },
        ...(exception
          ? { suppressions: [{ kind: 'external', status: 'accepted', justification: `${exception.reason} (granted by ${exception.grantedBy}, expires ${exception.expires})` }] }
          : {}),
        properties: { system: f.systemId ?? null, severity: f.severity, enforcement: f.enforcement, family: f.family, pack: f.pack },
      };
    });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ndc',
            semanticVersion: '0.1.0',
            rules: rules.map((r) => ({
              id: r.id,
              name: r.id.replace(/-/g, ''),
              shortDescription: { text: r.title },
              fullDescription: { text: r.explanation },
              help: { text: `${r.remediation} (${r.regulation.profile}: ${r.regulation.reference})${r.regulation.status === 'reported' ? ' [reported, not confirmed from the official text]' : ''}` },
              defaultConfiguration: { level: LEVEL[r.enforcement as 'mandatory' | 'advisory'], enabled: true },
              properties: { family: r.family, severity: r.severity, pack: r.pack, version: r.version, regulation: r.regulation.reference, regulationStatus: r.regulation.status, 'security-severity': String(RANK[r.severity]), tags: ['security', r.family] },
            })),
          },
        },
        originalUriBaseIds: { PROJECTROOT: { description: { text: 'The ndc project root' } } },
        automationDetails: { id: `ndc-check/${report.env}/` },
        invocations: [{ executionSuccessful: true }],
        results,
        properties: {
          env: report.env,
          profile: `${report.profile.name} ${report.profile.version}`,
          profileStatus: report.profile.status,
          reported: profileLines(report).reported,
          asOf: report.asOf,
          policyDigest: report.policyDigest,
          manifestDigest: report.manifestDigest,
          mandatoryFailures: report.mandatoryFailures,
          overrides: report.overrides,
          exceptions: report.exceptions.map((e) => ({ rule: e.rule, system: e.system ?? null, resource: e.resource ?? null, status: e.status, note: e.note, expires: e.expires })),
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
