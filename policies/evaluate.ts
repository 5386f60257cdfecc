import type { SourceMap } from '../environments/source-map';
import { readManifest } from '../stacks/manifest';
import { renderEnvironment, synthesizeIfStale, type SynthResult } from '../stacks/synth';
import { artifactSetOf, verifiedArtifactSet } from './artifacts';
import { evaluate, policyInForce, type PolicyReport } from './engine';
import type { PackedRule } from './registry';
import type { ArtifactSet } from './rule';

export interface EvaluateOptions {
  /** The date the checks treat as today. Default: env.asOf, else the clock. */
  readonly asOf?: Date;
  /** The clock used when neither asOf nor env.asOf is given (commands pass io.now()). */
  readonly now?: Date;
  /**
   * `if-needed` (default): re-render in memory and re-synthesize out/<env>/ when its manifest is missing,
   * its artifacts do not match it, or the render's digest differs. `never`: evaluate the in-memory
   * render without writing anything.
   */
  readonly synth?: 'if-needed' | 'never';
  /** Evaluate these rules instead of the profile's packs. */
  readonly rules?: readonly PackedRule[];
  /**
   * Evaluate under this regulation profile instead of the environment's own (the transition report). The
   * artifacts are still those of the environment as it stands: only the rules' data change.
   */
  readonly profile?: string;
}

export interface PolicyEvaluation extends PolicyReport {
  /** The environment file evaluated. */
  readonly source: string;
  /** Where the environment defines each system and region, when it was loaded from a file. */
  readonly locations?: SourceMap;
  /** Whether out/<env>/ was (re)written by this evaluation. */
  readonly synthesized: boolean;
  /** Why it was, when it was. */
  readonly synthReason?: string;
}

/**
 * The library entry point the check command, the approvals gate and deploy call: evaluates every rule pack
 * in force for an environment against exactly what out/<env>/ holds (synthesizing it first when stale).
 */
export function evaluatePolicies(root: string, envName: string, opts: EvaluateOptions = {}): PolicyEvaluation {
  const inputs = synthesizedInputs(root, envName, opts);
  return evaluatedAs(inputs, opts.profile, opts);
}

/**
 * The environment evaluated under its own profile and under `target` from one synthesis (the transition
 * report's two sides): out/<env>/ is synthesized for the environment's own profile, as `ndc check` would.
 */
export function evaluateUnderProfiles(root: string, envName: string, target: string, opts: Omit<EvaluateOptions, 'profile'> = {}): { current: PolicyEvaluation; target: PolicyEvaluation } {
  const inputs = synthesizedInputs(root, envName, opts);
  // Bad settings under the target profile (an override it forbids) are bad input too, before anything is reported.
  policyInForce({ ...inputs.rendered.env, profile: target }, inputs.rendered.source, opts.rules);
  return { current: evaluatedAs(inputs, undefined, opts), target: { ...evaluatedAs(inputs, target, opts), synthesized: false, synthReason: undefined } };
}

interface SynthesizedInputs {
  readonly rendered: ReturnType<typeof renderEnvironment>;
  readonly manifest: ReturnType<typeof renderEnvironment>['manifest'];
  readonly artifacts: ReturnType<typeof artifactSetOf>;
  readonly synthesized: boolean;
  readonly reason?: string;
}

/** Renders the environment and, unless `synth: 'never'`, makes out/<env>/ hold exactly that render. */
function synthesizedInputs(root: string, envName: string, opts: EvaluateOptions): SynthesizedInputs {
  const rendered = renderEnvironment(root, envName);
  // Bad policy settings are bad input: refuse them before anything is written.
  policyInForce(rendered.env, rendered.source, opts.rules);
  if (opts.synth === 'never') return { rendered, manifest: rendered.manifest, artifacts: artifactSetOf(rendered.artifacts), synthesized: false };
  const reason = synthesizeIfStale(root, rendered).synthesized;
  const manifest = readManifest(root, envName)!;
  // out/<env>/ now holds exactly this render (verified above or just written): check its bytes, not re-read them.
  const artifacts = verifiedArtifactSet(root, manifest, rendered.artifacts);
  return { rendered, manifest, artifacts, synthesized: reason !== undefined, reason };
}

/** One evaluation of prepared inputs, under the environment's profile or `profile`. */
function evaluatedAs(inputs: SynthesizedInputs, profile: string | undefined, opts: EvaluateOptions): PolicyEvaluation {
  const { rendered, manifest, artifacts } = inputs;
  const env = profile === undefined ? rendered.env : { ...rendered.env, profile };
  const report = evaluate({ ...rendered, env, manifest, artifacts, asOf: opts.asOf, now: opts.now, rules: opts.rules });
  return { ...report, source: rendered.source, locations: rendered.locations, synthesized: inputs.synthesized, ...(inputs.reason !== undefined ? { synthReason: inputs.reason } : {}) };
}

/** Evaluates what a synthesis just wrote (ndc start: one render, then the checks on out/<env>/). */
export function evaluateSynthesized(root: string, synth: Pick<SynthResult, 'env' | 'source' | 'evidence' | 'locations' | 'cloud' | 'manifest' | 'artifacts'>, opts: Pick<EvaluateOptions, 'asOf' | 'now' | 'rules'> = {}): PolicyEvaluation {
  const artifacts = verifiedArtifactSet(root, synth.manifest, synth.artifacts);
  const report = evaluate({ ...synth, artifacts, asOf: opts.asOf, now: opts.now, rules: opts.rules });
  const evaluation: PolicyEvaluation = { ...report, source: synth.source, locations: synth.locations, synthesized: false };
  judged.set(evaluation, artifacts);
  return evaluation;
}

const judged = new WeakMap<PolicyEvaluation, ArtifactSet>();

/** The parsed artifacts an evaluation of evaluateSynthesized judged (the report's reachability reuses their network model). */
export function artifactsJudged(evaluation: PolicyEvaluation): ArtifactSet | undefined {
  return judged.get(evaluation);
}
