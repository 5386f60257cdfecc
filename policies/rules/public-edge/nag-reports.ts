import type { NagFinding, NagReport } from '../../../stacks/public-edge/nag-report';
import type { ArtifactSet } from '../../rule';

/** `cloudformation/<stack>.nag.json`: the cdk-nag report the edge renderer writes next to each template. */
const NAG_REPORT = /^cloudformation\/([^/]+)\.nag\.json$/;

export interface StackFinding extends NagFinding {
  readonly stack: string;
}

/** The cdk-nag reports among the artifacts, by stack (empty when the environment has no public edge). */
export function nagReportsOf(artifacts: ArtifactSet): Map<string, NagReport> {
  const reports = new Map<string, NagReport>();
  // Sorted by path: results do not depend on the order the artifacts were read in.
  for (const [path, text] of [...artifacts.text].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const match = NAG_REPORT.exec(path);
    if (!match) continue;
    const report = JSON.parse(text) as NagReport;
    if (report.pack !== 'AwsSolutions' || !Array.isArray(report.findings)) throw new Error(`${path} is not an ndc cdk-nag report; run ndc synth again`);
    reports.set(match[1], report);
  }
  return reports;
}

/** The rule id without its finding suffix: `AwsSolutions-IAM5[Resource::*]` -> `AwsSolutions-IAM5`. */
export function baseRuleId(rule: string): string {
  return rule.replace(/\[.*\]$/, '');
}

export function findingsOf(artifacts: ArtifactSet): StackFinding[] {
  return [...nagReportsOf(artifacts)].flatMap(([stack, report]) => report.findings.map((f) => ({ ...f, stack })));
}

/** Where a finding is, for the report's subject column. */
export function subjectOf(finding: StackFinding): string {
  return `cloudformation/${finding.stack}: ${finding.resource}${finding.logicalId ? ` (${finding.logicalId})` : ''}`;
}
