import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError, inputErrorLines } from '../core/errors';
import { useSynthCache, type CacheMode } from '../stacks/cache';
import { composeCommandLine, type CommandDependencies } from './composition';
import type { CommandIO } from './io';

/**
 * The `ndc` command: parses arguments, dispatches to a handler, and turns errors into the exit codes of
 * the command contract (DESIGN.md). Handlers are loaded on demand so each command loads only what it uses.
 */
interface CommandSpec {
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  readonly positionals?: boolean;
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[], deps: CommandDependencies): Promise<number>;
}

const ENV_OPTION = { env: { type: 'string' } } as const;

export const DEFAULT_ENV = 'prod';

function envOf(values: Record<string, unknown>, deps: CommandDependencies): string {
  const env = (values.env as string | undefined) ?? deps.environment.NDC_ENV;
  if (env === undefined || env === '') throw new InputError('--env', 'is required (for example --env prod)');
  return env;
}

/**
 * Loads the environment, then lets a turn of the event loop pass before the command starts working, so an
 * environment file's unawaited rejection or zero-delay timer throw stops the command before it writes
 * anything (the entry point below turns those into one line naming the file).
 */
async function environmentSettled(deps: CommandDependencies, env: string): Promise<string> {
  deps.project.loadEnvironment(env);
  await new Promise((resolve) => setTimeout(resolve, 1));
  return env;
}

/** plan, deploy and destroy share their options and their handler module (cli/commands/deploy.ts). */
function deploySpec(command: 'plan' | 'deploy' | 'destroy', summary: string, usage: string, options: CommandSpec['options']): CommandSpec {
  return {
    summary,
    usage,
    options: { ...ENV_OPTION, ...options, concurrency: { type: 'string' } },
    async run(values, _p, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const handlers = require('./commands/deploy') as typeof import('./commands/deploy');
      const handler = { plan: handlers.planCommand, deploy: handlers.deployCommand, destroy: handlers.destroyCommand }[command];
      const opts = {
        env: await environmentSettled(deps, envOf(values, deps)),
        dryRun: values['dry-run'] === true,
        resume: values.resume === true,
        noPreview: values['no-preview'] === true,
        yes: values.yes === true,
        concurrency: values.concurrency as string | undefined,
      };
      // plan is recorded here; deploy and destroy record their gate decision, lock and every step themselves.
      return command === 'plan' ? recorded(deps, 'plan', opts.env, 'plan', () => handler(opts, deps)) : handler(opts, deps);
    },
  };
}

