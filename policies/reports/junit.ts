import type { PolicyReport } from '../engine';
import { profileLines } from './common';
import { escapeXml } from './escape';

/**
 * JUnit XML for CI dashboards: a suite per pack, a test case per rule and subject. Mandatory failures
 * fail; advisory failures and waived findings are reported as skipped with the reason, so they show
 * without turning the build red.
 */
export function junitReport(report: PolicyReport): string {
  const packs = [...new Set(report.findings.map((f) => f.pack))];
  const suites = packs.map((pack) => {
    const cases = report.findings.filter((f) => f.pack === pack && f.status !== 'not-applicable');
    const failures = cases.filter((f) => f.status === 'fail' && f.enforcement === 'mandatory').length;
    const skipped = cases.filter((f) => f.status === 'waived' || (f.status === 'fail' && f.enforcement === 'advisory')).length;
    const body = cases.map((f) => {
      const open = `    <testcase classname="${escapeXml(`ndc.${pack}.${f.ruleId}`)}" name="${escapeXml(`${f.ruleId} ${f.subject}`)}" time="0">`;
      if (f.status === 'fail' && f.enforcement === 'mandatory') return `${open}\n      <failure type="${f.severity}" message="${escapeXml(f.message)}">${escapeXml(`${f.title}\n${f.subject}: ${f.message}`)}</failure>\n    </testcase>`;
      if (f.status === 'fail') return `${open}\n      <skipped message="${escapeXml(`advisory: ${f.message}`)}"/>\n    </testcase>`;
      if (f.status === 'waived') {
        const e = f.waivedBy !== undefined ? report.exceptions[f.waivedBy] : undefined;
        return `${open}\n      <skipped message="${escapeXml(`waived until ${e?.expires}: ${e?.reason}; finding: ${f.message}`)}"/>\n    </testcase>`;
      }
      return `${open}</testcase>`;
    });
    return `  <testsuite name="${escapeXml(`ndc ${report.env} ${pack}`)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="0">\n${body.join('\n')}\n  </testsuite>`;
  });
  // The profile and its reported (unconfirmed) figures, as properties CI dashboards show with the run.
  const props = [`    <property name="profile" value="${escapeXml(profileLines(report).profile)}"/>`, ...profileLines(report).reported.map((line, i) => `    <property name="reported.${i + 1}" value="${escapeXml(line)}"/>`)];
  const total = report.findings.filter((f) => f.status !== 'not-applicable').length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${escapeXml(`ndc check ${report.env} (${report.profile.name} ${report.profile.version})`)}" tests="${total}" failures="${report.mandatoryFailures}" errors="0">\n  <properties>\n${props.join('\n')}\n  </properties>\n${suites.join('\n')}\n</testsuites>\n`;
}
