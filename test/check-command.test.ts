import '@microsoft/jest-sarif';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../cli/main';
import { reachSectionFor } from '../cli/commands/reach';
import type { EnvironmentInput } from '../environments/schema';
import { captureIO, environmentInput, REPO, tempProject, writeEnvironmentJson } from './helpers';

/** prod with a DMZ -> database flow: a mandatory segmentation failure. */
function leaky(name: string): EnvironmentInput {
  const input = { ...environmentInput('prod'), name };
  input.systems!.find((s) => s.id === 'online-meeting')!.flows!.push({ from: 'dmz', to: 'database', protocol: 'tcp', ports: 5432 });
  return input;
}

let root: string;
beforeAll(() => {
  root = tempProject('ndc-check-');
  mkdirSync(join(root, 'reports-dir'));
  writeEnvironmentJson(root, 'leaky', leaky('leaky'));
});

describe('ndc check', () => {
  it('exits 0 on prod as shipped, synthesizing first, and prints the text report', async () => {
    const { io, out, err } = captureIO(root);
    expect(await main(['check', '--env', 'prod', '--as-of', '2026-11-27'], io)).toBe(0);
    expect(err).toEqual(['ndc check: synthesized out/prod/ first (out/prod/manifest.json is missing)']);
    const text = out.join('\n');
    expect(text).toContain('Policy check of prod (production) as of 2026-11-27');
    expect(text).toContain('Regulation profile vn-2016 2026.12');
    expect(text).toMatch(/PASS: no mandatory failure \(0 advisory, 0 waived\)$/);
    expect(existsSync(join(root, 'out/prod/manifest.json'))).toBe(true);
  });

  it('exits 1 with a mandatory failure and names it', async () => {
    const { io, out } = captureIO(root);
    expect(await main(['check', '--env', 'leaky', '--as-of', '2026-11-27'], io)).toBe(1);
    const text = out.join('\n');
    expect(text).toContain('FAIL   NDC-SEG-003 [critical, mandatory] leaky/online-meeting: flow dmz -> database on tcp/5432');
    expect(text).toContain('FAIL: 1 mandatory failure');
  });

  it('writes SARIF to --output, valid against the schema, and still exits 1 for the failure', async () => {
    const { io, out } = captureIO(root);
    expect(await main(['check', '--env', 'leaky', '--format', 'sarif', '--output', 'reports/leaky.sarif'], io)).toBe(1);
    expect(out[0]).toBe('Wrote reports/leaky.sarif (sarif) for leaky, profile vn-2016 2026.12');
    const log = JSON.parse(readFileSync(join(root, 'reports/leaky.sarif'), 'utf8'));
    expect(log).toBeValidSarifLog();
    expect(log.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual(['NDC-SEG-003']);
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('environments/leaky.json');
  });

  it.each(['json', 'junit', 'markdown', 'html'])('--format %s prints the report', async (format) => {
    const { io, out } = captureIO(root);
    expect(await main(['check', '--env', 'prod', '--format', format], io)).toBe(0);
    const first = out.join('\n').slice(0, 80);
    expect(first).toMatch({ json: /^\{\n {2}"schema": "ndc\/check\/v1",\n {2}"advisoryFailures": 0/, junit: /^<\?xml/, markdown: /^# Policy report: prod/, html: /^<!DOCTYPE html>/ }[format]!);
  });

  it('--json alone prints the JSON report', async () => {
    const { io, out } = captureIO(root, true);
    expect(await main(['check', '--env', 'prod'], io)).toBe(0);
    expect(JSON.parse(out.join('\n'))).toMatchObject({ env: 'prod', mandatoryFailures: 0, profile: { name: 'vn-2016' } });
  });

  describe('bad input: one line, exit 2, nothing written', () => {
    it.each([
      [['--env', 'prod', '--format', 'pdf'], 'ndc check: --format: "pdf" is not a report format (formats: text, json, sarif, junit, markdown, html)'],
      [['--env', 'prod', '--as-of', '2026-02-30'], 'ndc check: --as-of: "2026-02-30": has day 30; 2026-02 has 28 days'],
      [['--env', 'nowhere'], 'ndc check: environments/nowhere.ts: no such environment file (known: dev, leaky, prod, staging)'],
      [['--env', 'prod', '--output', 'environments'], 'ndc check: --output: "environments" is inside environments/, which holds the project\'s inputs and artifacts; write the report elsewhere (for example reports/)'],
      [['--env', 'prod', '--output', 'node_modules/../reports-dir'], 'ndc check: --output: "node_modules/../reports-dir" is a directory; give a file name'],
      [[], 'ndc check: --env: is required (for example --env prod)'],
    ])('%j', async (args, message) => {
      const { io, out, err } = captureIO(root);
      expect(await main(['check', ...args], io)).toBe(2);
      expect(err).toEqual([message]);
      expect(out).toEqual([]);
    });

    it('an invalid env.policy is refused before out/ is touched', async () => {
      const input = { ...environmentInput('prod'), name: 'badpolicy', policy: { exceptions: [{ rule: 'NDC-SEG-003', system: 'online-meeting', reason: 'too short', grantedBy: 'x', expires: '2027-01-01' }] } };
      writeEnvironmentJson(root, 'badpolicy', input);
      const { io, err } = captureIO(root);
      expect(await main(['check', '--env', 'badpolicy'], io)).toBe(2);
      expect(err).toEqual(['ndc check: environments/badpolicy.json: policy.exceptions[0].reason: "too short": must explain the exception in at least 20 characters']);
      expect(existsSync(join(root, 'out/badpolicy'))).toBe(false);
    });
  });

  it('runs from the command line with the contract exit codes (real process)', () => {
    // A fixed --as-of: the child process reads the real clock, and assessments age.
    const run = (args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), 'check', '--as-of', '2026-11-27', ...args], { cwd: root, encoding: 'utf8' });
    expect(run(['--env', 'prod']).status).toBe(0);
    const failing = run(['--env', 'leaky', '--format', 'junit', '--output', 'reports/leaky.xml']);
    expect(failing.status).toBe(1);
    expect(readFileSync(join(root, 'reports/leaky.xml'), 'utf8')).toContain('<failure type="critical" message="flow dmz -&gt; database on tcp/5432">');
    const bad = run(['--env', 'prod', '--format', 'pdf']);
    expect([bad.status, bad.stdout, bad.stderr.split('\n').length]).toEqual([2, '', 2]);
  });
});

describe('ndc start (npm start)', () => {
  it('synthesizes, checks, writes reports/<env>/report.html and report.sarif and exits 0 on prod', async () => {
    const { io, out } = captureIO(root);
    expect(await main(['start', '--env', 'prod'], io)).toBe(0);
    const html = readFileSync(join(root, 'reports/prod/report.html'), 'utf8');
    expect(html).toContain('PASS: no mandatory failure');
    // The whole report: inventory, the diagrams, the reachability computed from the artifacts.
    expect(html).toContain('<h2 id="inventory">System inventory</h2>');
    expect(html.match(/<svg class="diagram"/g)).toHaveLength(1 + 3 + 6);
    expect(html).toContain('<h2 id="reachability">Reachability</h2>');
    expect(JSON.parse(readFileSync(join(root, 'reports/prod/report.sarif'), 'utf8'))).toBeValidSarifLog();
    expect(out).toContain('Reports: reports/prod/report.html, reports/prod/report.sarif');
    expect(out).toContain('Mandatory failures: 0');
    expect(out.some((l) => l.startsWith('Synthesized prod (production, regulation profile vn-2016)'))).toBe(true);
  });

  it("shows the reachability of the checks' own network model, the same as out/<env>/ gives on its own", () => {
    const section = reachSectionFor(root, 'prod');
    expect(section).toContain('<h2 id="reachability">Reachability</h2>');
    expect(readFileSync(join(root, 'reports/prod/report.html'), 'utf8')).toContain(section);
  });

  it('exits 1 on a mandatory failure after writing both reports', async () => {
    const { io, out } = captureIO(root);
    expect(await main(['start', '--env', 'leaky'], io)).toBe(1);
    expect(out).toContain('Mandatory failures: 1');
    const html = readFileSync(join(root, 'reports/leaky/report.html'), 'utf8');
    expect(html).toContain('FAIL: 1 mandatory failure');
    // The failure is listed before anything else, with where it is defined in the environment file.
    const failures = html.slice(html.indexOf('<h2 id="failures">'), html.indexOf('<h2 id="summary">'));
    expect(failures).toMatch(/<li class="failure mandatory" data-rule="[A-Z0-9-]+" data-system="[a-z0-9-]+">/);
    const definedAt = readFileSync(join(root, 'environments/leaky.json'), 'utf8').split('\n').findIndex((l) => l.includes('"id": "online-meeting"')) + 1;
    expect(failures).toContain(`<strong>Where:</strong> <code>environments/leaky.json:${definedAt}</code>`);
    const sarif = JSON.parse(readFileSync(join(root, 'reports/leaky/report.sarif'), 'utf8'));
    const failed = sarif.runs[0].results.filter((r: { level: string }) => r.level === 'error');
    expect(failed).toHaveLength(1);
    expect(failed[0].locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'environments/leaky.json', uriBaseId: 'PROJECTROOT' }, region: { startLine: definedAt } });
  });

  it('--json prints the synth summary with the policy summary and report paths', async () => {
    mkdirSync(join(root, 'out'), { recursive: true });
    const { io, out } = captureIO(root, true);
    expect(await main(['start', '--env', 'dev'], io)).toBe(0);
    const summary = JSON.parse(out[0]);
    expect(summary.policy).toMatchObject({ mandatoryFailures: 0, advisoryFailures: 4, waived: 3, overrides: [{ ruleId: 'NDC-BAK-001', to: 'advisory' }, { ruleId: 'NDC-K8S-004', to: 'advisory' }, { ruleId: 'NDC-LVL-010', to: 'advisory' }, { ruleId: 'NDC-TOP-001', to: 'advisory' }] });
    expect(summary.reports).toEqual({ html: 'reports/dev/report.html', sarif: 'reports/dev/report.sarif' });
  });

  it('its reports survive the next synthesis, which replaces out/<env>/ whole', async () => {
    const before = readFileSync(join(root, 'reports/dev/report.html'), 'utf8');
    expect(await main(['synth', '--env', 'dev'], captureIO(root).io)).toBe(0);
    expect(readFileSync(join(root, 'reports/dev/report.html'), 'utf8')).toBe(before);
    expect(existsSync(join(root, 'reports/dev/report.sarif'))).toBe(true);
  });
});
