import { InputError } from '../../core/errors';
import { deployEnvironment, type Terminal } from '../../deploy/deploy';
import { planEnvironment } from '../../deploy/plan';
import type { DeployPorts } from '../../deploy/ports';
import type { CommandDependencies, WiredPorts } from '../composition';

export interface DeployOptions {
  readonly env: string;
  readonly dryRun?: boolean;
  readonly resume?: boolean;
  readonly concurrency?: string;
  readonly noPreview?: boolean;
  /** destroy: do not ask for confirmation (required when stdin is not a terminal, as in CI). */
  readonly yes?: boolean;
}

/** The live task list needs a terminal on stdout; pipes, files and `--json` get plain lines. */
function terminal(): Terminal | undefined {
  if (!process.stdout.isTTY) return undefined;
  return { write: (text) => process.stdout.write(text), columns: () => process.stdout.columns ?? 80 };
}

function concurrencyOf(value: string | undefined, environment: NodeJS.ProcessEnv): number | undefined {
  const raw = value ?? environment.NDC_DEPLOY_CONCURRENCY;
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new InputError(value !== undefined ? '--concurrency' : 'NDC_DEPLOY_CONCURRENCY', `${JSON.stringify(raw)}: must be a whole number from 1 to 64`);
  return n;
}

async function withPorts(open: () => WiredPorts, run: (ports: DeployPorts) => Promise<number>): Promise<number> {
  const wired = open();
  try {
    return await run(wired);
  } finally {
    await wired.close();
  }
}

/** `ndc plan --env E`. */
export async function planCommand(opts: DeployOptions, deps: CommandDependencies): Promise<number> {
  const { io, project, environment } = deps;
  const concurrency = concurrencyOf(opts.concurrency, environment);
  return withPorts(deps.deployPorts, (p) => planEnvironment({ env: opts.env, ports: p, io, project, environment, terminal: terminal(), concurrency, noPreview: opts.noPreview }));
}

/**
 * A dry run only reads the gate. Where the real ports cannot be built yet it still lists the commands,
 * and shows the gate as closed with the reason (never as open).
 */
function dryRunPorts(deps: CommandDependencies): WiredPorts {
  try {
    return deps.deployPorts();
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    const unavailable = async (): Promise<never> => {
      throw error;
    };
    return {
      gate: { evaluate: async () => ({ open: false, reasons: [`gate unavailable: ${error.message}`] }) },
      policy: { evaluate: unavailable },
      ledger: { append: unavailable, acquireLock: unavailable, renewLock: unavailable, releaseLock: unavailable, lastRun: unavailable, head: unavailable },
      close: async () => undefined,
    };
  }
}

/**
 * Ctrl-C or SIGTERM (a cancelled CI job) stops the run between stacks; the engines receive the signal
 * from the terminal or runner themselves. A second signal exits at once (the lock lease then runs out).
 */
async function interruptible(run: (signal: AbortSignal) => Promise<number>): Promise<number> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write(`ndc: ${name}: finishing the running stacks, starting no new one (again to quit now)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await run(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** `ndc deploy --env E [--dry-run] [--resume]`. */
export async function deployCommand(opts: DeployOptions, deps: CommandDependencies): Promise<number> {
  const { io, project, environment } = deps;
  const concurrency = concurrencyOf(opts.concurrency, environment);
  return withPorts(opts.dryRun && !opts.resume ? () => dryRunPorts(deps) : deps.deployPorts, (p) =>
    interruptible((signal) => deployEnvironment({ env: opts.env, operation: 'deploy', dryRun: opts.dryRun, resume: opts.resume, ports: p, io, project, environment, terminal: terminal(), concurrency, signal })),
  );
}

/**
 * Asks on the terminal to type the environment's name; anything else, or end of input, is a no.
 * Only called when stdin is a terminal.
 */
function typedConfirmation(env: string): (question: string) => Promise<boolean> {
  return async (question) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createInterface } = require('node:readline') as typeof import('node:readline');
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await new Promise<string>((resolve) => {
        rl.question(question, resolve);
        rl.on('close', () => resolve(''));
      });
      return answer.trim() === env;
    } finally {
      rl.close();
    }
  };
}

/** `ndc destroy --env E [--dry-run] [--yes]`: the same gate with destroy approvals, the waves in reverse, after confirmation. */
export async function destroyCommand(opts: DeployOptions, deps: CommandDependencies, stdinIsTerminal: boolean = process.stdin.isTTY === true): Promise<number> {
  const { io, project, environment } = deps;
  const concurrency = concurrencyOf(opts.concurrency, environment);
  if (!opts.dryRun && !opts.yes && !stdinIsTerminal) {
    throw new InputError('--yes', `ndc destroy --env ${opts.env} asks you to type ${opts.env} on a terminal; stdin is not one (CI), so pass --yes to confirm`);
  }
  const confirm = opts.yes || opts.dryRun ? undefined : typedConfirmation(opts.env);
  return withPorts(opts.dryRun ? () => dryRunPorts(deps) : deps.deployPorts, (p) =>
    interruptible((signal) => deployEnvironment({ env: opts.env, operation: 'destroy', dryRun: opts.dryRun, ports: p, io, project, environment, terminal: terminal(), concurrency, signal, confirm })),
  );
}
