import { join, relative } from 'node:path';
import { evaluateSynthesized } from '../../policies/evaluate';
import { htmlReport, sarifReport, textReport } from '../../policies/reports';
import { REPORT_FILES } from '../../stacks/manifest';
import { synthEnvironment } from '../../stacks/synth';
import type { CommandIO } from '../io';
import { writeAtomically } from './check';
import { printJson } from './common';
import { reachSectionFor } from './reach';
import { describeSynth, synthSummary } from './synth';

export interface StartOptions {
  readonly env: string;
}

/**
 * `npm start`: the main job on the default environment: synthesize, run every policy pack in force on
 * what was written, write out/<env>/report.html and out/<env>/report.sarif, print the summary.
 * Exit 0 when no mandatory rule fails, 1 when one does (after writing the reports, so they can be read),
 * 2 on bad input: a main job that reports green on a non-compliant cloud would mislead, and prod as
 * shipped has no mandatory failure.
 */
export async function startCommand(opts: StartOptions, io: CommandIO): Promise<number> {
  const synth = synthEnvironment(io.root, opts.env);
  const evaluation = evaluateSynthesized(io.root, synth, { now: io.now() });
  const outDir = relative(io.root, join(io.root, 'out', opts.env));
  const [htmlName, sarifName] = REPORT_FILES;
  const html = writeAtomically(io.root, join(outDir, htmlName), htmlReport(evaluation, [reachSectionFor(io.root, opts.env, synth.cloud)]), 'out');
  const sarif = writeAtomically(io.root, join(outDir, sarifName), sarifReport(evaluation, synth.source), 'out');
  if (io.json) {
    printJson(io, 'start', { ...synthSummary(synth, io.root), policy: policySummary(evaluation), reports: { html, sarif } });
  } else {
    for (const line of describeSynth(synth, io.root)) io.out(line);
    io.out('');
    for (const line of textReport(evaluation).trimEnd().split('\n')) io.out(line);
    io.out(`Reports: ${html}, ${sarif}`);
    io.out(`Mandatory failures: ${evaluation.mandatoryFailures}`);
  }
  return evaluation.mandatoryFailures > 0 ? 1 : 0;
}

function policySummary(e: ReturnType<typeof evaluateSynthesized>) {
  return {
    profile: e.profile,
    asOf: e.asOf,
    policyDigest: e.policyDigest,
    mandatoryFailures: e.mandatoryFailures,
    advisoryFailures: e.advisoryFailures,
    waived: e.waived,
    passed: e.passed,
    overrides: e.overrides,
    exceptions: e.exceptions.map((x) => ({ rule: x.rule, system: x.system, resource: x.resource, status: x.status, expires: x.expires })),
  };
}
