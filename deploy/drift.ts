import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../core/errors';
import { jsonDocument } from '../core/json-output';
import { loadEnvironment } from '../environments/load';
import { escapeXml } from '../policies/reports/escape';
import { verifyArtifacts } from '../stacks/manifest';
import { actorOf, preflight, synthesizedManifest } from './deploy';
import type { ConsolePort, LedgerPort } from './ports';
import { runPreviews } from './preview';
import type { StepOutcome } from './runner';
import { buildWaves, stepsOf, type EngineCommand, type StackStep, type Wave } from './waves';

/**
 * `ndc drift --env E`: the engines' own no-change checks against what is deployed, per stack:
 * `tofu plan -detailed-exitcode` (exit 2: changes), `pulumi preview --expect-no-changes`, `cdk diff
 * --fail`. Nothing is changed. The result goes to the ledger; exit 1 when any stack drifted or could
 * not be checked, 0 when none drifted, 2 on bad input (including a missing engine binary).
 */
export type DriftFormat = 'text' | 'json' | 'junit';
export const DRIFT_FORMATS: readonly DriftFormat[] = ['text', 'json', 'junit'];

export interface DriftRequest {
  readonly env: string;
  readonly ledger: LedgerPort;
  readonly io: ConsolePort;
  readonly environment?: NodeJS.ProcessEnv;
  readonly format?: string;
  readonly output?: string;
  readonly concurrency?: number;
}

export type DriftStatus = 'no-drift' | 'drift' | 'error';

export interface StackDrift {
  readonly id: string;
  readonly engine: StackStep['engine'];
  readonly status: DriftStatus;
  /** The engine's own summary line (`Plan: 1 to add...`), or why the check failed. */
  readonly summary: string;
  readonly durationMs?: number;
  /** The end of the engine's output, for the JUnit failure body. */
  readonly output: readonly string[];
}

export interface DriftReport {
  readonly env: string;
  readonly digest: string;
  /** The digest of the last deploy the ledger holds, when it is not the synthesized one. */
  readonly lastDeployedDigest?: string;
  readonly checkedAt: string;
  readonly drifted: number;
  readonly errors: number;
  readonly stacks: readonly StackDrift[];
}

/** The deploy commands' previews turned into no-change checks. */
function driftCommand(command: EngineCommand): EngineCommand {
  // A stack that was never deployed is an error to report, not one to create.
  if (command.tool === 'pulumi' && command.args[0] === 'stack') return { ...command, args: command.args.filter((a) => a !== '--create') };
  if (command.tool === 'terraform' && command.args[0] === 'plan') return { ...command, okExitCodes: [0] };
  if (command.tool === 'pulumi' && command.args[0] === 'preview') return { ...command, args: [...command.args, '--expect-no-changes'] };
  if (command.tool === 'cdk' && command.args[0] === 'diff') return { ...command, args: [...command.args, '--fail'] };
  return command;
}

const SUMMARY: Record<StackStep['engine'], RegExp> = {
  terraform: /^(Plan: |No changes\.)/,
  kubernetes: /^\s*(~|\+|-|\+-)?\s*\d+ (to create|to update|to delete|to replace|unchanged)/,
  cloudformation: /Number of stacks with differences: \d+|There were no differences/,
};

/** What one stack's check found: exit 2 from tofu plan, Pulumi's or the CDK's own words for changes. */
function classify(step: StackStep, outcome: StepOutcome | undefined): StackDrift {
  const output = outcome?.output ?? [];
  const summary = output.filter((l) => SUMMARY[step.engine].test(l)).map((l) => l.trim()).join('; ');
  const base = { id: step.id, engine: step.engine, durationMs: outcome?.durationMs, output: output.slice(-30) };
  if (!outcome || outcome.status === 'not-started') return { ...base, status: 'error', summary: 'not checked' };
  if (outcome.status === 'succeeded') return { ...base, status: 'no-drift', summary: summary || 'no changes' };
  const failedPlan = outcome.failedCommand ?? '';
  const changed =
    (step.engine === 'terraform' && outcome.exitCode === 2 && / plan /.test(failedPlan)) ||
    (step.engine === 'kubernetes' && output.some((l) => l.includes('no changes were expected but changes were proposed'))) ||
    (step.engine === 'cloudformation' && output.some((l) => /Number of stacks with differences: [1-9]/.test(l)));
  if (changed) return { ...base, status: 'drift', summary: summary || 'changes proposed' };
  const last = [...output].reverse().find((l) => l.trim() !== '')?.trim();
  return { ...base, status: 'error', summary: `${outcome.error ?? `exit ${outcome.exitCode ?? '?'} from ${failedPlan}`}${last ? `: ${last}` : ''}` };
}

