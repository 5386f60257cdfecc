// First: starts evaluating the environment file on the helper thread while the rest loads.
import { DEFAULT_ENV } from './early';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { InputError, inputErrorLines } from '../core/errors';
import { aroundProgress, installProgress, type ProgressTerminal } from '../core/progress-line';
import { SOURCE_ROOT } from '../core/source-root';
import { useSynthCache, type CacheMode } from '../stacks/cache';
import { printError } from './commands/common';
import { composeCommandLine, type CommandDependencies } from './composition';
import { CHANGE_AUTHOR_VARIABLE } from '../policies/approvals/identity';
import { evaluateAhead, isolateEnvironments, type Isolation, type LoadedEnvironment } from '../environments/load';
import type { Manifest } from '../stacks/manifest';
import type { CommandIO } from './io';

/**
 * The `ndc` command: parses arguments with commander, dispatches to a handler, and turns errors into the
 * exit codes of the command contract (DESIGN.md). Handlers are loaded on demand so each command loads only
 * what it uses.
 *
 * Adding a command is one entry in COMMANDS below (a subcommand is named "group action", e.g.
 * "ledger verify", and its group needs a line in GROUPS):
 *   - `options`: flags with a description each; `required: true` makes the dispatcher name it when missing
 *     (all missing ones at once). --json, --no-cache and --help are added to every command.
 *   - `exitCodes`, `environment` (variable names from ENVIRONMENT_VARIABLES) and `example` make its help page.
 *   - `run(values, deps)`: require the handler module inside it; values are commander's camelCase names.
 *   - `--json` output goes through printJson(io, '<command>', body) (cli/commands/common.ts), errors through
 *     InputError (exit 2); the handler returns the exit code.
 * test/cli.test.ts checks every entry has a description per option, exit codes, an example and a JSON schema.
 */
export interface OptionSpec {
  /** Commander flags: `--env <E>`, `--dry-run`, `--no-preview`. */
  readonly flags: string;
  readonly description: string;
  /** Named by the dispatcher when missing (with `hint`); `--env` may come from NDC_ENV instead. */
  readonly required?: boolean;
  /** What to give, said when the option is missing: "your reviewer id in the trust store". */
  readonly hint?: string;
}

export interface CommandSpec {
  readonly summary: string;
  readonly options: readonly OptionSpec[];
  readonly exitCodes: Readonly<Record<number, string>>;
  /** Variables the command reads (keys of ENVIRONMENT_VARIABLES). */
  readonly environment: readonly string[];
  readonly example: string;
  /** One positional argument (`ndc evidence verify FILE`), handed to run as values[name]. */
  readonly argument?: { readonly name: string; readonly description: string };
  run(values: Values, deps: CommandDependencies): Promise<number>;
}

export type Values = Record<string, string | boolean | undefined>;

export { DEFAULT_ENV };

/** Every variable a command reads (composition.ts is where they are read), with what it does. */
export const ENVIRONMENT_VARIABLES: Readonly<Record<string, string>> = {
  NDC_ENV: 'the environment when --env is not given',
  NDC_ROOT: 'the project directory (default: the current directory)',
  NDC_CHANGE_AUTHOR: "the change's author, whose own approvals never count",
  NDC_TRUST_ROOT: 'sha256 of trust-store version 1 per environment (comma-separated): what makes the trust store trusted',
  NDC_LEDGER_URL: 'postgres://... for a shared ledger (default .ndc/ledger.sqlite)',
  NDC_LEDGER_SCHEMA: 'the PostgreSQL schema of the ledger (default ndc)',
  NDC_ACTOR: 'who runs the command, for the ledger (default the CI user, else user@host)',
  NDC_DEPLOY_CONCURRENCY: 'stacks run at once within a wave when --concurrency is not given',
  NDC_LOCK_LEASE: 'how long a deploy lock lasts without renewal (default 5m)',
  NDC_ENGINE_ENV: 'extra variables (NAME or PREFIX_*) the engines may see',
  NDC_TF_BIN: 'the OpenTofu/Terraform binary (default tofu, else terraform)',
  PULUMI_BACKEND_URL: 'where Pulumi keeps state',
  CI: 'set by CI systems: no live task list, no confirmation prompts',
  NDC_DEBUG: '1: print stack traces of internal errors',
};

const ENV: OptionSpec = { flags: '--env <E>', description: 'the environment: environments/<E>.ts', required: true, hint: 'for example --env prod' };
const LEDGER_VARIABLES = ['NDC_LEDGER_URL', 'NDC_LEDGER_SCHEMA', 'NDC_ACTOR'];
const COMMON_VARIABLES = ['NDC_ROOT', 'NDC_CHANGE_AUTHOR', 'NDC_DEBUG'];
const ENV_VARIABLES = ['NDC_ENV', ...COMMON_VARIABLES];
const APPROVAL_VARIABLES = ['NDC_TRUST_ROOT', ...LEDGER_VARIABLES];
const DEPLOY_VARIABLES = [...ENV_VARIABLES, ...APPROVAL_VARIABLES, 'NDC_DEPLOY_CONCURRENCY', 'NDC_LOCK_LEASE', 'NDC_ENGINE_ENV', 'NDC_TF_BIN', 'PULUMI_BACKEND_URL', 'CI'];
const BAD_INPUT = { 2: 'bad input (a flag, an environment file, an artifact): one line saying where and why' } as const;

function str(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

function envOf(values: Values, deps: CommandDependencies): string {
  // The dispatcher has checked that --env or NDC_ENV is given.
  return str(values, 'env') ?? (deps.environment.NDC_ENV as string);
}

/**
 * What synthesis loads first: the Terraform engine library and the stacks (stacks/terraform/app.ts) here,
 * the public edge's (aws-cdk-lib) on the helper thread, which renders the edge.
 */
const SYNTHESIS_MODULES = () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('../stacks/terraform/app');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../stacks/public-edge/ahead') as typeof import('../stacks/public-edge/ahead')).loadEdgeAhead();
};
/**
 * What the checks load first: the rule packs, and the validators' Kubernetes object models here, or, for
 * `ndc start`, every validator on the helper thread, which validates a fresh render there while this
 * thread builds the manifest (policies/validation/ahead.ts).
 */
