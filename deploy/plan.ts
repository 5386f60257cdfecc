import { jsonDocument } from '../core/json-output';
import type { Manifest } from '../stacks/manifest';
import { projectReader } from '../stacks/project';
import { renderLoaded, writeRendered } from '../stacks/synth';
import { displayName } from './engines';
import { preflight, type EngineRunRequest } from './deploy';
import { runPreviews } from './preview';
import { displayCommand, type StepOutcome } from './runner';
import { buildWaves, stepsOf, type StackStep, type Wave } from './waves';

/**
 * `ndc plan --env E`: synth, check, gate status and what deploy would run; where the engines are
 * installed, their own previews (`tofu plan`, `pulumi preview`, `cdk diff`), summarised per stack.
 * Exit codes as `ndc check`: 1 when a mandatory rule fails (or a preview fails), 0 otherwise.
 */
export interface PlanRequest extends EngineRunRequest {
  /** Writes out/<env>/ and returns its manifest; defaults to `ndc synth` (tests add renderers' output). */
  readonly synthesize?: (root: string, env: string) => Manifest;
  /** Skip the engines' previews even where installed. */
  readonly noPreview?: boolean;
}

export interface PreviewSummary {
  readonly id: string;
  readonly status: 'changes' | 'no-changes' | 'failed' | 'skipped';
  readonly summary: string;
}

export async function planEnvironment(req: PlanRequest): Promise<number> {
  const { io } = req;
  const { environment } = req;
  const project = req.project ?? projectReader(io.root);
  const { env } = project.loadEnvironment(req.env);
  const manifest = (req.synthesize ?? ((root, name) => writeRendered(root, renderLoaded(project.loadEnvironment(name), root)).manifest))(io.root, req.env);
  const policy = await req.ports.policy.evaluate(req.env);
  const gate = await req.ports.gate.evaluate(req.env, manifest.digest, 'deploy');
  const deployWaves = buildWaves({ root: io.root, manifest, env, operation: 'deploy' });
  const planWaves = buildWaves({ root: io.root, manifest, env, operation: 'plan' });
  const checks = preflight(io.root, env, manifest, stepsOf(deployWaves), environment);
  const names = new Map(checks.resolved.map((r) => [r.tool, displayName(r)]));

  // Previews run only for stacks whose engine is installed (and, for pg state, whose connection is set).
  const connStrEnv = env.state.backend === 'pg' ? env.state.connStrEnv : undefined;
  const pgMissing = connStrEnv !== undefined && !environment[connStrEnv];
  const runnable = (step: StackStep) => step.commands.every((c) => checks.binaries.has(c.tool)) && !(pgMissing && step.engine === 'terraform');
  const previews: PreviewSummary[] = [];
  let outcomes: StepOutcome[] = [];
  if (!req.noPreview) {
    const waves: Wave[] = planWaves.map((w) => ({ ...w, steps: w.steps.filter(runnable) })).filter((w) => w.steps.length > 0);
    if (waves.length > 0) {
      // Previews read the same snapshot a deploy of this digest would apply, never out/<env>/ itself.
      const result = await runPreviews({ root: io.root, env, manifest, waves, binaries: checks.binaries, environment, concurrency: req.concurrency, err: io.err });
      outcomes = result.outcomes;
    }
  }
  for (const step of stepsOf(planWaves)) {
    const outcome = outcomes.find((o) => o.id === step.id);
    if (outcome) previews.push(summarise(step, outcome));
    else if (req.noPreview) previews.push({ id: step.id, status: 'skipped', summary: 'previews not requested (--no-preview)' });
    else if (pgMissing && step.engine === 'terraform' && checks.binaries.has('terraform')) previews.push({ id: step.id, status: 'skipped', summary: `${connStrEnv} is not set (pg state backend)` });
    else previews.push({ id: step.id, status: 'skipped', summary: `${names.get(step.commands[0].tool) ?? step.commands[0].tool} is not installed` });
  }
  const previewFailed = previews.some((p) => p.status === 'failed');
  const code = policy.mandatoryFailures > 0 || previewFailed ? 1 : 0;

  const listing = deployWaves.map((wave) => ({
    wave: wave.index,
    name: wave.name,
    parallel: wave.parallel,
    steps: wave.steps.map((s) => ({ id: s.id, artifact: `out/${req.env}/${s.artifact}`, commands: s.commands.map((c) => displayCommand(c, names.get(c.tool) ?? c.tool)) })),
  }));
  if (io.json) {
    io.out(jsonDocument('plan', { env: req.env, digest: manifest.digest, policy, gate, waves: listing, engines: checks.resolved.map((r) => ({ tool: r.tool, path: r.path ?? null })), problems: checks.problems, previews }));
    return code;
  }
  io.out(`Plan for ${req.env} (${manifest.stage}), digest ${manifest.digest}`);
  io.out(`  artifacts: ${manifest.artifacts.length}, systems: ${manifest.systems.length}`);
  io.out(`Policies: ${policy.summary}${policy.mandatoryFailures > 0 ? ` -> ${policy.mandatoryFailures} mandatory failures: deploy will be refused` : ''}`);
  io.out(`Gate: ${gate.open ? 'open: ndc deploy would run' : 'closed: ndc deploy would refuse'}`);
  for (const reason of gate.reasons) io.out(`  - ${reason}`);
  io.out('Engines:');
  for (const r of checks.resolved) io.out(`  ${r.tool.padEnd(10)} ${r.path ?? `missing (looked for ${r.candidates.join(', ')})`}`);
  for (const problem of checks.problems) io.out(`  ! ${problem}`);
  io.out('Waves (what ndc deploy would run, in order):');
  for (const wave of listing) {
    // Said as deploy runs it (deploy/runner.ts): a wave that is not parallel runs its stacks one at a time.
    const order = wave.parallel ? 'in parallel' : 'one after another';
    io.out(`  wave ${wave.wave} ${wave.name}${wave.steps.length > 1 ? ` (${wave.steps.length} stacks ${order})` : ''}`);
    for (const step of wave.steps) {
      const preview = previews.find((p) => p.id === step.id);
      io.out(`    ${step.id}  ${step.artifact}`);
      for (const command of step.commands) io.out(`      $ ${command}`);
      if (preview) io.out(`      preview: ${preview.status === 'skipped' ? `skipped (${preview.summary})` : preview.summary}`);
    }
  }
  for (const missing of [4, 5].filter((w) => !listing.some((l) => l.wave === w))) io.out(`  wave ${missing}: no ${missing === 4 ? 'Kubernetes' : 'public edge'} artifacts in out/${req.env}/`);
  return code;
}

