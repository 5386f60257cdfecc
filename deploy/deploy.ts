import { randomBytes } from 'node:crypto';
import { InputError } from '../core/errors';
import { jsonDocument } from '../core/json-output';
import { actorOf } from '../ledger/actor';
import type { Environment } from '../environments/schema';
import { PULUMI_SETTINGS_DIR } from '../stacks/kubernetes/engine-settings';
import { readManifest, unlistedFiles, type Manifest } from '../stacks/manifest';
import { projectReader, type ProjectReader } from '../stacks/project';
import { displayName, engineConfigurationProblems, missingToolMessage, resolveTool, type ResolvedTool } from './engines';
import type { ConsolePort, DeployPorts, GateDecision } from './ports';
import { missingPrerequisites } from './prerequisites';
import { plainProgress, ttyProgress, type Progress } from './progress';
import { displayCommand, INTERRUPTED, runWaves, type RunResult } from './runner';
import { extraPatternsOf } from './engine-environment';
import { heartbeatMsOf, leaseMsOf } from './lease';
import { secretValues } from './secrets';
import { prepareTerraformWorkDirs, SnapshotError, takeSnapshot, type Snapshot } from './snapshot';
import { buildWaves, snapshotDir, stepsOf, type Operation, type StackStep, type Tool, type Wave } from './waves';

/**
 * `ndc deploy` and `ndc destroy`: the gate must open for exactly the synthesized digest, then one
 * holder at a time (the environment's deploy lock) runs the engines wave by wave, and every step is
 * recorded in the ledger.
 */
export interface Terminal {
  write(text: string): void;
  columns(): number;
}

/** What plan, deploy and destroy all receive from their caller. */
export interface EngineRunRequest {
  readonly env: string;
  readonly ports: DeployPorts;
  readonly io: ConsolePort;
  /** The environment and artifacts, read once per command (shared with the gate); default: read from io.root. */
  readonly project?: ProjectReader;
  /** The environment the engines inherit (the composition root passes the process environment). */
  readonly environment: NodeJS.ProcessEnv;
  /** A terminal for the live task list; plain lines without one, or when CI=true. */
  readonly terminal?: Terminal;
  readonly concurrency?: number;
}

export interface DeployRequest extends EngineRunRequest {
  readonly operation: Exclude<Operation, 'plan'>;
  readonly dryRun?: boolean;
  readonly resume?: boolean;
  readonly leaseMs?: number;
  /** Interrupts the run between stacks (the CLI aborts it on SIGINT and SIGTERM). */
  readonly signal?: AbortSignal;
  /**
   * Asked once the gate is open, before a destroy takes the lock: true to go on. The CLI asks on a
   * terminal (type the environment's name) and passes none with --yes; absent means confirmed.
   */
  readonly confirm?: (question: string) => Promise<boolean>;
}

export const DEFAULT_CONCURRENCY = 4;
export { DEFAULT_LEASE_MS } from './lease';

/** Who is deploying: re-exported from the ledger, which records every command's actor. */
export { actorOf };

/** The synthesized manifest, checked against the files on disk: deploy runs only what was approved. */
export function synthesizedManifest(root: string, env: string): Manifest {
  const manifest = readManifest(root, env);
  if (!manifest) throw new InputError(`out/${env}/manifest.json`, `not found: run ndc synth --env ${env} and have its digest approved (deploy, destroy and drift never synthesize: they use only what was synthesized and approved)`);
  return manifest;
}

export interface Preflight {
  readonly binaries: Map<Tool, string>;
  readonly resolved: ResolvedTool[];
  readonly problems: string[];
}