function loadCheckModules(validators: 'here' | 'on-helper'): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { PACKS } = require('../policies/registry') as typeof import('../policies/registry');
  for (const pack of Object.values(PACKS)) pack.load();
  if (validators === 'here') (require('../policies/validation/kubernetes') as typeof import('../policies/validation/kubernetes')).loadModelsAhead();
  else (require('../policies/validation/ahead') as typeof import('../policies/validation/ahead')).loadValidationAhead();
  /* eslint-enable @typescript-eslint/no-require-imports */
}
const CHECK_MODULES = () => loadCheckModules('here');
const START_CHECK_MODULES = () => loadCheckModules('on-helper');

/**
 * Loads the environment, then lets a turn of the event loop pass before the command starts working, so an
 * environment file's unawaited rejection or zero-delay timer throw stops the command before it writes
 * anything (the entry point below turns those into one line naming the file).
 */
async function environmentSettled(deps: CommandDependencies, env: string, meanwhile?: () => void, warm: readonly (() => void)[] = []): Promise<string> {
  // A file evaluated afresh is bundled and run in a child process: on the helper thread, while this one
  // loads the command (`meanwhile`) and, then only, what it will load right after (`warm`).
  const ahead = meanwhile !== undefined && evaluateAhead(deps.project.root, env);
  meanwhile?.();
  if (ahead) for (const load of warm) load();
  deps.project.loadEnvironment(env);
  await new Promise((resolve) => setTimeout(resolve, 1));
  return env;
}

/**
 * Deploying or destroying a staging or production environment needs the PostgreSQL ledger: the gate
 * judges a change against what was deployed before (each scope's level and owner, the approvals table,
 * the trust store accepted), read from the ledger, and the local one is a file under .ndc/ that anyone
 * with the checkout can replace. It also needs the change's author (NDC_CHANGE_AUTHOR), whose own
 * approvals never count: unset, nobody would be excluded. Development environments need neither.
 */
function requireSharedLedger(env: LoadedEnvironment['env'], environment: NodeJS.ProcessEnv): void {
  // ledger/open.ts's LEDGER_URL_VARIABLE, named here so the command line does not load the ledger drivers.
  const LEDGER_URL_VARIABLE = 'NDC_LEDGER_URL';
  if (env.stage === 'development') return;
  if ((environment[CHANGE_AUTHOR_VARIABLE] ?? '').trim() === '') {
    throw new InputError(CHANGE_AUTHOR_VARIABLE, `is not set: ${env.name} is a ${env.stage} environment, and the approvals of the change's author never count for it; set it to the author's reviewer id (the CI templates take the merge request's author)`);
  }
  if ((environment[LEDGER_URL_VARIABLE] ?? '').trim() !== '') return;
  throw new InputError(
    LEDGER_URL_VARIABLE,
    `is not set: ${env.name} is a ${env.stage} environment, and its deploys are judged against the deploys recorded before them, which the local ledger (.ndc/ledger.sqlite, a file anyone with the checkout can replace) cannot vouch for; set ${LEDGER_URL_VARIABLE}=postgres://... (docs/ledger.md)`,
  );
}

const CONCURRENCY: OptionSpec = { flags: '--concurrency <N>', description: 'stacks run at once within a wave, 1-64 (default: NDC_DEPLOY_CONCURRENCY, else 4)' };

/** plan, deploy and destroy share their handler module (cli/commands/deploy.ts). */
function deploySpec(command: 'plan' | 'deploy' | 'destroy', spec: Omit<CommandSpec, 'run' | 'environment'>): CommandSpec {
  return {
    ...spec,
    environment: DEPLOY_VARIABLES,
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const handlers = require('./commands/deploy') as typeof import('./commands/deploy');
      const handler = { plan: handlers.planCommand, deploy: handlers.deployCommand, destroy: handlers.destroyCommand }[command];
      const opts = {
        env: await environmentSettled(deps, envOf(values, deps)),
        dryRun: values.dryRun === true,
        resume: values.resume === true,
        noPreview: values.preview === false,
        yes: values.yes === true,
        concurrency: str(values, 'concurrency'),
      };
      if (command !== 'plan' && !opts.dryRun) requireSharedLedger(deps.project.loadEnvironment(opts.env).env, deps.environment);
      // plan is recorded here; deploy and destroy record their gate decision, lock and every step themselves.
      return command === 'plan' ? recorded(deps, 'plan', opts.env, 'plan', () => handler(opts, deps)) : handler(opts, deps);
    },
  };
}

/** The groups of subcommands: `ndc keys generate`, `ndc reviewers add`, `ndc ledger verify`. */
const GROUPS: Readonly<Record<string, string>> = {
  keys: 'reviewer key pairs',
  reviewers: "edit or show an environment's trust store (who may approve what; changes signed by the previous version's reviewers)",
  ledger: 'the append-only, hash-chained ledger: verify it, sign checkpoints of its head, install its PostgreSQL tables',
};

