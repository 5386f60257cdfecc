/** Reports show where a secret is, never the secret (issue #12): every format, whatever quotes the value. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../cli/main';
import { evaluatePolicies } from '../policies/evaluate';
import { renderReport, REPORT_FORMATS } from '../policies/reports';
import { maskSecret, maskSecrets } from '../policies/rules/secrets/mask';
import { captureIO, environmentInput, tempProject, writeEnvironmentJson } from './helpers';

const AWS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const PASSWORD = 'hunter2-correct-horse';

describe('secret values in reports', () => {
  const root = tempProject('ndc-masking-');
  const env = { ...environmentInput('dev'), name: 'leaky-name' };
  // A key id pasted into a system name reaches the artifacts (NDC-SEC-003) and every report's system list.
  env.systems![0].name = `National Open Data Portal ${AWS_KEY_ID}`;
  writeEnvironmentJson(root, 'leaky-name', env);
  const evaluation = evaluatePolicies(root, 'leaky-name', { asOf: new Date('2026-11-27T00:00:00Z'), now: new Date('2026-11-27T00:00:00Z') });

  it('NDC-SEC-003 still fails the artifact that carries the key id', () => {
    const failed = evaluation.findings.filter((f) => f.ruleId === 'NDC-SEC-003' && f.status === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].message).toContain('AWS access key id');
  });

  it.each(REPORT_FORMATS)('the %s report never contains the key id', (format) => {
    expect(renderReport(evaluation, format)).not.toContain(AWS_KEY_ID);
  });

  it.each(['json', 'markdown', 'html'] as const)('the %s report lists the system with its name masked', (format) => {
    expect(renderReport(evaluation, format)).toContain(`National Open Data Portal ${maskSecret(AWS_KEY_ID)}`);
  });

  it.each(REPORT_FORMATS)('ndc check --format %s writes and prints no key id (the HTML reachability section included)', async (format) => {
    const { io, out, err } = captureIO(root);
    expect(await main(['check', '--env', 'leaky-name', '--as-of', '2026-11-27', '--format', format, '--output', `reports/leaky.${format}`], io)).toBe(1);
    expect(readFileSync(join(root, 'reports', `leaky.${format}`), 'utf8')).not.toContain(AWS_KEY_ID);
    expect([...out, ...err].join('\n')).not.toContain(AWS_KEY_ID);
  });

  it('ndc start writes report.html and report.sarif without the key id', async () => {
    const { io } = captureIO(root);
    expect(await main(['start', '--env', 'leaky-name'], io)).toBe(1);
    for (const file of ['report.html', 'report.sarif']) expect(readFileSync(join(root, 'reports', 'leaky-name', file), 'utf8')).not.toContain(AWS_KEY_ID);
  });

  it('masks keeping the first four characters of a long value', () => {
    expect(maskSecret(AWS_KEY_ID)).toBe('AKIA****************');
    expect(maskSecret('abcdefg')).toBe('ab*****');
  });

  it('masks every string of a structure, keys included, longest secret first', () => {
    const masked = maskSecrets({ [PASSWORD]: [`x ${PASSWORD} y`, 3], short: 'abc' }, [PASSWORD, 'hunter2', 'abc']);
    expect(JSON.stringify(masked)).not.toContain('hunter2');
    expect(masked).toEqual({ 'hunt*****************': ['x hunt***************** y', 3], short: 'abc' });
  });
});
