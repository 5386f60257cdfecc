import { spawn } from 'node:child_process';
import { basename, join } from 'node:path';
import { engineEnvironment } from './engine-environment';
import type { LedgerPort } from './ports';
import type { Progress } from './progress';
import { redact } from './secrets';
import type { EngineCommand, Operation, StackStep, Tool, Wave } from './waves';

/** Runs the engines wave by wave: stacks of a wave side by side, and nothing new after a failure. */
export interface StepOutcome {
  readonly id: string;
  readonly status: 'succeeded' | 'failed' | 'already-done' | 'not-started';
  readonly exitCode?: number;
  readonly durationMs?: number;
  /** The failing command, for messages. */
  readonly failedCommand?: string;
  /** Redacted output of the step's commands (the tail is shown when a step fails; plan summarises it). */
  readonly output: string[];
  readonly error?: string;
}

export interface RunResult {
  readonly ok: boolean;
  readonly outcomes: StepOutcome[];
  /** The first step that failed. */
  readonly failed?: string;
}

export interface RunContext {
  readonly root: string;
  readonly env: string;
  readonly operation: Operation;
  readonly waves: readonly Wave[];
  /** Binary of each tool the waves use. */
  readonly binaries: ReadonlyMap<Tool, string>;
  /** The environment the children inherit (credentials come only from here). */
  readonly environment: NodeJS.ProcessEnv;
  readonly secrets: readonly string[];
  /** Stacks of a wave run at most this many at a time. */
  readonly concurrency: number;
  /** Steps a resumed run does not repeat. */
  readonly alreadyDone?: ReadonlySet<string>;
  /** Previews: run every step even after one fails (nothing is changed, so nothing depends on order). */
  readonly keepGoing?: boolean;
  readonly progress: Progress;
  /**
   * Aborted on Ctrl-C / SIGTERM: no new stack starts; running engines get the signal from the terminal
   * or CI runner themselves and are waited for, so state is never left locked mid-write by ndc.
   */
  readonly signal?: AbortSignal;
  /** Where the steps are recorded; absent for `ndc plan` (previews change nothing). */
  readonly ledger?: { port: LedgerPort; actor: string; digest: string; run: string };
}

const OUTPUT_LINES_KEPT = 400;

/** `RunResult.failed` when the run was interrupted before a stack failed. */
export const INTERRUPTED = 'interrupted';

export async function runWaves(ctx: RunContext): Promise<RunResult> {
  const outcomes: StepOutcome[] = [];
  let failed: string | undefined;
  let firstFailure: string | undefined;
  ctx.progress.begin(ctx.waves);
  const interrupted = () => {
    if (ctx.signal?.aborted && failed === undefined) failed = INTERRUPTED;
    return failed;
  };
  for (const wave of ctx.waves) {
    interrupted();
    const pending = wave.steps.filter((s) => {
      if (!ctx.alreadyDone?.has(s.id)) return true;
      outcomes.push({ id: s.id, status: 'already-done', output: [] });
      ctx.progress.stepState(s, 'already-done', 'done in the run being resumed');
      return false;
    });
    if (failed !== undefined) {
      for (const step of pending) {
        outcomes.push({ id: step.id, status: 'not-started', output: [] });
        ctx.progress.stepState(step, 'not-started', `not started: ${failed} failed`);
      }
      continue;
    }
    if (pending.length === 0) continue;
    ctx.progress.waveStarted(wave);
    const queue = [...pending];
    const worker = async () => {
      for (let step = queue.shift(); step !== undefined; step = queue.shift()) {
        if (interrupted() !== undefined) {
          outcomes.push({ id: step.id, status: 'not-started', output: [] });
          ctx.progress.stepState(step, 'not-started', `not started: ${failed} failed`);
          continue;
        }
        const outcome = await runStep(ctx, step);
        outcomes.push(outcome);
        if (outcome.status === 'failed' && !ctx.keepGoing) failed ??= step.id;
        if (outcome.status === 'failed') firstFailure ??= step.id;
      }
    };
    // A wave that is not parallel (the edge stacks depend on each other) runs one stack at a time.
    const workers = wave.parallel ? Math.max(1, Math.min(ctx.concurrency, pending.length)) : 1;
    await Promise.all(Array.from({ length: workers }, worker));
  }
  ctx.progress.end();
  if (failed === INTERRUPTED) firstFailure ??= INTERRUPTED;
  const order = new Map(ctx.waves.flatMap((w) => w.steps).map((s, i) => [s.id, i]));
  outcomes.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return { ok: firstFailure === undefined, outcomes, ...(firstFailure !== undefined ? { failed: firstFailure } : {}) };
}

