import { stableJson } from '../../core/canonical-json';
import type { PolicyReport } from '../engine';
import { artifactLineFinder } from './common';
import { htmlReport, type HtmlReportInputs } from './html';
import { junitReport } from './junit';
import { markdownReport } from './markdown';
import { sarifReport } from './sarif';
import { textReport } from './text';
import { maskFoundSecrets } from '../rules/secrets/mask';

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * Renders a report; `source` is the environment file model findings point at, `inputs.locations` the lines
 * in it (and the modules it imports) that define each system (SARIF and HTML locations); the rest of
 * `inputs` is what only the HTML report shows.
 */
export function renderReport(report: PolicyReport, format: ReportFormat, source = `environments/${report.env}.ts`, inputs: HtmlReportInputs = {}): string {
  // The report itself is masked already; this also covers what a format adds around it.
  return maskFoundSecrets(report, renderUnmasked(report, format, source, inputs));
}

function renderUnmasked(report: PolicyReport, format: ReportFormat, source: string, inputs: HtmlReportInputs): string {
  switch (format) {
    case 'text':
      return textReport(report);
    case 'json':
      return stableJson(report);
    case 'sarif':
      return sarifReport(report, source, inputs.locations, inputs.readArtifact ? artifactLineFinder(inputs.readArtifact) : undefined);
    case 'junit':
      return junitReport(report);
    case 'markdown':
      return markdownReport(report);
    case 'html':
      return htmlReport(report, { ...inputs, source });
  }
}

export type { ChangeSinceApproval, HtmlReportInputs, ReportApprovals } from './html';
export { cloudPicture, type CloudPicture } from './topology';
export { htmlReport, junitReport, markdownReport, sarifReport, textReport };