export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  synth: {
    summary: 'write out/E/ artifacts and out/E/manifest.json',
    options: [ENV],
    exitCodes: { 0: 'synthesized', ...BAD_INPUT },
    environment: ENV_VARIABLES,
    example: 'ndc synth --env prod',
    async run(values, deps) {
      let commandModule!: typeof import('./commands/synth');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const env = await environmentSettled(deps, envOf(values, deps), () => (commandModule = require('./commands/synth') as typeof commandModule), [SYNTHESIS_MODULES]);
      const { synthCommand } = commandModule;
      return recorded(deps, 'synth', env, 'synth', () => synthCommand({ env, loaded: deps.project.loadEnvironment(env) }, deps.io));
    },
  },
  check: {
    summary: 'synthesize if needed and evaluate every policy rule pack in force',
    options: [
      ENV,
      { flags: '--format <F>', description: 'text, json, sarif, junit, markdown or html (default text; json with --json)' },
      { flags: '--output <FILE>', description: 'write the report to FILE (outside the project inputs) and print the verdict' },
      { flags: '--as-of <YYYY-MM-DD>', description: 'the date the checks treat as today (reproducible reports)' },
      { flags: '--profile <P>', description: "another regulation profile (vn-2026): the transition report, what would fail under it and by which deadline" },
    ],
    exitCodes: { 0: 'no mandatory failure (with --profile: nothing would fail under P)', 1: 'mandatory failures (or files in out/E/ the manifest does not list; with --profile: something would fail under P)', ...BAD_INPUT },
    environment: ENV_VARIABLES,
    example: 'ndc check --env prod --format sarif --output reports/prod.sarif',
    async run(values, deps) {
      let commandModule!: typeof import('./commands/check');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const env = await environmentSettled(deps, envOf(values, deps), () => (commandModule = require('./commands/check') as typeof commandModule), [CHECK_MODULES]);
      const { checkCommand } = commandModule;
      const format = str(values, 'format');
      const asOf = str(values, 'asOf');
      const profile = str(values, 'profile');
      const command = ['check', ...(format ? ['--format', format] : []), ...(asOf ? ['--as-of', asOf] : []), ...(profile ? ['--profile', profile] : [])].join(' ');
      return recorded(deps, 'check', env, command, () => checkCommand({ env, format, output: str(values, 'output'), asOf, profile, trustRoot: deps.trustRoot }, deps.io));
    },
  },
  validate: {
    summary: "every artifact against the engines' schemas at the pinned versions, plus apply-time semantics",
    options: [ENV],
    exitCodes: { 0: 'every artifact valid', 1: 'an engine would reject an artifact', ...BAD_INPUT },
    environment: ENV_VARIABLES,
    example: 'ndc validate --env prod',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { validateCommand } = require('./commands/validate') as typeof import('./commands/validate');
      return validateCommand({ env: envOf(values, deps) }, deps.io);
    },
  },
  reach: {
    summary: 'what can reach what, and attack paths, computed from the artifacts of all engines',
    options: [
      ENV,
      { flags: '--from <X>', description: 'only paths from X: internet, gov-network, a cluster, a system, a zone or an endpoint id' },
      { flags: '--to <Y>', description: 'only paths to Y (same choices as --from)' },
      { flags: '--format <F>', description: 'text, json or markdown (default text; json with --json)' },
      { flags: '--against <DIR>', description: 'also show what changed against another synthesized directory (as out/E/)' },
    ],
    exitCodes: { 0: 'no mandatory NDC-NET failure', 1: 'a mandatory NDC-NET rule fails', ...BAD_INPUT },
    environment: ENV_VARIABLES,
    example: 'ndc reach --env prod --from internet --to database',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { reachCommand } = require('./commands/reach') as typeof import('./commands/reach');
      return reachCommand({ env: await environmentSettled(deps, envOf(values, deps)), from: str(values, 'from'), to: str(values, 'to'), format: str(values, 'format'), against: str(values, 'against') }, deps.io);
    },
  },
  schedule: {
    summary: 'what falls due: evidence to renew, contracts, approvals and reviewer keys expiring (text, json, or an iCalendar to subscribe to)',
    options: [
      ENV,
      { flags: '--days <N>', description: 'the window, 1-3660 days (default 90)' },
      { flags: '--format <F>', description: 'text, json or ical (default text; json with --json)' },
      { flags: '--output <FILE>', description: 'write the schedule to FILE (outside the project inputs), for example a calendar to publish' },
      { flags: '--as-of <YYYY-MM-DD>', description: "the day the schedule is computed for (default: the environment's asOf, else today)" },
    ],
    exitCodes: { 0: 'the schedule (even when something is overdue)', ...BAD_INPUT },
    environment: ENV_VARIABLES,
    example: 'ndc schedule --env prod --format ical --output calendar/prod.ics',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { scheduleCommand } = require('./commands/schedule') as typeof import('./commands/schedule');
      const env = await environmentSettled(deps, envOf(values, deps));
      return scheduleCommand({ env, days: str(values, 'days'), format: str(values, 'format'), output: str(values, 'output'), asOf: str(values, 'asOf') }, deps.io, deps.project);
    },
  },
  evidence: {
    summary: 'the signed, reproducible evidence archive (tar.gz) for the periodic assessment; ndc evidence verify FILE checks one',
    options: [
      ENV,
      { flags: '--out <FILE>', description: 'the archive to write (outside the project inputs)', required: true, hint: 'for example --out reports/evidence-prod.tar.gz' },
      { flags: '--key <KEY>', description: 'your private key file', required: true, hint: 'the .key file written by ndc keys generate' },
      { flags: '--as <ID>', description: 'your reviewer id in the trust store', required: true, hint: 'your reviewer id in the trust store' },
      { flags: '--as-of <YYYY-MM-DD>', description: "the day the archive is made for (default: the environment's asOf, else today)" },
      { flags: '--since <YYYY-MM-DD>', description: 'first day of the ledger extract (default: a year before --as-of)' },
    ],
    exitCodes: { 0: 'written', ...BAD_INPUT },
    environment: [...ENV_VARIABLES, 'NDC_TRUST_ROOT', 'NDC_LEDGER_URL', 'NDC_LEDGER_SCHEMA'],
    example: 'ndc evidence --env prod --out reports/evidence-prod.tar.gz --key keys/auditor.key --as auditor',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { evidenceCommand } = require('./commands/evidence') as typeof import('./commands/evidence');
      const env = await environmentSettled(deps, envOf(values, deps));
      return evidenceCommand(
        { env, out: str(values, 'out'), key: str(values, 'key'), as: str(values, 'as'), asOf: str(values, 'asOf'), since: str(values, 'since'), openLedger: deps.openLedger, trustRoots: deps.trustRoots, project: deps.project },
        deps.io,
      );
    },
  },
  'evidence verify': {
    summary: "checks every entry of an evidence archive against its signed index, and the signature against the archive's trust store pinned by NDC_TRUST_ROOT",
    argument: { name: 'file', description: 'the evidence archive (.tar.gz)' },
    options: [],
    exitCodes: { 0: 'intact and signed by a trusted reviewer', 1: 'an entry changed, added or removed, or the signer not trusted (one line naming it)', 2: 'not an evidence archive, or no such file' },
    environment: [...COMMON_VARIABLES, 'NDC_TRUST_ROOT'],
    example: 'NDC_TRUST_ROOT=<sha256> ndc evidence verify reports/evidence-prod.tar.gz',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { evidenceVerifyCommand } = require('./commands/evidence') as typeof import('./commands/evidence');
      return evidenceVerifyCommand({ file: str(values, 'file'), trustRoots: deps.trustRoots }, deps.io);
    },
  },
  diff: {
    summary: 'per scope (system or platform): resources and attributes changed since --against, the approvals that voids, who must sign again',
    options: [
      ENV,
      { flags: '--against <REF>', description: 'approved (default: the last state every scope was approved in), the digest of a stored approved state or deploy snapshot (8+ hex digits), or a git revision' },
      { flags: '--format <F>', description: 'text, json or markdown for a pull-request comment (default text; json with --json)' },
    ],
    exitCodes: { 0: 'the diff was shown (changed or not)', ...BAD_INPUT },
    environment: [...ENV_VARIABLES, 'NDC_TRUST_ROOT'],
    example: 'ndc diff --env prod --against main --format markdown',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { diffCommand } = require('./commands/diff') as typeof import('./commands/diff');
      const env = await environmentSettled(deps, envOf(values, deps));
      return diffCommand({ env, against: str(values, 'against'), format: str(values, 'format'), trustRoots: deps.trustRoots, loaded: deps.project.loadEnvironment(env) }, deps.io);
    },
  },
  plan: deploySpec('plan', {
    summary: 'synth, check, gate status and what deploy would run per wave; engine previews where installed',
    options: [ENV, { flags: '--no-preview', description: "skip the engines' previews (plan, preview, diff)" }, CONCURRENCY],
    exitCodes: { 0: 'no mandatory failure', 1: 'mandatory failures or a failed preview', ...BAD_INPUT },
    example: 'ndc plan --env staging --json',
  }),
  deploy: deploySpec('deploy', {
    summary: 'refuses unless the gate is open; runs the engines in waves and records the ledger',
    options: [ENV, { flags: '--dry-run', description: 'show the gate and the commands, run nothing' }, { flags: '--resume', description: "finish an interrupted run of the same digest, skipping the stacks it completed" }, CONCURRENCY],
    exitCodes: { 0: 'deployed (or dry run shown)', 1: 'refused by the gate, or an engine failed', ...BAD_INPUT },
    example: 'ndc deploy --env staging --dry-run',
  }),
  destroy: deploySpec('destroy', {
    summary: 'tears the environment down in reverse wave order, behind the same gate (needs destroy approvals)',
    options: [ENV, { flags: '--dry-run', description: 'show the gate and the commands, run nothing' }, { flags: '--yes', description: 'confirm without typing E (required when stdin is not a terminal, as in CI)' }, CONCURRENCY],
    exitCodes: { 0: 'destroyed (or dry run shown)', 1: 'refused by the gate, not confirmed, or an engine failed', ...BAD_INPUT },
    example: 'ndc destroy --env dev --yes',
  }),
  drift: {
    summary: "the engines' no-change checks against what is deployed, per stack",
    options: [ENV, { flags: '--format <F>', description: 'text, json or junit (default text; json with --json)' }, { flags: '--output <FILE>', description: 'write the report to FILE' }],
    exitCodes: { 0: 'no drift', 1: 'drift, or a check that could not run', ...BAD_INPUT },
    environment: DEPLOY_VARIABLES,
    example: 'ndc drift --env prod --format junit --output reports/drift.xml',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { driftCommand } = require('./commands/drift') as typeof import('./commands/drift');
      return driftCommand({ env: envOf(values, deps), format: str(values, 'format'), output: str(values, 'output') }, deps);
    },
  },
  start: {
    summary: 'the main job (npm start): synthesize and check the default environment, writing its reports',
    options: [{ flags: '--env <E>', description: `the environment (default: NDC_ENV, else ${DEFAULT_ENV})` }],
    exitCodes: { 0: 'no mandatory failure', 1: 'mandatory failures (the reports are written)', ...BAD_INPUT },
    // NDC_TRUST_ROOT: the report's approval status per system is judged against the pinned trust store.
    environment: [...ENV_VARIABLES, 'NDC_TRUST_ROOT'],
    example: 'ndc start   # writes reports/prod/report.html and report.sarif',
    async run(values, deps) {
      let commandModule!: typeof import('./commands/start');
      const name = str(values, 'env') ?? (deps.environment.NDC_ENV || DEFAULT_ENV);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const env = await environmentSettled(deps, name, () => (commandModule = require('./commands/start') as typeof commandModule), [SYNTHESIS_MODULES, START_CHECK_MODULES]);
      const { startCommand } = commandModule;
      return recorded(deps, 'command', env, 'start', () => startCommand({ env, trustRoot: deps.trustRoot, author: deps.changeAuthor, loaded: deps.project.loadEnvironment(env) }, deps.io));
    },
  },
  approve: {
    summary: 'signs an approval of the current digest and policy digest (refused while mandatory findings are open)',
    options: [
      ENV,
      { flags: '--key <KEY>', description: 'your private key file (from ndc keys generate)', required: true, hint: 'your private key file from ndc keys generate' },
      { flags: '--as <ID>', description: 'your reviewer id in the trust store', required: true, hint: 'your reviewer id in the trust store' },
      { flags: '--operation <OP>', description: 'deploy (default) or destroy: each needs its own approvals' },
      { flags: '--role <R>', description: 'the role you approve in (needed when you hold several)' },
      { flags: '--systems <a,b>', description: 'only these systems (default: every system you may approve in that role)' },
      { flags: '--expires <D>', description: 'validity, like 30d or 12h (default 30d, at most the environment allows)' },
    ],
    exitCodes: { 0: 'approval written under approvals/E/', 1: 'refused (open mandatory findings, not eligible, your own change)', ...BAD_INPUT },
    environment: [...ENV_VARIABLES, ...APPROVAL_VARIABLES],
    example: 'ndc approve --env prod --key keys/alice.key --as alice',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { approveCommand } = require('./commands/approve') as typeof import('./commands/approve');
      // No synthesis here: a reviewer signs exactly what out/E/ holds, and approve refuses (naming what to run)
      // when it is not what the environment renders now.
      const env = envOf(values, deps);
      const { evaluatePolicy } = deps.approvalPolicy();
      // The reviewer sees what changed in the scopes they are about to sign since the last approved state (ndc diff).
      const showChanges = (io: CommandIO, manifest: Manifest, statement: { scopes: readonly { id: string }[] }) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { approvalDiffLines } = require('./commands/diff') as typeof import('./commands/diff');
        for (const line of approvalDiffLines(io.root, manifest, statement.scopes.map((s) => s.id), deps.trustRoots)) io.out(line);
      };
      const systems = str(values, 'systems');
      return approveCommand(
        { env, key: str(values, 'key')!, as: str(values, 'as')!, operation: str(values, 'operation'), role: str(values, 'role'), systems: systems === undefined ? undefined : list(systems), expires: str(values, 'expires'), evaluatePolicy, showChanges, ...approvalContext(deps) },
        deps.io,
      );
    },
  },
  approvals: {
    summary: 'required vs present approvals per information system',
    options: [ENV, { flags: '--operation <OP>', description: 'deploy (default) or destroy' }],
    exitCodes: { 0: 'every system approved', 1: 'an approval is missing (or does not count)', ...BAD_INPUT },
    environment: [...ENV_VARIABLES, ...APPROVAL_VARIABLES],
    example: 'ndc approvals --env prod',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { approvalsCommand } = require('./commands/approve') as typeof import('./commands/approve');
      const env = envOf(values, deps);
      synthesizedFor(deps, 'approvals', env, approvalSettingsValid);
      return recorded(deps, 'command', env, 'approvals', () => approvalsCommand({ env, operation: str(values, 'operation'), ...deps.approvalPolicy(), ...approvalContext(deps) }, deps.io));
    },
  },
  'keys generate': {
    summary: 'an Ed25519 key pair for a reviewer (never overwrites a key)',
    options: [
      { flags: '--id <ID>', description: 'the reviewer id: lower-case letters, digits and dashes', required: true, hint: 'the reviewer id' },
      { flags: '--out <DIR>', description: 'the directory for ID.key (mode 0600) and ID.pub', required: true, hint: 'the directory for the key files' },
    ],
    exitCodes: { 0: 'key pair written', ...BAD_INPUT },
    environment: COMMON_VARIABLES,
    example: 'ndc keys generate --id alice --out keys/',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { keysGenerateCommand } = require('./commands/keys') as typeof import('./commands/keys');
      return keysGenerateCommand({ id: str(values, 'id')!, out: str(values, 'out')! }, deps.io);
    },
  },
  'reviewers add': {
    summary: 'adds a reviewer (or replaces their entry) in a new trust-store version',
    options: [
      ENV,
      { flags: '--id <ID>', description: 'the reviewer id', required: true, hint: 'the reviewer id' },
      { flags: '--name <NAME>', description: "the reviewer's name, shown in reports" },
      { flags: '--public-key <FILE>', description: 'the .pub file from ndc keys generate', required: true, hint: 'the .pub file from ndc keys generate' },
      { flags: '--roles <r1,r2>', description: 'roles: security-unit, system-owner, national-authority', required: true, hint: 'one or more roles' },
      { flags: '--agencies <a,b>', description: 'agencies whose systems they may approve ("*" for any)' },
      { flags: '--systems <s1,s2>', description: 'systems they may approve' },
      { flags: '--not-before <YYYY-MM-DD>', description: 'first valid day (default today)' },
      { flags: '--not-after <YYYY-MM-DD>', description: 'last valid day (default a year from today)' },
      { flags: '--threshold <N>', description: 'signatures the next version needs' },
      { flags: '--sign-with <KEY>', description: 'sign the new version with this private key (with --as)' },
      { flags: '--as <ID>', description: 'your reviewer id, for --sign-with' },
    ],
    exitCodes: { 0: 'trust store written', 1: 'refused (no version in force, not a signer)', ...BAD_INPUT },
    environment: [...ENV_VARIABLES, ...APPROVAL_VARIABLES],
    example: 'ndc reviewers add --env prod --id alice --name "Nguyen Thi A" --public-key keys/alice.pub --roles security-unit --agencies mps',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { reviewersAddCommand } = require('./commands/reviewers') as typeof import('./commands/reviewers');
      return reviewersAddCommand(
        {
          env: envOf(values, deps),
          trustRoot: deps.trustRoot,
          signWith: str(values, 'signWith'),
          as: str(values, 'as'),
          id: str(values, 'id')!,
          name: str(values, 'name'),
          publicKey: str(values, 'publicKey')!,
          roles: list(str(values, 'roles')),
          agencies: list(str(values, 'agencies')),
          systems: list(str(values, 'systems')),
          notBefore: str(values, 'notBefore'),
          notAfter: str(values, 'notAfter'),
          threshold: thresholdOf(values),
        },
        deps.io,
      );
    },
  },
  'reviewers remove': {
    summary: 'removes a reviewer and revokes their key for good, in a new trust-store version',
    options: [
      ENV,
      { flags: '--id <ID>', description: 'the reviewer id', required: true, hint: 'the reviewer id' },
      { flags: '--threshold <N>', description: 'signatures the next version needs' },
      { flags: '--sign-with <KEY>', description: 'sign the new version with this private key (with --as)' },
      { flags: '--as <ID>', description: 'your reviewer id, for --sign-with' },
    ],
    exitCodes: { 0: 'trust store written', 1: 'refused', ...BAD_INPUT },
    environment: [...ENV_VARIABLES, ...APPROVAL_VARIABLES],
    example: 'ndc reviewers remove --env prod --id bob --sign-with keys/alice.key --as alice',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { reviewersRemoveCommand } = require('./commands/reviewers') as typeof import('./commands/reviewers');
      return reviewersRemoveCommand({ env: envOf(values, deps), trustRoot: deps.trustRoot, signWith: str(values, 'signWith'), as: str(values, 'as'), id: str(values, 'id')!, threshold: thresholdOf(values) }, deps.io);
    },
  },
  'reviewers sign': {
    summary: 'signs the trust-store version waiting for signatures',
    options: [
      ENV,
      { flags: '--key <KEY>', description: 'your private key file', required: true, hint: 'your private key file' },
      { flags: '--as <ID>', description: 'your reviewer id in the version in force', required: true, hint: 'your reviewer id' },
    ],
    exitCodes: { 0: 'signature added', 1: 'refused (nothing pending, not a reviewer, your own entry)', ...BAD_INPUT },
    environment: [...ENV_VARIABLES, ...APPROVAL_VARIABLES],
    example: 'ndc reviewers sign --env prod --key keys/carol.key --as carol',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { reviewersSignCommand } = require('./commands/reviewers') as typeof import('./commands/reviewers');
      return reviewersSignCommand({ env: envOf(values, deps), trustRoot: deps.trustRoot, key: str(values, 'key')!, as: str(values, 'as')! }, deps.io);
    },
  },
  'reviewers list': {
    summary: 'the trust-store version in force, its reviewers, and any version awaiting signatures',
    options: [ENV],
    exitCodes: { 0: 'a version is in force', 1: 'no version in force (none, not pinned, or a broken chain)', ...BAD_INPUT },
    environment: [...ENV_VARIABLES, 'NDC_TRUST_ROOT'],
    example: 'ndc reviewers list --env prod',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { reviewersListCommand } = require('./commands/reviewers') as typeof import('./commands/reviewers');
      return reviewersListCommand({ env: envOf(values, deps), trustRoot: deps.trustRoot }, deps.io);
    },
  },
  'ledger verify': {
    summary: 'checks the hash chain, then every signed checkpoint',
    options: [
      { flags: '--checkpoints <FILE>', description: 'signed checkpoints (default checkpoints/<ledger id>.jsonl)' },
      { flags: '--head <SEQ:HASH>', description: 'also require this record (a head kept elsewhere)' },
    ],
    exitCodes: { 0: 'intact', 1: 'tampered (every problem listed)', ...BAD_INPUT },
    environment: [...COMMON_VARIABLES, 'NDC_TRUST_ROOT', 'NDC_LEDGER_URL', 'NDC_LEDGER_SCHEMA'],
    example: 'ndc ledger verify --checkpoints /secure/anchors.jsonl',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { ledgerVerifyCommand } = require('./commands/ledger') as typeof import('./commands/ledger');
      return ledgerVerifyCommand({ openLedger: deps.openLedger, trustRoot: deps.trustRoot ?? '', checkpoints: str(values, 'checkpoints'), head: str(values, 'head') }, deps.io);
    },
  },
  'ledger checkpoint': {
    summary: "signs the ledger's head (after verifying it) and appends the checkpoint to the checkpoints file",
    options: [
      { flags: '--key <KEY>', description: 'your private key file', required: true, hint: 'the .key file written by ndc keys generate' },
      { flags: '--as <ID>', description: 'your reviewer id', required: true, hint: 'your reviewer id' },
      { flags: '--env <E>', description: 'the environment whose trust store lists you (default: the one that does)' },
      { flags: '--head <SEQ:HASH>', description: "sign this position (from a deploy's checkpoint request) instead of the head" },
      { flags: '--checkpoints <FILE>', description: 'the checkpoints file (default checkpoints/<ledger id>.jsonl)' },
      { flags: '--print', description: 'also print the signed line, for CI to keep elsewhere' },
    ],
    exitCodes: { 0: 'signed', 1: 'refused (ledger does not verify, not a reviewer)', ...BAD_INPUT },
    environment: [...COMMON_VARIABLES, 'NDC_TRUST_ROOT', ...LEDGER_VARIABLES],
    example: 'ndc ledger checkpoint --key keys/alice.key --as alice',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { ledgerCheckpointCommand } = require('./commands/ledger') as typeof import('./commands/ledger');
      return ledgerCheckpointCommand(
        { openLedger: deps.openLedger, trustRoot: deps.trustRoot ?? '', key: str(values, 'key')!, as: str(values, 'as')!, env: str(values, 'env'), checkpoints: str(values, 'checkpoints'), head: str(values, 'head'), print: values.print === true },
        deps.io,
      );
    },
  },
  'ledger init': {
    summary: "installs the PostgreSQL ledger's tables and append-only triggers (run once, as the schema owner)",
    options: [{ flags: '--grant <ROLE,...>', description: 'everyday roles to grant SELECT and INSERT only' }],
    exitCodes: { 0: 'ready', ...BAD_INPUT },
    environment: [...COMMON_VARIABLES, 'NDC_LEDGER_URL', 'NDC_LEDGER_SCHEMA'],
    example: 'NDC_LEDGER_URL=postgres://owner@db/ndc ndc ledger init --grant ndc_ci',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { ledgerInitCommand } = require('./commands/ledger') as typeof import('./commands/ledger');
      return ledgerInitCommand({ grant: list(str(values, 'grant')), environment: deps.environment }, deps.io);
    },
  },
  unlock: {
    summary: 'breaks the deploy lock of an environment (a crashed run), recording who, why and the previous holder',
    options: [ENV, { flags: '--reason <TEXT>', description: 'why the lock is broken (recorded in the ledger)', required: true, hint: 'say why the lock is broken' }],
    exitCodes: { 0: 'lock broken', 1: 'no lock held', ...BAD_INPUT },
    environment: [...ENV_VARIABLES, ...LEDGER_VARIABLES],
    example: 'ndc unlock --env prod --reason "runner crashed during run 7f3a"',
    async run(values, deps) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { unlockCommand } = require('./commands/unlock') as typeof import('./commands/unlock');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { actorOf } = require('../ledger/actor') as typeof import('../ledger/actor');
      return unlockCommand({ env: envOf(values, deps), reason: str(values, 'reason'), openLedger: deps.openLedger, actor: actorOf(deps.environment) }, deps.io);
    },
  },
};