async function record(ctx: RunContext, step: StackStep, result: string, details: Record<string, unknown>): Promise<void> {
  if (!ctx.ledger) return;
  await ctx.ledger.port.append({
    kind: ctx.operation === 'destroy' ? 'destroy-step' : 'deploy-step',
    env: ctx.env,
    actor: ctx.ledger.actor,
    digest: ctx.ledger.digest,
    result,
    details: { scope: 'step', run: ctx.ledger.run, step: step.id, wave: step.wave, engine: step.engine, stack: step.stack, ...details },
  });
}

async function runStep(ctx: RunContext, step: StackStep): Promise<StepOutcome> {
  const started = Date.now();
  const output: string[] = [];
  const keep = (line: string) => {
    output.push(line);
    if (output.length > OUTPUT_LINES_KEPT) output.shift();
    ctx.progress.output(step, line);
  };
  const commands = step.commands.map((c) => displayCommand(c, binaryName(ctx, c.tool)));
  await record(ctx, step, 'started', { commands });
  ctx.progress.stepState(step, 'running');
  try {
    for (let i = 0; i < step.commands.length; i++) {
      const command = step.commands[i];
      ctx.progress.commandStarted(step, commands[i]);
      const exitCode = await runCommand(ctx, command, keep);
      if (!command.okExitCodes.includes(exitCode)) {
        const durationMs = Date.now() - started;
        await record(ctx, step, 'failed', { command: commands[i], exitCode, durationMs });
        ctx.progress.stepState(step, 'failed', `exit ${exitCode} from ${commands[i]}`);
        return { id: step.id, status: 'failed', exitCode, durationMs, failedCommand: commands[i], output };
      }
      if (exitCode !== 0) output.push(`(${ctx.binaries.get(command.tool) ? basename(ctx.binaries.get(command.tool)!) : command.tool} exited ${exitCode})`);
    }
  } catch (error) {
    const durationMs = Date.now() - started;
    const message = redact((error as Error).message, ctx.secrets);
    await record(ctx, step, 'failed', { error: message, durationMs });
    ctx.progress.stepState(step, 'failed', message);
    return { id: step.id, status: 'failed', durationMs, error: message, output };
  }
  const durationMs = Date.now() - started;
  await record(ctx, step, 'succeeded', { durationMs });
  ctx.progress.stepState(step, 'succeeded', `${(durationMs / 1000).toFixed(1)} s`);
  return { id: step.id, status: 'succeeded', exitCode: 0, durationMs, output };
}

function binaryName(ctx: RunContext, tool: Tool): string {
  const path = ctx.binaries.get(tool);
  return path ? basename(path) : tool;
}

/** The child's environment: the engine's allow-list of ours, the command's settings, and credentials renamed where configured. */
export function childEnvironment(command: EngineCommand, environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const child: NodeJS.ProcessEnv = { ...command.envDefaults, ...engineEnvironment(command.tool, environment), ...command.env };
  for (const name of command.envHidden ?? []) delete child[name];
  for (const [name, from] of Object.entries(command.envFrom)) {
    const value = environment[from];
    if (value !== undefined) child[name] = value;
  }
  return child;
}

function runCommand(ctx: RunContext, command: EngineCommand, line: (text: string) => void): Promise<number> {
  const binary = ctx.binaries.get(command.tool);
  if (!binary) return Promise.reject(new Error(`${command.tool} binary not resolved`));
  return new Promise((resolve, reject) => {
    const child = spawn(binary, command.args, { cwd: join(ctx.root, command.cwd), env: childEnvironment(command, ctx.environment), stdio: ['ignore', 'pipe', 'pipe'] });
    const pump = (stream: NodeJS.ReadableStream) => {
      let buffered = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split(/\r?\n/);
        buffered = lines.pop() ?? '';
        for (const l of lines) line(redact(l, ctx.secrets));
      });
      stream.on('end', () => {
        if (buffered !== '') line(redact(buffered, ctx.secrets));
      });
    };
    pump(child.stdout);
    pump(child.stderr);
    child.on('error', (error) => reject(new Error(`could not run ${binary}: ${error.message}`)));
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + 15 : 1)));
  });
}

/** Shell-like rendering of a command: what --dry-run prints and the ledger records (no secret values). */
export function displayCommand(command: EngineCommand, binary: string): string {
  const vars = [
    ...Object.entries(command.env).map(([k, v]) => `${k}=${quote(v)}`),
    ...Object.entries(command.envDefaults).map(([k, v]) => `${k}="\${${k}:-${v}}"`),
    ...Object.entries(command.envFrom).map(([k, from]) => `${k}="$${from}"`),
  ];
  return [`cd ${quote(command.cwd)} &&`, ...vars, binary, ...command.args.map(quote)].join(' ');
}

function quote(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

