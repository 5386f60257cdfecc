#!/usr/bin/env node
// The CI pipeline in one script, the same on GitHub Actions, GitLab CI and a laptop:
//   install -> synth -> check (SARIF, JUnit and HTML files) -> plan -> deploy when asked and the gate is open.
// Exits non-zero on any failure. Usage:
//   node scripts/ci.mjs --env prod [--deploy] [--skip-install] [--reports DIR]
// --deploy is given on the main branch only; on pull requests the pipeline stops after plan (a closed
// gate is then only reported). With --deploy a closed gate fails the pipeline with the gate's first reason:
// a deploy that was asked for and did not happen must not end green.
import { spawnSync } from 'node:child_process';
import { fileURLToPath, URL } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    env: { type: 'string', default: process.env.NDC_ENV || 'prod' },
    deploy: { type: 'boolean', default: false },
    'skip-install': { type: 'boolean', default: false },
    reports: { type: 'string', default: 'reports' },
  },
});

// Install first, with plain npm: zx itself comes from the install.
if (!values['skip-install']) {
  console.log('::group::install');
  const install = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  console.log('::endgroup::');
  if (install.status !== 0) {
    console.error(`ci: npm ci failed (exit ${install.status})`);
    process.exit(1);
  }
}

const { $, fs, path, chalk } = await import('zx');
// Steps print for themselves (stdio inherited); zx does not echo the commands.
$.verbose = false;
process.env.CI ??= 'true';

const env = values.env;
const reports = path.resolve(values.reports);
await fs.mkdirp(reports);
// NDC_BIN: another ndc entry point (the tests use a fake one); by default this checkout's bin/ndc.js.
const ndc = [process.execPath, process.env.NDC_BIN || fileURLToPath(new URL('../bin/ndc.js', import.meta.url))];
const failures = [];

/** Runs one pipeline step, streaming its output; records a failure instead of stopping the pipeline. */
async function step(name, args, { allow = [0] } = {}) {
  console.log(`::group::${name}`);
  const result = await $({ stdio: 'inherit', nothrow: true })`${args}`;
  console.log('::endgroup::');
  const code = result.exitCode ?? 1;
  if (!allow.includes(code)) {
    failures.push(`${name} (exit ${code})`);
    console.error(chalk.red(`ci: ${name} failed (exit ${code})`));
  } else console.log(`ci: ${name} ok`);
  return code;
}

await step(`synth ${env}`, [...ndc, 'synth', '--env', env]);
if (failures.length === 0) {
  await step(`check ${env} (SARIF)`, [...ndc, 'check', '--env', env, '--format', 'sarif', '--output', path.join(reports, `ndc-${env}.sarif`)]);
  await step(`check ${env} (JUnit)`, [...ndc, 'check', '--env', env, '--format', 'junit', '--output', path.join(reports, `ndc-${env}.junit.xml`)]);
  // The reviewer's report (failures first, inventory, diagrams), kept with the job's artifacts.
  await step(`check ${env} (HTML)`, [...ndc, 'check', '--env', env, '--format', 'html', '--output', path.join(reports, `ndc-${env}.html`)]);
  const plan = await $({ nothrow: true, quiet: true })`${[...ndc, 'plan', '--env', env, '--json']}`;
  await fs.writeFile(path.join(reports, `ndc-${env}.plan.json`), plan.stdout);
  process.stderr.write(plan.stderr);
  let gateOpen = false;
  let gateReasons = [];
  let failedPreviews = [];
  try {
    const report = JSON.parse(plan.stdout);
    // Every --json document names its schema; an error under --json is {"schema": "ndc/error/v1", "error": ...}.
    if (report.schema === 'ndc/error/v1') throw new Error(report.error);
    if (report.schema !== 'ndc/plan/v1') throw new Error(`unexpected JSON schema ${report.schema}`);
    gateOpen = report.gate?.open === true;
    gateReasons = report.gate?.reasons ?? [];
    failedPreviews = (report.previews ?? []).filter((p) => p.status === 'failed').map((p) => `${p.id}: ${p.summary}`);
    console.log(`ci: plan ${env}: digest ${report.digest}; policies: ${report.policy?.summary}; gate ${gateOpen ? 'open' : 'closed'}`);
    for (const reason of report.gate?.reasons ?? []) console.log(`ci:   - ${reason}`);
    for (const preview of report.previews ?? []) console.log(`ci:   ${preview.id}: ${preview.status} ${preview.summary}`);
  } catch (error) {
    console.error(`ci: plan ${env} printed no JSON plan report${error instanceof SyntaxError ? '' : `: ${error.message}`}`);
  }
  // Without a JSON report the plan's error output is ndc's one-line reason; with one, the failed previews are.
  const planProblem = failedPreviews[0] ?? (gateReasons.length === 0 ? firstLine(plan.stderr) : '');
  if ((plan.exitCode ?? 1) !== 0) failures.push(`plan ${env} (exit ${plan.exitCode}${planProblem ? `: ${planProblem}` : ''})`);
  if (values.deploy && !gateOpen) {
    // Named first: whatever else failed, the deploy that was asked for did not happen, and this is why.
    failures.unshift(`deploy ${env}: the gate is closed: ${gateReasons[0] ?? (firstLine(plan.stderr) || 'no reason given')}`);
  } else if (values.deploy && failures.length === 0) {
    await step(`deploy ${env}`, [...ndc, 'deploy', '--env', env]);
  } else if (!gateOpen && failures.length === 0) {
    console.log(`ci: ${env} would not deploy yet: ${gateReasons[0] ?? 'the gate is closed'}`);
  }
}

/** The first non-empty line of a step's error output: the one-line reason ndc gives. */
function firstLine(text) {
  return (text ?? '').split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
}

if (failures.length > 0) {
  console.error(`ci: failed: ${failures.join(', ')}`);
  process.exit(1);
}
console.log('ci: all steps passed');