/**
 * Commands that read out/<env>/ get it the same way: synthesized (through the cache) when missing or stale,
 * saying so on stderr. deploy and destroy never do: they apply only what was synthesized and approved.
 */
function synthesizedFor(deps: CommandDependencies, command: string, env: string, judge?: (loaded: LoadedEnvironment) => void): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { renderLoaded, synthesizeIfStale } = require('../stacks/synth') as typeof import('../stacks/synth');
  const loaded = deps.project.loadEnvironment(env);
  // Bad settings the command judges are refused before anything is written.
  judge?.(loaded);
  const { synthesized } = synthesizeIfStale(deps.io.root, renderLoaded(loaded, deps.io.root));
  if (synthesized !== undefined) deps.io.err(`ndc ${command}: synthesized out/${env}/ first (${synthesized})`);
}

/** The approval commands refuse an approver table below the regulation profile's floor before synthesizing. */
function approvalSettingsValid(loaded: LoadedEnvironment): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { approvalSettingsOf } = require('../policies/approvals/requirements') as typeof import('../policies/approvals/requirements');
  approvalSettingsOf(loaded.env, loaded.source);
}

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

function list(value: string | undefined): string[] {
  return typeof value === 'string' ? value.split(',').map((v) => v.trim()).filter((v) => v !== '') : [];
}