const COMMANDS: Record<string, CommandSpec> = {
  synth: {
    summary: 'write out/E/ artifacts and out/E/manifest.json',
    usage: 'ndc synth --env E [--json]',
    options: ENV_OPTION,
    async run(values, _p, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { synthCommand } = require('./commands/synth') as typeof import('./commands/synth');
      const env = await environmentSettled(deps, envOf(values, deps));
      return recorded(deps, 'synth', env, 'synth', () => synthCommand({ env }, deps.io));
    },
  },
  check: {
    summary: 'synthesize if needed and evaluate every policy rule pack in force (exit 1 on a mandatory failure)',
    usage: 'ndc check --env E [--format text|json|sarif|junit|markdown|html] [--output FILE] [--as-of YYYY-MM-DD] [--json]',
    options: { ...ENV_OPTION, format: { type: 'string' }, output: { type: 'string' }, 'as-of': { type: 'string' } },
    async run(values, _p, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { checkCommand } = require('./commands/check') as typeof import('./commands/check');
      const env = await environmentSettled(deps, envOf(values, deps));
      const command = ['check', ...(values.format ? ['--format', values.format as string] : []), ...(values['as-of'] ? ['--as-of', values['as-of'] as string] : [])].join(' ');
      return recorded(deps, 'check', env, command, () => checkCommand({ env, format: values.format as string | undefined, output: values.output as string | undefined, asOf: values['as-of'] as string | undefined }, deps.io));
    },
  },
  validate: {
    summary: "every artifact against the engines' schemas at the pinned versions, plus apply-time semantics (exit 1 on a rejection)",
    usage: 'ndc validate --env E [--json]',
    options: ENV_OPTION,
    async run(values, _p, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { validateCommand } = require('./commands/validate') as typeof import('./commands/validate');
      return validateCommand({ env: envOf(values, deps) }, deps.io);
    },
  },
  reach: {
    summary: 'what can reach what, and attack paths, computed from the artifacts of all engines (exit 1 on a mandatory NDC-NET failure)',
    usage: 'ndc reach --env E [--from X] [--to Y] [--format text|json|markdown] [--against DIR] [--json]',
    options: { ...ENV_OPTION, from: { type: 'string' }, to: { type: 'string' }, format: { type: 'string' }, against: { type: 'string' } },
    async run(values, _p, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { reachCommand } = require('./commands/reach') as typeof import('./commands/reach');
      return reachCommand({ env: await environmentSettled(deps, envOf(values, deps)), from: values.from as string | undefined, to: values.to as string | undefined, format: values.format as string | undefined, against: values.against as string | undefined }, deps.io);
    },
  },
  plan: deploySpec(
    'plan',
    'synth, check, gate status and what deploy would run per wave; engine previews where installed',
    'ndc plan --env E [--no-preview] [--concurrency N] [--json]',
    { 'no-preview': { type: 'boolean' } },
  ),
  deploy: deploySpec(
    'deploy',
    'refuses unless the gate is open; runs the engines in waves and records the ledger',
    'ndc deploy --env E [--dry-run] [--resume] [--concurrency N] [--json]',
    { 'dry-run': { type: 'boolean' }, resume: { type: 'boolean' } },
  ),
  destroy: deploySpec(
    'destroy',
    'tears the environment down in reverse wave order, behind the same gate',
    'ndc destroy --env E [--dry-run] [--yes] [--concurrency N] [--json]   (needs destroy approvals; asks you to type E, or --yes when stdin is not a terminal)',
    { 'dry-run': { type: 'boolean' }, yes: { type: 'boolean' } },
  ),
  drift: {
    summary: "the engines' no-change checks against what is deployed, per stack (exit 1 on drift)",
    usage: 'ndc drift --env E [--format text|json|junit] [--output FILE] [--json]',
    options: { ...ENV_OPTION, format: { type: 'string' }, output: { type: 'string' } },
    async run(values, _p, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { driftCommand } = require('./commands/drift') as typeof import('./commands/drift');
      return driftCommand({ env: envOf(values, deps), format: values.format as string | undefined, output: values.output as string | undefined }, deps);
    },
  },
  start: {
    summary: 'the main job: synthesize and check the default environment, writing its reports',
    usage: `ndc start [--env E]   (default: $NDC_ENV or ${DEFAULT_ENV})`,
    options: ENV_OPTION,
    async run(values, _p, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startCommand } = require('./commands/start') as typeof import('./commands/start');
      const env = await environmentSettled(deps, (values.env as string | undefined) ?? (deps.environment.NDC_ENV || DEFAULT_ENV));
      return recorded(deps, 'command', env, 'start', () => startCommand({ env, trustRoot: deps.trustRoot, author: deps.changeAuthor }, deps.io));
    },
  },
  approve: {
    summary: 'signs an approval of the current digest and policy digest (refused while mandatory findings are open)',
    usage: 'ndc approve --env E --key KEY --as ID [--operation deploy|destroy] [--role R] [--systems a,b] [--expires 30d] [--json]',
    options: { ...ENV_OPTION, key: { type: 'string' }, as: { type: 'string' }, operation: { type: 'string' }, role: { type: 'string' }, systems: { type: 'string' }, expires: { type: 'string' } },
    async run(values, _p, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { approveCommand } = require('./commands/approve') as typeof import('./commands/approve');
      const { evaluatePolicy } = deps.approvalPolicy();
      return approveCommand(
        { env: envOf(values, deps), key: values.key as string, as: values.as as string, operation: values.operation as string | undefined, role: values.role as string | undefined, systems: values.systems === undefined ? undefined : list(values.systems), expires: values.expires as string | undefined, evaluatePolicy, ...approvalContext(deps) },
        deps.io,
      );
    },
  },
  approvals: {
    summary: 'required vs present approvals per information system (exit 1 while any is missing)',
    usage: 'ndc approvals --env E [--operation deploy|destroy] [--json]',
    options: { ...ENV_OPTION, operation: { type: 'string' } },
    async run(values, _p, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { approvalsCommand } = require('./commands/approve') as typeof import('./commands/approve');
      const env = envOf(values, deps);
      return recorded(deps, 'command', env, 'approvals', () => approvalsCommand({ env, operation: values.operation as string | undefined, ...deps.approvalPolicy(), ...approvalContext(deps) }, deps.io));
    },
  },
  keys: {
    summary: 'keys generate --id ID --out DIR: an Ed25519 key pair for a reviewer',
    usage: 'ndc keys generate --id ID --out DIR',
    options: { id: { type: 'string' }, out: { type: 'string' } },
    positionals: true,
    async run(values, positionals, deps) {
      subcommand('keys', positionals, ['generate']);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { keysGenerateCommand } = require('./commands/keys') as typeof import('./commands/keys');
      return keysGenerateCommand({ id: values.id as string, out: values.out as string }, deps.io);
    },
  },
  reviewers: {
    summary: "reviewers add|remove|sign|list --env E: edit or show the environment's trust store",
    usage: 'ndc reviewers add --env E --id ID --public-key FILE --roles r1,r2 [--agencies a,b] [--systems s1,s2] [--not-before D] [--not-after D] [--threshold N] [--sign-with KEY --as ID]\n       ndc reviewers remove --env E --id ID [--threshold N] [--sign-with KEY --as ID]\n       ndc reviewers sign --env E --key KEY --as ID\n       ndc reviewers list --env E',
    options: {
      ...ENV_OPTION,
      id: { type: 'string' },
      name: { type: 'string' },
      'public-key': { type: 'string' },
      roles: { type: 'string' },
      agencies: { type: 'string' },
      systems: { type: 'string' },
      'not-before': { type: 'string' },
      'not-after': { type: 'string' },
      threshold: { type: 'string' },
      'sign-with': { type: 'string' },
      as: { type: 'string' },
      key: { type: 'string' },
    },
    positionals: true,
    async run(values, positionals, deps) {
      const { io } = deps;
      const action = subcommand('reviewers', positionals, ['add', 'remove', 'sign', 'list']);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const commands = require('./commands/reviewers') as typeof import('./commands/reviewers');
      const env = envOf(values, deps);
      const trustRoot = deps.trustRoot;
      const signing = { signWith: values['sign-with'] as string | undefined, as: values.as as string | undefined };
      const threshold = values.threshold === undefined ? undefined : positiveInteger('--threshold', values.threshold as string);
      switch (action) {
        case 'add':
          return commands.reviewersAddCommand({
            env,
            trustRoot,
            ...signing,
            id: values.id as string,
            name: values.name as string | undefined,
            publicKey: values['public-key'] as string,
            roles: list(values.roles),
            agencies: list(values.agencies),
            systems: list(values.systems),
            notBefore: values['not-before'] as string | undefined,
            notAfter: values['not-after'] as string | undefined,
            threshold,
          }, io);
        case 'remove':
          return commands.reviewersRemoveCommand({ env, trustRoot, ...signing, id: values.id as string, threshold }, io);
        case 'sign':
          return commands.reviewersSignCommand({ env, trustRoot, key: values.key as string, as: values.as as string }, io);
        default:
          return commands.reviewersListCommand({ env, trustRoot }, io);
      }
    },
  },
  ledger: {
    summary: 'ledger verify|checkpoint|init: check the hash chain against signed checkpoints; sign the head; install the PostgreSQL tables',
    usage:
      'ndc ledger verify [--checkpoints FILE] [--head SEQ:HASH] [--json]\n       ndc ledger checkpoint --key KEY --as ID [--env E] [--head SEQ:HASH] [--checkpoints FILE] [--print]\n       ndc ledger init [--grant ROLE[,ROLE]]   (PostgreSQL, as the schema owner)',
    options: { checkpoints: { type: 'string' }, head: { type: 'string' }, key: { type: 'string' }, as: { type: 'string' }, env: { type: 'string' }, print: { type: 'boolean' }, grant: { type: 'string' } },
    positionals: true,
    async run(values, positionals, deps) {
      const action = subcommand('ledger', positionals, ['verify', 'checkpoint', 'init']);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const commands = require('./commands/ledger') as typeof import('./commands/ledger');
      const checkpoints = values.checkpoints as string | undefined;
      const head = values.head as string | undefined;
      const common = { openLedger: deps.openLedger, trustRoot: deps.trustRoot ?? '' };
      if (action === 'init') return commands.ledgerInitCommand({ grant: list(values.grant), environment: deps.environment }, deps.io);
      if (action === 'checkpoint') {
        return commands.ledgerCheckpointCommand({ ...common, key: values.key as string, as: values.as as string, env: values.env as string | undefined, checkpoints, head, print: values.print === true }, deps.io);
      }
      return commands.ledgerVerifyCommand({ ...common, checkpoints, head }, deps.io);
    },
  },
  unlock: {
    summary: 'breaks the deploy lock of an environment (a crashed run), recording who, why and the previous holder',
    usage: 'ndc unlock --env E --reason "..." [--json]',
    options: { ...ENV_OPTION, reason: { type: 'string' } },
    async run(values, _p, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { unlockCommand } = require('./commands/unlock') as typeof import('./commands/unlock');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { actorOf } = require('../ledger/actor') as typeof import('../ledger/actor');
      return unlockCommand({ env: envOf(values, deps), reason: values.reason as string | undefined, openLedger: deps.openLedger, actor: actorOf(deps.environment) }, deps.io);
    },
  },
};

