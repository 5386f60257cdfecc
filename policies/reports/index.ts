import { stableJson } from '../../core/canonical-json';
import type { PolicyReport } from '../engine';
import { htmlReport } from './html';
import { junitReport } from './junit';
import { markdownReport } from './markdown';
import { sarifReport } from './sarif';
import { textReport } from './text';
import { maskFoundSecrets } from '../rules/secrets/mask';

export const REPORT_FORMATS = ['text', 'json', 'sarif', 'junit', 'markdown', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Renders a report; `source` is the environment file model findings point at (SARIF locations). */
export function renderReport(report: PolicyReport, format: ReportFormat, source = `environments/${report.env}.ts`, htmlSections: readonly string[] = []): string {
  // The report itself is masked already; this also covers what a format adds around it.
  return maskFoundSecrets(report, renderUnmasked(report, format, source, htmlSections));
}

function renderUnmasked(report: PolicyReport, format: ReportFormat, source: string, htmlSections: readonly string[]): string {
  switch (format) {
    case 'text':
      return textReport(report);
    case 'json':
      return stableJson(report);
    case 'sarif':
      return sarifReport(report, source);
    case 'junit':
      return junitReport(report);
    case 'markdown':
      return markdownReport(report);
    case 'html':
      return htmlReport(report, htmlSections);
  }
}

export { htmlReport, junitReport, markdownReport, sarifReport, textReport };