/** Binaries, the Pulumi settings in the manifest and the state backend's connection variable, checked before anything runs. */
export function preflight(root: string, env: Environment, manifest: Manifest, steps: readonly StackStep[], environment: NodeJS.ProcessEnv): Preflight {
  const binaries = new Map<Tool, string>();
  const resolved: ResolvedTool[] = [];
  const problems: string[] = [];
  const tools = [...new Set(steps.flatMap((s) => s.commands.map((c) => c.tool)))].sort();
  for (const tool of tools) {
    const found = resolveTool(tool, environment, root);
    resolved.push(found);
    if (found.path) binaries.set(tool, found.path);
    else problems.push(missingToolMessage(found, steps.filter((s) => s.commands.some((c) => c.tool === tool)).map((s) => s.id)));
  }
  // Pulumi runs in the snapshot's pulumi/ folder: the project and stack files must be manifest-listed artifacts.
  const listed = new Set(manifest.artifacts.map((a) => a.path));
  const pulumiSteps = steps.filter((s) => s.commands.some((c) => c.tool === 'pulumi'));
  if (pulumiSteps.length > 0 && !listed.has(`${PULUMI_SETTINGS_DIR}/Pulumi.yaml`)) {
    problems.push(`out/${manifest.env}/${PULUMI_SETTINGS_DIR}/Pulumi.yaml not in the manifest: synth copies stacks/kubernetes/Pulumi.yaml there (pulumi runs only on the snapshot's copy); restore it and run ndc synth --env ${manifest.env}`);
  }
  for (const step of pulumiSteps) {
    const stack = `${manifest.env}-${step.id.slice(step.id.indexOf('/') + 1)}`;
    if (!listed.has(`${PULUMI_SETTINGS_DIR}/Pulumi.${stack}.yaml`)) {
      problems.push(`out/${manifest.env}/${PULUMI_SETTINGS_DIR}/Pulumi.${stack}.yaml not in the manifest: ${step.id} needs its stack file stacks/kubernetes/Pulumi.${stack}.yaml (node bin/run-ts.js scripts/pulumi-stacks.ts writes it); then ndc synth --env ${manifest.env}`);
    }
  }
  problems.push(...engineConfigurationProblems(root, tools, environment));
  if (env.state.backend === 'pg' && tools.includes('terraform') && !environment[env.state.connStrEnv]) {
    problems.push(
      `${env.state.connStrEnv} is not set: the pg state backend of ${env.name} reads its PostgreSQL connection string from it (state.connStrEnv in environments/${env.name}.ts); export it, e.g. from your secret store`,
    );
  }
  return { binaries, resolved, problems };
}

function progressFor(req: DeployRequest, environment: NodeJS.ProcessEnv): Progress {
  const ci = environment.CI === 'true' || environment.CI === '1';
  if (req.terminal && !ci && !req.io.json) return ttyProgress(req.terminal.write, req.terminal.columns);
  return plainProgress(req.io.json ? req.io.err : req.io.out, { echoOutput: true });
}