/** One line per stack from the engine's own output. */
export function summarise(step: StackStep, outcome: StepOutcome): PreviewSummary {
  if (outcome.status === 'failed') {
    const last = outcome.output.filter((l) => l.trim() !== '').slice(-1)[0];
    return { id: step.id, status: 'failed', summary: `failed${outcome.failedCommand ? ` (exit ${outcome.exitCode})` : ''}${last ? `: ${last.trim()}` : outcome.error ? `: ${outcome.error}` : ''}` };
  }
  const text = outcome.output;
  if (step.engine === 'terraform') {
    const planLine = text.find((l) => /^\s*Plan: \d+ to add/.test(l));
    if (planLine) return { id: step.id, status: 'changes', summary: planLine.trim() };
    if (text.some((l) => /No changes\./.test(l))) return { id: step.id, status: 'no-changes', summary: 'No changes.' };
    return { id: step.id, status: outcome.exitCode === 2 ? 'changes' : 'no-changes', summary: outcome.exitCode === 2 ? 'changes (no plan summary line found)' : 'no changes reported' };
  }
  if (step.engine === 'kubernetes') {
    const counts = text.filter((l) => /^\s*[+~-]?\s*\d+ (to (create|update|delete|replace)|unchanged)/.test(l)).map((l) => l.trim().replace(/^[+~-]\s*/, ''));
    const changes = counts.some((c) => /to (create|update|delete|replace)/.test(c));
    return { id: step.id, status: changes ? 'changes' : 'no-changes', summary: counts.length ? counts.join(', ') : 'no resource counts in the preview output' };
  }
  const changed = text.filter((l) => /^\s*\[[+~-]\]/.test(l)).length;
  if (changed > 0) return { id: step.id, status: 'changes', summary: `${changed} resource changes` };
  return { id: step.id, status: 'no-changes', summary: text.some((l) => /no differences/i.test(l)) ? 'There were no differences' : 'no changes reported' };
}