export async function driftEnvironment(req: DriftRequest): Promise<number> {
  const { io } = req;
  const format = (req.format ?? (io.json ? 'json' : 'text')) as DriftFormat;
  if (!DRIFT_FORMATS.includes(format)) throw new InputError('--format', `${JSON.stringify(req.format)} is not one of ${DRIFT_FORMATS.join(', ')}`);
  const environment = req.environment ?? process.env;
  const { env } = loadEnvironment(io.root, req.env);
  const manifest = synthesizedManifest(io.root, req.env);
  const changed = verifyArtifacts(io.root, manifest);
  if (changed.length > 0) throw new InputError(`out/${req.env}/`, `does not match its manifest (${changed.join(', ')}); run ndc synth --env ${req.env}`);
  const planned = buildWaves({ root: io.root, manifest, env, operation: 'plan' });
  const waves: Wave[] = planned.map((w) => ({ ...w, steps: w.steps.map((s) => ({ ...s, commands: s.commands.map(driftCommand) })) }));
  const steps = stepsOf(waves);
  if (steps.length === 0) throw new InputError(`out/${req.env}/manifest.json`, 'lists no deployable stacks to check');
  const checks = preflight(io.root, env, manifest, steps, environment);
  // Without an engine (or the state connection) the check cannot say anything: bad input, not drift.
  if (checks.problems.length > 0) throw new InputError('cannot check drift', checks.problems.join('; '));

  // The checks read the snapshot of the synthesized digest, as a deploy of it would apply it.
  const result = await runPreviews({ root: io.root, env, manifest, waves, binaries: checks.binaries, environment, concurrency: req.concurrency, err: io.err });
  const stacks = steps.map((step) => classify(step, result.outcomes.find((o) => o.id === step.id)));
  const last = await req.ledger.lastRun(req.env);
  const report: DriftReport = {
    env: req.env,
    digest: manifest.digest,
    ...(last && last.digest !== manifest.digest ? { lastDeployedDigest: last.digest } : {}),
    checkedAt: io.now().toISOString(),
    drifted: stacks.filter((s) => s.status === 'drift').length,
    errors: stacks.filter((s) => s.status === 'error').length,
    stacks,
  };
  await req.ledger.append({
    kind: 'drift',
    env: req.env,
    actor: actorOf(environment),
    digest: manifest.digest,
    result: report.drifted > 0 ? 'drift' : report.errors > 0 ? 'error' : 'none',
    details: { stacks: stacks.map((s) => ({ id: s.id, status: s.status, summary: s.summary })), ...(report.lastDeployedDigest ? { lastDeployedDigest: report.lastDeployedDigest } : {}) },
  });
  const text = format === 'json' ? `${jsonDocument('drift', report)}\n` : format === 'junit' ? driftJunit(report) : driftText(report);
  if (req.output) {
    const file = resolve(io.root, req.output);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    io.err(`ndc drift: wrote ${req.output} (${format})`);
  } else for (const line of text.replace(/\n$/, '').split('\n')) io.out(line);
  return report.drifted > 0 || report.errors > 0 ? 1 : 0;
}

const LABEL: Record<DriftStatus, string> = { 'no-drift': 'no drift', drift: 'DRIFT', error: 'ERROR' };

export function driftText(report: DriftReport): string {
  const lines = [
    `Drift check of ${report.env} against digest ${report.digest.slice(0, 12)} (${report.checkedAt}): ${report.stacks.length} stacks, ${report.drifted} drifted, ${report.errors} not checked`,
    ...(report.lastDeployedDigest ? [`note: the last deploy in the ledger was of digest ${report.lastDeployedDigest.slice(0, 12)}; differences may be undeployed changes, not drift`] : []),
    ...report.stacks.map((s) => `  ${LABEL[s.status].padEnd(8)} ${s.id.padEnd(40)} ${s.summary}`),
    report.drifted > 0 ? `DRIFT: ${report.stacks.filter((s) => s.status === 'drift').map((s) => s.id).join(', ')} differ from what is deployed` : report.errors > 0 ? 'ERROR: some stacks could not be checked' : 'No drift: every stack matches what is deployed',
  ];
  return `${lines.join('\n')}\n`;
}

export function driftJunit(report: DriftReport): string {
  const cases = report.stacks.map((s) => {
    const open = `    <testcase classname="ndc.drift.${escapeXml(report.env)}.${s.engine}" name="${escapeXml(s.id)}" time="${((s.durationMs ?? 0) / 1000).toFixed(3)}"`;
    if (s.status === 'no-drift') return `${open}/>`;
    const tag = s.status === 'drift' ? 'failure' : 'error';
    return `${open}>\n      <${tag} message="${escapeXml(`${s.status}: ${s.summary}`)}" type="${s.status}">${escapeXml(s.output.join('\n'))}</${tag}>\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="ndc drift" tests="${report.stacks.length}" failures="${report.drifted}" errors="${report.errors}">`,
    `  <testsuite name="ndc drift ${escapeXml(report.env)}" tests="${report.stacks.length}" failures="${report.drifted}" errors="${report.errors}" timestamp="${report.checkedAt}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
