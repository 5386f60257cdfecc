import type { SourceMap } from '../environments/source-map';
import { readManifest } from '../stacks/manifest';
import { renderEnvironment, synthesizeIfStale, type SynthResult } from '../stacks/synth';
import { artifactSetOf, verifiedArtifactSet } from './artifacts';
import { evaluate, policyInForce, type PolicyReport } from './engine';
import type { PackedRule } from './registry';

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
  const rendered = renderEnvironment(root, envName);
  // Bad policy settings are bad input: refuse them before anything is written.
  policyInForce(rendered.env, rendered.source, opts.rules);
  if (opts.synth === 'never') {
    const report = evaluate({ ...rendered, artifacts: artifactSetOf(rendered.artifacts), asOf: opts.asOf, now: opts.now, rules: opts.rules });
    return { ...report, source: rendered.source, locations: rendered.locations, synthesized: false };
  }
  const reason = synthesizeIfStale(root, rendered).synthesized;
  const manifest = readManifest(root, envName)!;
  // out/<env>/ now holds exactly this render (verified above or just written): check its bytes, not re-read them.
  const artifacts = verifiedArtifactSet(root, manifest, rendered.artifacts);
  const report = evaluate({ ...rendered, manifest, artifacts, asOf: opts.asOf, now: opts.now, rules: opts.rules });
  return { ...report, source: rendered.source, locations: rendered.locations, synthesized: reason !== undefined, synthReason: reason };
}

/** Evaluates what a synthesis just wrote (ndc start: one render, then the checks on out/<env>/). */
export function evaluateSynthesized(root: string, synth: Pick<SynthResult, 'env' | 'source' | 'locations' | 'cloud' | 'manifest' | 'artifacts'>, opts: Pick<EvaluateOptions, 'asOf' | 'now' | 'rules'> = {}): PolicyEvaluation {
  const artifacts = verifiedArtifactSet(root, synth.manifest, synth.artifacts);
  const report = evaluate({ ...synth, artifacts, asOf: opts.asOf, now: opts.now, rules: opts.rules });
  return { ...report, source: synth.source, locations: synth.locations, synthesized: false };
}