function thresholdOf(values: Values): number | undefined {
  const text = str(values, 'threshold');
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new InputError('--threshold', `${JSON.stringify(text)}: must be a whole number of at least 1`);
  return n;
}

/** The long option name of commander flags: `--public-key <FILE>` -> `public-key`. */
function longName(flags: string): string {
  return /--([a-z][a-z-]*)/.exec(flags)![1];
}

/** commander's camelCase key of an option: `public-key` -> `publicKey`, `no-preview` -> `preview`. */
function keyOf(flags: string): string {
  const name = longName(flags).replace(/^no-/, '');
  return name.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

/** Every required option not given, named at once: `--as, --key: are required (...)`. */
function missingOptions(spec: CommandSpec, values: Values, environment: NodeJS.ProcessEnv): InputError | undefined {
  const missing = spec.options.filter((o) => o.required && (values[keyOf(o.flags)] === undefined || values[keyOf(o.flags)] === '') && !(longName(o.flags) === 'env' && environment.NDC_ENV));
  if (missing.length === 0) return undefined;
  const names = missing.map((o) => `--${longName(o.flags)}`).join(', ');
  const hints = missing.map((o) => (missing.length > 1 ? `--${longName(o.flags)}: ${o.hint ?? o.description}` : (o.hint ?? o.description))).join('; ');
  return new InputError(names, `${missing.length > 1 ? 'are' : 'is'} required (${hints})`);
}

function helpText(name: string, spec: CommandSpec): string {
  const width = Math.max(...spec.environment.map((v) => v.length));
  return [
    '',
    'Exit codes:',
    ...Object.entries(spec.exitCodes).map(([code, meaning]) => `  ${code}  ${meaning}`),
    '',
    'Environment variables:',
    ...spec.environment.map((v) => `  ${v.padEnd(width)}  ${ENVIRONMENT_VARIABLES[v]}`),
    '',
    'Example:',
    `  $ ${spec.example}`,
    '',
    `With --json: one document {"schema": "ndc/${name.split(' ').join('-')}/v1", ...} on stdout; errors as {"schema": "ndc/error/v1", ...}.`,
  ].join('\n');
}

/** The outcome of a parse: commander runs the action, which stores its exit code here. */
interface Dispatch {
  exitCode?: number;
  command?: string;
}

function version(): string {
  return (JSON.parse(readFileSync(join(SOURCE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}

function buildProgram(io: CommandIO, environment: NodeJS.ProcessEnv | undefined, dispatch: Dispatch): Command {
  const lines = (write: (line: string) => void) => (text: string) => {
    for (const line of text.replace(/\n$/, '').split('\n')) write(line);
  };
  const program = new Command('ndc')
    .description('infrastructure as code for the national government cloud: synthesize, check, approve, deploy')
    .version(version(), '-V, --version', 'print the version of ndc')
    .exitOverride()
    // Options written after a subcommand are its own (`ndc evidence verify FILE --json`), not its parent command's.
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: lines(io.out), writeErr: lines(io.err), outputError: () => undefined })
    .addHelpText(
      'after',
      [
        '',
        'Every command takes --json (one document {"schema": "ndc/<command>/v1", ...} on stdout; errors as',
        '{"schema": "ndc/error/v1", ...}) and --no-cache (render every stack afresh; the synthesis cache in',
        '.ndc/cache/ may be deleted at any time). ndc <command> --help shows its options, exit codes,',
        'environment variables and an example.',
      ].join('\n'),
    );
  const groups = new Map<string, Command>();
  for (const [name, spec] of Object.entries(COMMANDS)) {
    const [group, action] = name.includes(' ') ? name.split(' ') : [undefined, name];
    let parent = program;
    if (group !== undefined) {
      parent = groups.get(group) ?? program.command(group).description(GROUPS[group]);
      groups.set(group, parent);
    }
    const command = parent.command(action).description(spec.summary).allowExcessArguments(false);
    // A command that is also a group (`ndc evidence`, `ndc evidence verify`) is the parent of its subcommands.
    if (group === undefined && Object.keys(COMMANDS).some((n) => n.startsWith(`${action} `))) groups.set(action, command);
    if (spec.argument) command.argument(`<${spec.argument.name}>`, spec.argument.description);
    for (const option of spec.options) command.addOption(new Option(option.flags, `${option.description}${option.required ? ' (required)' : ''}`));
    command.addOption(new Option('--json', 'machine-readable output: one JSON document on stdout'));
    command.addOption(new Option('--no-cache', 'render every stack afresh instead of from the synthesis cache'));
    command.addHelpText('after', helpText(name, spec));
    // commander passes the declared argument (if any), then the options, then the command.
    command.action(async (...args: unknown[]) => {
      const values = args[args.length - 2] as Values;
      dispatch.command = name;
      dispatch.exitCode = await runCommand(name, spec, spec.argument ? { ...values, [spec.argument.name]: args[0] as string } : values, io, environment);
    });
  }
  return program;
}

/** The commands that only read the project and report: they may take an environment's kept evaluation. */
const REPORTING_COMMANDS: ReadonlySet<string> = new Set(['start', 'synth', 'check', 'validate', 'reach', 'schedule', 'diff']);

async function runCommand(name: string, spec: CommandSpec, values: Values, io: CommandIO, environment: NodeJS.ProcessEnv | undefined): Promise<number> {
  const commandIO: CommandIO = { ...io, json: io.json || values.json === true };
  let previousCache: CacheMode | undefined;
  let previousIsolation: Isolation | undefined;
  try {
    const deps = composeCommandLine(commandIO, environment);
    const missing = missingOptions(spec, values, deps.environment);
    if (missing) throw missing;
    // Commands synthesize through the cache under .ndc/cache; --no-cache renders every stack afresh (and
    // records it). deploy and destroy always do: the gate's check that the environment renders to the
    // approved digest must be a fresh render, which a planted cache entry cannot stand in for.
    previousCache = useSynthCache(values.cache === false || name === 'deploy' || name === 'destroy' ? 'refresh' : 'use');
    // Environment files are code their authors wrote: every command evaluates them in a child process
    // (environments/isolated.ts), never beside the gate, the engines, the build or a reviewer's key. The
    // commands that only read and report may take an evaluation kept from before (sealed, its files unchanged).
    previousIsolation = isolateEnvironments(REPORTING_COMMANDS.has(name) && values.cache !== false ? 'kept' : 'fresh');
    return await spec.run(values, deps);
  } catch (error) {
    if (error instanceof InputError) return printError(commandIO, name, inputErrorLines(error), 2);
    throw error;
  } finally {
    if (previousCache !== undefined) useSynthCache(previousCache);
    if (previousIsolation !== undefined) isolateEnvironments(previousIsolation);
  }
}

/** The command named at the start of argv (`reviewers add`), for error prefixes; '' when none is. */
function commandNamed(argv: readonly string[]): string {
  const [first, second] = argv;
  if (first !== undefined && COMMANDS[`${first} ${second}`]) return `${first} ${second}`;
  if (first !== undefined && (COMMANDS[first] || GROUPS[first])) return first;
  return '';
}

/**
 * Runs one command; `environment` defaults to the process environment (read in composition.ts only);
 * `progressTerminal` is stderr when it is a terminal outside CI (the entry point decides), for the progress line.
 */
export async function main(argv: string[], io: CommandIO, environment?: NodeJS.ProcessEnv, progressTerminal?: ProgressTerminal): Promise<number> {
  const dispatch: Dispatch = {};
  const json = io.json || argv.includes('--json');
  const restoreProgress = installProgress(json ? undefined : progressTerminal);
  try {
    const shown: CommandIO = progressTerminal ? { ...io, out: aroundProgress(io.out), err: aroundProgress(io.err) } : io;
    await buildProgram(shown, environment, dispatch).parseAsync(argv, { from: 'user' });
    return dispatch.exitCode ?? 0;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
    // `ndc help X` asked for it; otherwise help is shown because a command or group was named without what it needs (`ndc`, `ndc keys`).
    if (error.code === 'commander.help') return argv[0] === 'help' ? 0 : 2;
    const command = commandNamed(argv);
    const message = error.message.replace(/^error: /, '').split('\n').join(' ');
    return printError({ ...io, json }, command, [`${message}${command ? ` (see ndc ${command} --help)` : ' (see ndc --help)'}`], 2);
  } finally {
    restoreProgress();
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
  const command = commandNamed(process.argv.slice(2)) || 'ndc';
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
  // The progress line only on a terminal, never in CI logs (some CI runners give jobs a pseudo-terminal).
  main(process.argv.slice(2), io, undefined, process.stderr.isTTY && !process.env.CI ? process.stderr : undefined).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`ndc: internal error: ${describe(error)}\n`);
      process.exitCode = 1;
    },
  );
}
