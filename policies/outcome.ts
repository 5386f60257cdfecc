import { InputError } from '../core/errors';
import type { Manifest } from '../stacks/manifest';
import { projectReader, type ProjectReader } from '../stacks/project';
import { renderLoaded } from '../stacks/synth';
import type { AssessmentCheck, PolicyFindings } from './approvals/gate';
import { verifiedArtifactSet } from './artifacts';
import { evaluate, type PolicyReport } from './engine';
import type { PolicyEvaluation } from './evaluate';

/**
 * What the approvals gate and deploy take from a policy evaluation, in the shapes their ports declare
 * (policies/approvals/gate.ts, deploy/ports.ts).
 */

/** The gate's view: the digest of the rules in force and the open mandatory findings. */
export function gatePolicyOutcome(report: PolicyReport): PolicyFindings {
  return {
    policyDigest: report.policyDigest,
    mandatoryFindings: report.findings
      .filter((f) => f.status === 'fail' && f.enforcement === 'mandatory')
      .map((f) => ({ ruleId: f.ruleId, ...(f.systemId !== undefined ? { systemId: f.systemId } : {}), message: `${f.subject}: ${f.message}` })),
  };
}

/** Whether each system's periodic assessment is current, from NDC-LVL-008 (true, or why not). */
export function assessmentCheckOf(report: PolicyReport): AssessmentCheck {
  const bySystem = new Map(report.findings.filter((f) => f.ruleId === 'NDC-LVL-008' && f.systemId !== undefined).map((f) => [f.systemId!, f]));
  const inForce = report.rules.some((r) => r.id === 'NDC-LVL-008' && r.enforcement !== 'disabled');
  return (systemId) => {
    if (!inForce) return true;
    const finding = bySystem.get(systemId);
    if (!finding) return `no assessment verdict for ${systemId} (NDC-LVL-008)`;
    return finding.status === 'fail' ? finding.message : true;
  };
}

/** Deploy and plan's view: the mandatory failure count and one summary line. */
export function deployPolicyOutcome(report: PolicyReport): { mandatoryFailures: number; summary: string } {
  const rules = report.rules.filter((r) => r.enforcement !== 'disabled').length;
  return {
    mandatoryFailures: report.mandatoryFailures,
    summary: `${rules} rules (${report.profile.name} ${report.profile.version}): ${report.mandatoryFailures} mandatory failure${report.mandatoryFailures === 1 ? '' : 's'}, ${report.advisoryFailures} advisory, ${report.waived} waived`,
  };
}

/**
 * Evaluates the policies for a manifest already on disk (what `ndc approve` shows and signs): refuses when
 * the artifacts do not match it or the environment no longer renders to its digest, rather than report on
 * something other than what is approved.
 */
export function evaluateManifest(root: string, manifest: Manifest, opts: { asOf?: Date; now?: Date; project?: ProjectReader } = {}): PolicyEvaluation {
  const project = opts.project ?? projectReader(root);
  const bad = project.verifyArtifacts(manifest);
  if (bad.length > 0) throw new InputError(`out/${manifest.env}/`, `does not match its manifest (${bad.slice(0, 3).join(', ')}); run ndc synth --env ${manifest.env}`);
  const rendered = renderLoaded(project.loadEnvironment(manifest.env), root);
  if (rendered.manifest.digest !== manifest.digest) {
    throw new InputError(
      `out/${manifest.env}/manifest.json`,
      `digest ${manifest.digest.slice(0, 12)}... is not what ${rendered.source} renders now (${rendered.manifest.digest.slice(0, 12)}...: ${changedParts(manifest, rendered.manifest)}); run ndc synth --env ${manifest.env}`,
    );
  }
  const report = evaluate({ ...rendered, manifest, artifacts: verifiedArtifactSet(root, manifest, rendered.artifacts), asOf: opts.asOf, now: opts.now });
  return { ...report, source: rendered.source, synthesized: false };
}

/** What differs between a manifest and a fresh render, for the refusal: the body, and up to three artifact paths. */
function changedParts(manifest: Manifest, rendered: Manifest): string {
  const parts: string[] = [];
  if (manifest.digests.body !== rendered.digests.body) parts.push('the manifest body (systems, levels, approvals)');
  const ours = new Map(manifest.artifacts.map((a) => [a.path, a.sha256]));
  const theirs = new Map(rendered.artifacts.map((a) => [a.path, a.sha256]));
  const paths = [...new Set([...ours.keys(), ...theirs.keys()])].filter((p) => ours.get(p) !== theirs.get(p)).sort();
  parts.push(...paths.slice(0, 3).map((p) => `${p} ${!ours.has(p) ? 'added' : !theirs.has(p) ? 'removed' : 'changed'}`));
  if (paths.length > 3) parts.push(`${paths.length - 3} more`);
  return parts.join(', ') || 'the digest alone';
}

/**
 * The approval commands' policy context: evaluates once per environment and manifest, and answers the
 * assessment question from the same evaluation.
 */
export function approvalPolicyContext(root: string, now: Date, project: ProjectReader = projectReader(root)): { evaluatePolicy(env: string, manifest: Manifest): PolicyFindings; assessmentCurrent: AssessmentCheck } {
  let last: PolicyEvaluation | undefined;
  return {
    evaluatePolicy(_env, manifest) {
      // What a reviewer signs is judged at the clock, never at the environment file's asOf (which no digest covers).
      last = evaluateManifest(root, manifest, { now, asOf: now, project });
      return gatePolicyOutcome(last);
    },
    assessmentCurrent(systemId) {
      if (!last) throw new Error('internal: assessmentCurrent asked before the policies were evaluated');
      return assessmentCheckOf(last)(systemId);
    },
  };
}
