import { join } from 'node:path';
import { evaluateSynthesized, type PolicyEvaluation } from '../../policies/evaluate';
import { useValidationStore } from '../../policies/validation';
import { synthCacheMode, type CacheOutcome } from '../../stacks/cache';
import type { Artifact } from '../../stacks/manifest';
import { validateAhead } from '../../policies/validation/ahead';
import { RUNNING_COMPILED } from '../../core/helper-thread';
import { cloudPicture, renderReport, textReport } from '../../policies/reports';
import { synthEnvironment } from '../../stacks/synth';
import { renderedState } from '../../stacks/scope-state';
import { approvalSettingsOf } from '../../policies/approvals/requirements';
import { buildCloud, type NationalCloud } from '../../constructs';
import { loadEnvironment } from '../../environments/load';
import type { CommandIO } from '../io';
import type { LoadedEnvironment } from '../../environments/load';
import { writeAtomically } from './check';
import { environmentSourceMap } from '../../environments/source-map';
import { approvalsForReport, changeForReport, commitOfLater, htmlInputsFor, layDiagramsAhead, validationStore } from './report-inputs';
import { printJson } from './common';
import { describeSynth, synthSummary } from './synth';

export interface StartOptions {
  readonly env: string;
  /** Trust-store pins (NDC_TRUST_ROOT) and the change's author (NDC_CHANGE_AUTHOR), for the report's approval status. */
  readonly trustRoot?: string;
  readonly author?: string;
  /** The environment as the command line loaded it (else it is loaded here). */
  readonly loaded?: LoadedEnvironment;
}

/** Where `npm start` writes its reports: outside out/, which every synthesis replaces whole. */
export const reportsDir = (env: string) => join('reports', env);

/**
 * `npm start`: the main job on the default environment: synthesize, run every policy pack in force on
 * what was written, write reports/<env>/report.html and reports/<env>/report.sarif, print the summary.
 * Exit 0 when no mandatory rule fails, 1 when one does (after writing the reports, so they can be read),
 * 2 on bad input: a main job that reports green on a non-compliant cloud would mislead, and prod as
 * shipped has no mandatory failure.
 */
export async function startCommand(opts: StartOptions, io: CommandIO): Promise<number> {
  // git answers for the report on the other core while this one synthesizes and checks.
  const commit = commitOfLater(io.root);
  const environment = opts.loaded ?? loadEnvironment(io.root, opts.env);
  // Diagrams not laid out before (.ndc/cache/diagrams) are laid out on the helper thread from the model
  // alone, queued before synthesis so the layout overlaps with rendering and the checks.
  const cloud = buildCloud(environment.env, environment.source);
  const diagrams = layDiagramsAhead(io.root, cloudPicture(cloud, environment.env.asOf ?? '', new Set(), environment.evidence));
  // Artifacts rendered afresh are validated on the helper thread while this one builds the manifest and
  // runs the other rules (the validation rules take those findings: policies/validation/ahead.ts).
  const synth = synthEnvironment(io.root, opts.env, environment, cloud, { rendered: validateFreshRender });
  // Unchanged artifacts were validated by an earlier start: take those findings (never with --no-cache).
  const previousStore = useValidationStore(synthCacheMode() === 'use' ? validationStore(io.root) : undefined);
  let evaluation: PolicyEvaluation;
  try {
    evaluation = evaluateSynthesized(io.root, synth, { now: io.now() });
  } finally {
    useValidationStore(previousStore);
  }
  const dir = reportsDir(opts.env);
  const loaded = { env: synth.env, source: synth.source, evidence: synth.evidence, locations: synth.locations ?? environmentSourceMap(io.root, synth.source) };
  const approvals = approvalsForReport(io.root, loaded, synth.manifest, evaluation, { trustRoot: opts.trustRoot, author: opts.author, now: io.now() });
  await diagrams();
  const change = changeForReport(io.root, opts.env, () => ({ state: renderedState(synth.manifest, synth.resources, synth.reach), settings: approvalSettingsOf(synth.env, synth.source) }), opts.trustRoot);
  const inputs = htmlInputsFor(io.root, evaluation, { cloud: synth.cloud, evidence: synth.evidence, approvals, manifest: synth.manifest, commit: await commit, change });
  const html = writeAtomically(io.root, join(dir, 'report.html'), renderReport(evaluation, 'html', synth.source, inputs), dir);
  const sarif = writeAtomically(io.root, join(dir, 'report.sarif'), renderReport(evaluation, 'sarif', synth.source, inputs), dir);
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

/**
 * Starts the validation of a render on the helper thread, unless the synthesis cache served every
 * renderer (an unchanged render, whose validation an earlier start kept) or the command runs from the
 * TypeScript sources (the helper would transpile the validators first).
 */
function validateFreshRender(artifacts: readonly Artifact[], cache: Readonly<Record<string, CacheOutcome>>, cloud: NationalCloud): void {
  if (!RUNNING_COMPILED || Object.values(cache).every((outcome) => outcome === 'hit')) return;
  validateAhead(artifacts, cloud.systems);
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
