import { parseArgs, type ParseArgsConfig } from 'node:util';
import { InputError } from '../core/errors';
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
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[], io: CommandIO): Promise<number>;
}

const ENV_OPTION = { env: { type: 'string' } } as const;

export const DEFAULT_ENV = 'prod';

function envOf(values: Record<string, unknown>): string {
  const env = (values.env as string | undefined) ?? process.env.NDC_ENV;
  if (env === undefined || env === '') throw new InputError('--env', 'is required (for example --env prod)');
  return env;
}

const COMMANDS: Record<string, CommandSpec> = {
  synth: {
    summary: 'write out/E/ artifacts and out/E/manifest.json',
    usage: 'ndc synth --env E [--json]',
    options: ENV_OPTION,
    async run(values, _p, io) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { synthCommand } = require('./commands/synth') as typeof import('./commands/synth');
      return synthCommand({ env: envOf(values) }, io);
    },
  },
  check: {
    summary: 'synthesize if needed and evaluate every policy rule pack in force (exit 1 on a mandatory failure)',
    usage: 'ndc check --env E [--format text|json|sarif|junit|markdown|html] [--output FILE] [--as-of YYYY-MM-DD] [--json]',
    options: { ...ENV_OPTION, format: { type: 'string' }, output: { type: 'string' }, 'as-of': { type: 'string' } },
    async run(values, _p, io) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { checkCommand } = require('./commands/check') as typeof import('./commands/check');
      return checkCommand({ env: envOf(values), format: values.format as string | undefined, output: values.output as string | undefined, asOf: values['as-of'] as string | undefined }, io);
    },
  },
  validate: {
    summary: "every artifact against the engines' schemas at the pinned versions, plus apply-time semantics (exit 1 on a rejection)",
    usage: 'ndc validate --env E [--json]',
    options: ENV_OPTION,
    async run(values, _p, io) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { validateCommand } = require('./commands/validate') as typeof import('./commands/validate');
      return validateCommand({ env: envOf(values) }, io);
    },
  },
  plan: {
    summary: 'synth, check, gate status and what deploy would run per wave; engine previews where installed',
    usage: 'ndc plan --env E [--no-preview] [--concurrency N] [--json]',
    options: { ...ENV_OPTION, 'no-preview': { type: 'boolean' }, concurrency: { type: 'string' } },
    async run(values, _p, io) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { planCommand } = require('./commands/deploy') as typeof import('./commands/deploy');
      return planCommand({ env: envOf(values), noPreview: values['no-preview'] === true, concurrency: values.concurrency as string | undefined }, io);
    },
  },
  deploy: {
    summary: 'refuses unless the gate is open; runs the engines in waves and records the ledger',
    usage: 'ndc deploy --env E [--dry-run] [--resume] [--concurrency N] [--json]',
    options: { ...ENV_OPTION, 'dry-run': { type: 'boolean' }, resume: { type: 'boolean' }, concurrency: { type: 'string' } },
    async run(values, _p, io) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { deployCommand } = require('./commands/deploy') as typeof import('./commands/deploy');
      return deployCommand({ env: envOf(values), dryRun: values['dry-run'] === true, resume: values.resume === true, concurrency: values.concurrency as string | undefined }, io);
    },
  },
  destroy: {
    summary: 'tears the environment down in reverse wave order, behind the same gate',
    usage: 'ndc destroy --env E [--dry-run] [--concurrency N] [--json]',
    options: { ...ENV_OPTION, 'dry-run': { type: 'boolean' }, concurrency: { type: 'string' } },
    async run(values, _p, io) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { destroyCommand } = require('./commands/deploy') as typeof import('./commands/deploy');
      return destroyCommand({ env: envOf(values), dryRun: values['dry-run'] === true, concurrency: values.concurrency as string | undefined }, io);
    },
  },
  drift: {
    summary: "the engines' no-change checks against what is deployed, per stack (exit 1 on drift)",
    usage: 'ndc drift --env E [--format text|json|junit] [--output FILE] [--json]',
    options: { ...ENV_OPTION, format: { type: 'string' }, output: { type: 'string' } },
    async run(values, _p, io) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { driftCommand } = require('./commands/drift') as typeof import('./commands/drift');
      return driftCommand({ env: envOf(values), format: values.format as string | undefined, output: values.output as string | undefined }, io);
    },
  },
  start: {
    summary: 'the main job: synthesize and check the default environment, writing its reports',
    usage: `ndc start [--env E]   (default: $NDC_ENV or ${DEFAULT_ENV})`,
    options: ENV_OPTION,
    async run(values, _p, io) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startCommand } = require('./commands/start') as typeof import('./commands/start');
      return startCommand({ env: (values.env as string | undefined) ?? (process.env.NDC_ENV || DEFAULT_ENV) }, io);
    },
  },
  approve: {
    summary: 'signs an approval of the current digest and policy digest (refused while mandatory findings are open)',
    usage: 'ndc approve --env E --key KEY --as ID [--role R] [--systems a,b] [--expires 30d] [--json]',
    options: { ...ENV_OPTION, key: { type: 'string' }, as: { type: 'string' }, role: { type: 'string' }, systems: { type: 'string' }, expires: { type: 'string' } },
    async run(values, _p, io) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { approveCommand } = require('./commands/approve') as typeof import('./commands/approve');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { approvalPolicyContext } = require('../policies/outcome') as typeof import('../policies/outcome');
      const { evaluatePolicy } = approvalPolicyContext(io.root, io.now());
      return approveCommand({ env: envOf(values), key: values.key as string, as: values.as as string, role: values.role as string | undefined, systems: values.systems === undefined ? undefined : list(values.systems), expires: values.expires as string | undefined, evaluatePolicy }, io);
    },
  },
  approvals: {
    summary: 'required vs present approvals per information system (exit 1 while any is missing)',
    usage: 'ndc approvals --env E [--json]',
    options: ENV_OPTION,
    async run(values, _p, io) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { approvalsCommand } = require('./commands/approve') as typeof import('./commands/approve');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { approvalPolicyContext } = require('../policies/outcome') as typeof import('../policies/outcome');
      return approvalsCommand({ env: envOf(values), ...approvalPolicyContext(io.root, io.now()) }, io);
    },
  },
  keys: {
    summary: 'keys generate --id ID --out DIR: an Ed25519 key pair for a reviewer',
    usage: 'ndc keys generate --id ID --out DIR',
    options: { id: { type: 'string' }, out: { type: 'string' } },
    positionals: true,
    async run(values, positionals, io) {
      subcommand('keys', positionals, ['generate']);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { keysGenerateCommand } = require('./commands/keys') as typeof import('./commands/keys');
      return keysGenerateCommand({ id: values.id as string, out: values.out as string }, io);
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
    async run(values, positionals, io) {
      const action = subcommand('reviewers', positionals, ['add', 'remove', 'sign', 'list']);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const commands = require('./commands/reviewers') as typeof import('./commands/reviewers');
      const env = envOf(values);
      const signing = { signWith: values['sign-with'] as string | undefined, as: values.as as string | undefined };
      const threshold = values.threshold === undefined ? undefined : positiveInteger('--threshold', values.threshold as string);
      switch (action) {
        case 'add':
          return commands.reviewersAddCommand({
            env,
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
          return commands.reviewersRemoveCommand({ env, ...signing, id: values.id as string, threshold }, io);
        case 'sign':
          return commands.reviewersSignCommand({ env, key: values.key as string, as: values.as as string }, io);
        default:
          return commands.reviewersListCommand({ env }, io);
      }
    },
  },
  ledger: {
    summary: 'ledger verify: check the hash chain of the ledger (exit 1 if tampered)',
    usage: 'ndc ledger verify',
    options: {},
    positionals: true,
    async run(_values, positionals, io) {
      subcommand('ledger', positionals, ['verify']);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { ledgerVerifyCommand } = require('./commands/ledger') as typeof import('./commands/ledger');
      return ledgerVerifyCommand({}, io);
    },
  },
};

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
    'Every command takes --json for machine-readable output. Run ndc <command> --help for its options.',
  ];
}

export async function main(argv: string[], io: CommandIO): Promise<number> {
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
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...spec.options, json: { type: 'boolean' } },
      allowPositionals: spec.positionals ?? false,
      strict: true,
    });
    const commandIO: CommandIO = { ...io, json: io.json || values.json === true };
    return await spec.run(values as Record<string, string | boolean | string[] | undefined>, positionals, commandIO);
  } catch (error) {
    if (error instanceof InputError) {
      io.err(`ndc ${name}: ${error.message}`);
      return 2;
    }
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      io.err(`ndc ${name}: ${(error as Error).message.split('\n')[0]} (usage: ${spec.usage})`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module || process.env.NDC_CLI_ENTRY === '1') {
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
      process.stderr.write(`ndc: internal error: ${error instanceof Error ? (process.env.NDC_DEBUG ? error.stack : error.message) : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