/** What the approval commands take from the composition root besides the policy evaluation. */
function approvalContext(deps: CommandDependencies) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { actorOf } = require('../deploy/deploy') as typeof import('../deploy/deploy');
  return { author: deps.changeAuthor, trustRoot: deps.trustRoot, project: deps.project, openLedger: deps.openLedger, actor: actorOf(deps.environment) };
}

/** Runs a command that acts on an environment and records it in the ledger with its actor and outcome. */
function recorded(deps: CommandDependencies, kind: 'synth' | 'check' | 'plan' | 'command', env: string, command: string, run: () => Promise<number>): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { recordedCommand } = require('../ledger/command-record') as typeof import('../ledger/command-record');
  return recordedCommand({ root: deps.io.root, kind, env, command, now: deps.io.now, environment: deps.environment, openLedger: deps.openLedger }, run);
}

function subcommand(command: string, positionals: string[], allowed: readonly string[]): string {
  const [action, ...extra] = positionals;
  if (action === undefined) throw new InputError('(no subcommand)', `ndc ${command} needs one of: ${allowed.join(', ')}`);
  if (!allowed.includes(action)) throw new InputError(JSON.stringify(action), `unknown subcommand of ndc ${command} (one of: ${allowed.join(', ')})`);
  if (extra.length > 0) throw new InputError(JSON.stringify(extra[0]), `unexpected argument after ndc ${command} ${action}`);
  return action;
}