function newRunId(io: ConsolePort): string {
  return `${io.now().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

export async function deployEnvironment(req: DeployRequest): Promise<number> {
  const { io, ports, operation } = req;
  const { environment } = req;
  extraPatternsOf(environment);
  const project = req.project ?? projectReader(io.root);
  const { env } = project.loadEnvironment(req.env);
  if (req.resume && operation !== 'deploy') throw new InputError('--resume', 'only ndc deploy can be resumed');
  const manifest = synthesizedManifest(io.root, req.env);
  const verb = operation === 'deploy' ? 'deploy' : 'destroy';
  const say = (line: string) => (io.json ? io.err(line) : io.out(line));
  const refuse = (reason: string, extra: Record<string, unknown> = {}): number => {
    io.err(`ndc ${verb}: refused: ${reason}`);
    if (io.json) io.out(jsonDocument(operation, { env: req.env, operation, digest: manifest.digest, ok: false, refused: reason, ...extra }));
    return 1;
  };

  const changed = project.verifyArtifacts(manifest);
  if (changed.length > 0) return refuse(`out/${req.env}/ does not match its manifest (${changed.join(', ')}): run ndc synth --env ${req.env} and have the new digest approved`);
  const unlisted = unlistedFiles(io.root, manifest);
  if (unlisted.length > 0) {
    return refuse(`out/${req.env}/ holds files its manifest does not list (${unlisted.join(', ')}): nothing approved them; remove them (ndc synth --env ${req.env} rewrites out/${req.env}/)`);
  }

  const waves = buildWaves({ root: io.root, manifest, env, operation });
  if (waves.length === 0) return refuse(`out/${req.env}/manifest.json lists no deployable stacks`);

  let alreadyDone = new Set<string>();
  let resumedFrom: string | undefined;
  if (req.resume) {
    const last = await ports.ledger.lastRun(req.env);
    if (!last) return refuse(`nothing to resume: the ledger has no deploy of ${req.env}`);
    if (last.digest !== manifest.digest) {
      return refuse(
        `cannot resume: the last deploy of ${req.env} was of digest ${last.digest.slice(0, 12)}, out/${req.env}/ is now ${manifest.digest.slice(0, 12)}; what would be deployed changed, so run a full ndc deploy --env ${req.env} (the new digest needs its approvals)`,
      );
    }
    alreadyDone = new Set(last.completed);
    if (stepsOf(waves).every((s) => alreadyDone.has(s.id))) return refuse(`nothing to resume: the last deploy of ${req.env} completed every stack`);
    resumedFrom = last.failed ?? stepsOf(waves).find((s) => !alreadyDone.has(s.id))?.id;
  }
  const toRun = stepsOf(waves).filter((s) => !alreadyDone.has(s.id));
  const checks = preflight(io.root, env, manifest, toRun, environment);

  if (req.dryRun) return dryRun(req, manifest, waves, alreadyDone, checks);

  if (checks.problems.length > 0) {
    for (const problem of checks.problems) io.err(`ndc ${verb}: ${problem}`);
    if (io.json) io.out(jsonDocument(operation, { env: req.env, operation, digest: manifest.digest, ok: false, refused: 'preflight', problems: checks.problems }));
    return 1;
  }

  const actor = actorOf(environment);
  const gate = await ports.gate.evaluate(req.env, manifest.digest, operation);
  await ports.ledger.append({ kind: 'gate', env: req.env, actor, digest: manifest.digest, result: gate.open ? 'open' : 'closed', details: { operation, reasons: gate.reasons } });
  if (!gate.open) return refuse(`the gate is closed for ${operation} of ${req.env} digest ${manifest.digest.slice(0, 12)}: ${gate.reasons.join('; ') || 'no reason given'}`, { gate });
  if (operation === 'destroy' && req.confirm && !(await req.confirm(`Destroy every stack of ${req.env} (digest ${manifest.digest.slice(0, 12)})? Type the environment's name to confirm: `))) {
    return refuse(`not confirmed: nothing was destroyed`, { gate });
  }

  const run = newRunId(io);
  const holder = `${actor} run ${run}`;
  const leaseMs = req.leaseMs ?? leaseMsOf(environment);
  const lock = await ports.ledger.acquireLock(req.env, holder, leaseMs);
  if (!lock.acquired) {
    return refuse(
      `the deploy lock of ${req.env} is held by ${lock.heldBy ?? 'another run'}; wait for it to finish or for its lease to run out, or break it with ndc unlock --env ${req.env} --reason "..."`,
      { gate },
    );
  }
  if (lock.takenOver) say(`Took over the deploy lock of ${req.env}: the previous holder's lease had run out`);

  // The snapshot comes first: the prerequisite checks (pulumi stack ls) run where the engines will, in it.
  const kind = operation === 'deploy' ? 'deploy-step' : 'destroy-step';
  let snapshot: Snapshot;
  const snapshotStarted = Date.now();
  try {
    snapshot = takeSnapshot(io.root, manifest);
    prepareTerraformWorkDirs(io.root, manifest, waves);
  } catch (error) {
    if (!(error instanceof SnapshotError)) throw error;
    await ports.ledger.releaseLock(req.env, holder);
    await ports.ledger.append({ kind, env: req.env, actor, digest: manifest.digest, result: 'failed', details: { scope: 'run', run, operation, snapshot: error.message } });
    return refuse(`the approved files could not be copied into the deploy snapshot: ${error.message}; nothing was applied`, { gate });
  }
  const snapshotMs = Date.now() - snapshotStarted;

  // What ndc cannot create (kube contexts, the Pulumi state bucket, cdk bootstrap, the vault keys in the
  // environment) is checked once the gate is open and the lock held, before any engine changes anything.
  const missing = missingPrerequisites({ root: io.root, env, operation, steps: toRun, environment, binaries: checks.binaries });
  if (missing.length > 0) {
    await ports.ledger.releaseLock(req.env, holder);
    for (const problem of missing) io.err(`ndc ${verb}: ${problem}`);
    await ports.ledger.append({ kind, env: req.env, actor, digest: manifest.digest, result: 'refused', details: { scope: 'run', operation, missing } });
    if (io.json) io.out(jsonDocument(operation, { env: req.env, operation, digest: manifest.digest, ok: false, refused: 'prerequisites', problems: missing }));
    return 1;
  }

  // The heartbeat: while the engines run, the lease is renewed; a lock broken by ndc unlock (or taken over
  // after a stalled heartbeat) stops the run between stacks, like an interrupt.
  const lockLost = new AbortController();
  const heartbeat = setInterval(() => {
    ports.ledger.renewLock(req.env, holder, leaseMs).then(
      (held) => {
        if (held || lockLost.signal.aborted) return;
        io.err(`ndc ${verb}: the deploy lock of ${req.env} was broken or taken over; starting no new stack`);
        lockLost.abort();
      },
      (error: unknown) => io.err(`ndc ${verb}: could not renew the deploy lock of ${req.env} (${error instanceof Error ? error.message : String(error)}); retrying`),
    );
  }, heartbeatMsOf(leaseMs));
  const signal = req.signal ? AbortSignal.any([req.signal, lockLost.signal]) : lockLost.signal;

  const started = Date.now();
  let result: RunResult | undefined;
  try {
    await ports.ledger.append({
      kind,
      env: req.env,
      actor,
      digest: manifest.digest,
      result: 'started',
      details: {
        scope: 'run',
        run,
        operation,
        alreadyDone: [...alreadyDone].sort(),
        ...(resumedFrom ? { resumedFrom } : {}),
        steps: toRun.map((s) => s.id),
        // What the gate judged each scope's level to be: a later lowering is signed by this level's roles.
        ...(operation === 'deploy'
          ? { levels: Object.fromEntries(manifest.scopes.map((s) => [s.id, s.level])), owners: Object.fromEntries(manifest.systems.map((s) => [s.id, s.owner])), requirements: manifest.approvals.levels }
          : {}),
        snapshot: { dir: snapshot.dir, created: snapshot.created, files: snapshot.files, bytes: snapshot.bytes, ms: snapshotMs },
      },
    });
    say(`${operation === 'deploy' ? 'Deploying' : 'Destroying'} ${req.env} digest ${manifest.digest.slice(0, 12)} (run ${run}${resumedFrom ? `, resuming at ${resumedFrom}` : ''})`);
    result = await runWaves({
      root: io.root,
      env: req.env,
      operation,
      waves,
      binaries: checks.binaries,
      environment,
      secrets: secretValues(environment, env.state.backend === 'pg' ? [env.state.connStrEnv] : []),
      concurrency: req.concurrency ?? DEFAULT_CONCURRENCY,
      alreadyDone,
      signal,
      progress: progressFor(req, environment),
      ledger: { port: ports.ledger, actor, digest: manifest.digest, run },
    });
    await ports.ledger.append({
      kind,
      env: req.env,
      actor,
      digest: manifest.digest,
      result: result.ok ? 'succeeded' : 'failed',
      details: { scope: 'run', run, operation, durationMs: Date.now() - started, ...(result.failed ? { failed: result.failed } : {}), ...(lockLost.signal.aborted ? { lockLost: true } : {}) },
    });
  } finally {
    clearInterval(heartbeat);
    await ports.ledger.releaseLock(req.env, holder);
  }
  const request = checkpointRequest(await ports.ledger.head());
  return report(req, manifest, gate, run, result, request);
}

