import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { calendarDateProblem } from '../../core/dates';
import { InputError } from '../../core/errors';
import { stableJson } from '../../core/canonical-json';
import { jsonDocument } from '../../core/json-output';
import { progressStep } from '../../core/progress-line';
import { evaluatePolicies, evaluateUnderProfiles } from '../../policies/evaluate';
import { profileNamed } from '../../policies/profiles';
import { transitionReport, transitionTarget, transitionText } from '../../policies/transition';
import { renderReport, REPORT_FORMATS, textReport, type ReportFormat } from '../../policies/reports';
import { verdictLine } from '../../policies/reports/common';
import { readManifest, requireManifest, unlistedFiles } from '../../stacks/manifest';
import type { CommandIO } from '../io';
import { refuseProjectInput } from './common';
import { artifactInputs, changeOfWritten, htmlInputsFor } from './report-inputs';

export interface CheckOptions {
  readonly env: string;
  readonly format?: string;
  readonly output?: string;
  /** YYYY-MM-DD: the date the checks treat as today (reproducible reports). */
  readonly asOf?: string;
  /** Another regulation profile: the transition report of the environment under it. */
  readonly profile?: string;
  /** Trust-store pins (NDC_TRUST_ROOT): the HTML report's change since the last approval counts only signed scope digests. */
  readonly trustRoot?: string;
}

export function parseFormat(value: string | undefined, json: boolean): ReportFormat {
  if (value === undefined) return json ? 'json' : 'text';
  if (!(REPORT_FORMATS as readonly string[]).includes(value)) throw new InputError('--format', `${JSON.stringify(value)} is not a report format (formats: ${REPORT_FORMATS.join(', ')})`);
  return value as ReportFormat;
}

export function parseAsOf(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const problem = calendarDateProblem(value);
  if (problem) throw new InputError('--as-of', `${JSON.stringify(value)}: ${problem}`);
  return new Date(`${value}T00:00:00Z`);
}

/** Writes a file whole or not at all: a temporary sibling renamed into place. */
export function writeAtomically(root: string, path: string, content: string | Buffer, flag: string): string {
  const file = resolve(root, path);
  try {
    if (statSync(file, { throwIfNoEntry: false })?.isDirectory()) throw new InputError(flag, `${JSON.stringify(path)} is a directory; give a file name`);
    mkdirSync(dirname(file), { recursive: true });
  } catch (error) {
    if (error instanceof InputError) throw error;
    throw new InputError(flag, `${JSON.stringify(path)}: cannot create its directory (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const temporary = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(temporary, content);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new InputError(flag, `${JSON.stringify(path)}: cannot be written (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return relative(root, file) || file;
}

/**
 * `ndc check --env E [--format F] [--output FILE] [--as-of DATE]`: synthesizes if out/E/ is stale, evaluates
 * every rule pack in force, prints or writes the report. Exit 0 without mandatory failure, 1 with, 2 bad input.
 */
export async function checkCommand(opts: CheckOptions, io: CommandIO): Promise<number> {
  const format = parseFormat(opts.format, io.json);
  const asOf = parseAsOf(opts.asOf);
  if (opts.output !== undefined) {
    refuseProjectInput(io.root, opts.output, '--output');
    if (statSync(resolve(io.root, opts.output), { throwIfNoEntry: false })?.isDirectory()) throw new InputError('--output', `${JSON.stringify(opts.output)} is a directory; give a file name`);
  }
  let evaluation;
  if (opts.profile !== undefined) {
    profileNamed(opts.profile, '--profile');
    const target = opts.profile;
    const both = progressStep(`checking ${opts.env} under ${target}`, () => evaluateUnderProfiles(io.root, opts.env, target, { asOf, now: io.now() }));
    // Asked for the profile the environment is held to already: the ordinary check.
    if (both.current.profile.name !== target) return transitionCheck(opts, format, both, io);
    evaluation = both.current;
  } else {
    evaluation = progressStep(`checking ${opts.env}: every rule pack in force`, () => evaluatePolicies(io.root, opts.env, { asOf, now: io.now() }));
  }
  if (evaluation.synthesized) io.err(`ndc check: synthesized out/${opts.env}/ first (${evaluation.synthReason})`);
  const rendered = renderReport(evaluation, format, evaluation.source, format === 'html' ? htmlInputsFor(io.root, evaluation, { change: changeOfWritten(io.root, requireManifest(io.root, opts.env), opts.trustRoot) }) : artifactInputs(io.root, evaluation));
  // The JSON report is check's --json document: the same schema-tagged shape as every command's.
  const content = format === 'json' ? `${jsonDocument('check', JSON.parse(rendered) as object)}\n` : rendered;
  if (opts.output !== undefined) {
    const written = writeAtomically(io.root, opts.output, content, '--output');
    io.out(`Wrote ${written} (${format}) for ${evaluation.env}, profile ${evaluation.profile.name} ${evaluation.profile.version}`);
    io.out(format === 'text' ? verdictLine(evaluation) : textReport(evaluation).trimEnd());
  } else {
    io.out(content.trimEnd());
  }
  const unlisted = unlistedOutFiles(io.root, opts.env);
  // Beside the report: text goes with it on stdout; machine formats keep stdout to the report alone.
  for (const line of unlisted) (format === 'text' || opts.output !== undefined ? io.out : io.err)(line);
  return evaluation.mandatoryFailures > 0 || unlisted.length > 0 ? 1 : 0;
}

/**
 * `ndc check --env E --profile P` where E is held to another profile: the transition report (text or json;
 * the other formats render the full report under P). Exit 1 when anything would fail under P, else 0.
 */
function transitionCheck(opts: CheckOptions, format: ReportFormat, both: ReturnType<typeof evaluateUnderProfiles>, io: CommandIO): number {
  const { current, target } = both;
  if (current.synthesized) io.err(`ndc check: synthesized out/${opts.env}/ first (${current.synthReason})`);
  const report = transitionReport(current, target, transitionTarget(opts.profile!, current.profile.name));
  // JSON follows every command's convention: the schema first (ndc/check-transition/v1), then the report.
  const content = format === 'text' ? transitionText(report) : format === 'json' ? `${jsonDocument('check transition', JSON.parse(stableJson(report)) as object)}\n` : renderReport(target, format, target.source);
  if (opts.output !== undefined) {
    const written = writeAtomically(io.root, opts.output, content, '--output');
    io.out(`Wrote ${written} (${format}) for ${report.env}: transition from ${report.from.name} to ${report.to.name}`);
    io.out(transitionText(report).trimEnd().split('\n').pop()!);
  } else {
    io.out(content.trimEnd());
  }
  return report.items.length > 0 ? 1 : 0;
}

/**
 * One mandatory finding per file in out/<env>/ that the manifest does not list: nothing approved it, and an
 * engine that loads every file of its directory (Terraform loads every *.tf.json) would apply it.
 */
export function unlistedOutFiles(root: string, env: string): string[] {
  const manifest = readManifest(root, env);
  if (!manifest) return [];
  return unlistedFiles(root, manifest).map(
    (path) => `MANDATORY out/${env}/${path}: not listed in out/${env}/manifest.json, so no approval covers it; deploy refuses while it is there (remove it, or run ndc synth --env ${env})`,
  );
}