function list(value: unknown): string[] {
  return typeof value === 'string' ? value.split(',').map((v) => v.trim()).filter((v) => v !== '') : [];
}

function positiveInteger(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InputError(flag, `${JSON.stringify(text)}: must be a whole number of at least 1`);
  return n;
}

function usage(): string[] {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'usage: ndc <command> [options]',
    '',
    ...Object.entries(COMMANDS).map(([name, spec]) => `  ${name.padEnd(width)}  ${spec.summary}`),
    '',
    'Every command takes --json for machine-readable output, and --no-cache to render every stack afresh',
    '(the synthesis cache lives in .ndc/cache/ and may be deleted at any time). Run ndc <command> --help for its options.',
  ];
}

/** Runs one command; `environment` defaults to the process environment (read in composition.ts only). */
export async function main(argv: string[], io: CommandIO, environment?: NodeJS.ProcessEnv): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    for (const line of usage()) io.out(line);
    return name === undefined ? 2 : 0;
  }
  const spec = COMMANDS[name];
  if (!spec) {
    io.err(`ndc: unknown command ${JSON.stringify(name)} (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`usage: ${spec.usage}`);
    io.out(spec.summary);
    return 0;
  }
  let previousCache: CacheMode | undefined;
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...spec.options, json: { type: 'boolean' }, 'no-cache': { type: 'boolean' } },
      allowPositionals: spec.positionals ?? false,
      strict: true,
    });
    const commandIO: CommandIO = { ...io, json: io.json || values.json === true };
    // Commands synthesize through the cache under .ndc/cache; --no-cache renders every stack afresh (and
    // records it). deploy and destroy always do: the gate's check that the environment renders to the
    // approved digest must be a fresh render, which a planted cache entry cannot stand in for.
    previousCache = useSynthCache(values['no-cache'] === true || name === 'deploy' || name === 'destroy' ? 'refresh' : 'use');
    return await spec.run(values as Record<string, string | boolean | string[] | undefined>, positionals, composeCommandLine(commandIO, environment));
  } catch (error) {
    if (error instanceof InputError) {
      for (const line of inputErrorLines(error)) io.err(`ndc ${name}: ${line}`);
      return 2;
    }
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.err(`ndc ${name}: ${(error as Error).message.split('\n')[0]} (usage: ${spec.usage})`);
      return 2;
    }
    throw error;
  } finally {
    if (previousCache !== undefined) useSynthCache(previousCache);
  }
}

/** The first line of an error's message, or its stack with NDC_DEBUG=1; URLs in it never with their credentials. */
function describe(error: unknown): string {
  const text = !(error instanceof Error) ? String(error).split('\n')[0] : process.env.NDC_DEBUG ? (error.stack ?? error.message) : (error.message.split('\n').find((l) => l.trim() !== '') ?? error.name);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { redactUrls } = require('../ledger/url') as typeof import('../ledger/url');
  // A driver's message may quote a connection URL.
  return redactUrls(text);
}

if (require.main === module || process.env.NDC_CLI_ENTRY === '1') {
  const command = process.argv[2] ?? 'ndc';
  // A reader that stops early (`ndc synth --env prod | head -1`) is not an error: stop quietly, like other unix tools.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(0);
      throw error;
    });
  }
  // An environment file's timer throw or unawaited rejection surfaces here, after loading: one line naming the file.
  const late = (error: unknown) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { environmentFileBehind } = require('../environments/load') as typeof import('../environments/load');
    const file = environmentFileBehind(error);
    if (file !== undefined) {
      process.stderr.write(`ndc ${command}: ${file}: failed after loading: ${describe(error)}\n`);
      process.exit(2);
    }
    process.stderr.write(`ndc: internal error: ${describe(error)}\n`);
    process.exit(1);
  };
  process.on('uncaughtException', late);
  process.on('unhandledRejection', late);
  const io: CommandIO = {
    root: process.env.NDC_ROOT || process.cwd(),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    json: false,
    now: () => new Date(),
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`ndc: internal error: ${describe(error)}\n`);
      process.exitCode = 1;
    },
  );
}