export interface CheckpointRequest {
  readonly ledger: string;
  readonly seq: number;
  readonly head: string;
  readonly command: string;
}

/** What a reviewer signs after a deploy so that the records of this run can never be rewritten unnoticed. */
function checkpointRequest(head: { ledger: string; seq: number; hash: string }): CheckpointRequest {
  return { ledger: head.ledger, seq: head.seq, head: head.hash, command: `ndc ledger checkpoint --head ${head.seq}:${head.hash} --key KEY --as REVIEWER-ID` };
}

function report(req: DeployRequest, manifest: Manifest, gate: GateDecision, run: string, result: RunResult, request: CheckpointRequest): number {
  const { io } = req;
  const requestLine = `Checkpoint request: ledger ${request.ledger} at seq ${request.seq}, head ${request.head}; a reviewer signs it with: ${request.command}`;
  const counts = (status: string) => result.outcomes.filter((o) => o.status === status).length;
  if (io.json) {
    io.out(
      jsonDocument(req.operation, {
        env: req.env,
        operation: req.operation,
        digest: manifest.digest,
        run,
        gate,
        ok: result.ok,
        ...(result.failed ? { failed: result.failed } : {}),
        steps: result.outcomes.map((o) => ({ id: o.id, status: o.status, exitCode: o.exitCode, durationMs: o.durationMs, failedCommand: o.failedCommand, error: o.error })),
        checkpointRequest: request,
      }),
    );
  }
  if (!io.json) io.out(requestLine);
  const verb = req.operation === 'deploy' ? 'Deployed' : 'Destroyed';
  if (result.ok) {
    if (!io.json) io.out(`${verb} ${req.env}: ${counts('succeeded')} stacks${counts('already-done') ? ` (${counts('already-done')} already done before the resume)` : ''}`);
    return 0;
  }
  const failed = result.outcomes.find((o) => o.id === result.failed);
  if (result.failed === INTERRUPTED) io.err(`ndc ${req.operation}: interrupted: stacks already running were let finish, no new stack was started`);
  else io.err(`ndc ${req.operation}: ${result.failed} failed${failed?.failedCommand ? ` (exit ${failed.exitCode} from ${failed.failedCommand})` : failed?.error ? ` (${failed.error})` : ''}`);
  for (const line of failed?.output.slice(-20) ?? []) io.err(`  | ${line}`);
  io.err(
    `${counts('succeeded')} succeeded, ${counts('failed')} failed, ${counts('not-started')} not started${req.operation === 'deploy' ? `; fix the cause and run ndc deploy --env ${req.env} --resume (same digest only)` : ''}`,
  );
  return 1;
}

/** `--dry-run`: the exact commands, in order, and nothing run, locked or recorded. */
async function dryRun(req: DeployRequest, manifest: Manifest, waves: readonly Wave[], alreadyDone: ReadonlySet<string>, checks: Preflight): Promise<number> {
  const { io } = req;
  const gate = await req.ports.gate.evaluate(req.env, manifest.digest, req.operation);
  const names = new Map(checks.resolved.map((r) => [r.tool, displayName(r)]));
  const listing = waves.map((wave) => ({
    wave: wave.index,
    name: wave.name,
    parallel: wave.parallel,
    steps: wave.steps
      .filter((s) => !alreadyDone.has(s.id))
      .map((s) => ({ id: s.id, artifact: `out/${req.env}/${s.artifact}`, commands: s.commands.map((c) => displayCommand(c, names.get(c.tool) ?? c.tool)) })),
  }));
  if (io.json) {
    io.out(jsonDocument(req.operation, { env: req.env, operation: req.operation, digest: manifest.digest, dryRun: true, gate, problems: checks.problems, waves: listing }));
    return gate.open ? 0 : 1;
  }
  io.out(`# ndc ${req.operation} --env ${req.env} --dry-run: digest ${manifest.digest}`);
  io.out(`# engines run on the snapshot ${snapshotDir(manifest.digest)} (a read-only copy of the manifest's files, made once the gate opens)`);
  io.out(`# gate: ${gate.open ? 'open' : `closed (${gate.reasons.join('; ') || 'no reason given'}): a real run would refuse`}`);
  for (const problem of checks.problems) io.out(`# preflight: ${problem}`);
  if (alreadyDone.size > 0) io.out(`# resume: skipping ${[...alreadyDone].sort().join(', ')}`);
  for (const wave of listing) {
    if (wave.steps.length === 0) continue;
    io.out(`# wave ${wave.wave} ${wave.name}${wave.steps.length > 1 ? (wave.parallel ? ` (${wave.steps.length} stacks in parallel)` : ` (${wave.steps.length} stacks, one after another)`) : ''}`);
    for (const step of wave.steps) {
      io.out(`# ${step.id} (${step.artifact})`);
      for (const command of step.commands) io.out(command);
    }
  }
  return gate.open ? 0 : 1;
}
