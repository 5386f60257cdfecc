import { InputError } from '../core/errors';
import type { DeployPorts } from '../deploy/ports';
import { LEDGER_KINDS, type Ledger, type LedgerKind } from '../ledger/ledger';
import type { AssessmentCheck, PolicyFindings } from '../policies/approvals/gate';
import { CHANGE_AUTHOR_VARIABLE, parseChangeAuthor } from '../policies/approvals/identity';
import { TRUST_ROOT_VARIABLE, trustRootsFrom } from '../policies/approvals/trust-store';
import type { PolicyEvaluation } from '../policies/evaluate';
import type { Manifest } from '../stacks/manifest';
import { projectReader, type ProjectReader } from '../stacks/project';
import { installScopeReachability } from '../stacks/reach';
import type { CommandIO } from './io';

/**
 * The composition root of the command line: the one place that reads the process environment and builds
 * what the commands use (ledger, clock, environment reader, policy evaluation, gate, deploy ports).
 * Commands receive these; nothing below the command line reads NDC_CHANGE_AUTHOR or NDC_TRUST_ROOT.
 * The heavy layers are required only when a command asks for them, so `ndc keys` loads no rule pack.
 */
export interface CommandDependencies {
  readonly io: CommandIO;
  /** The process environment: what the engines inherit, and where NDC_* settings come from. */
  readonly environment: NodeJS.ProcessEnv;
  /** NDC_CHANGE_AUTHOR, normalised (NFKC, case-folded, trimmed): the change's author, whose approvals never count. */
  readonly changeAuthor: string | undefined;
  /** NDC_TRUST_ROOT as given (the approval commands parse and report on it). */
  readonly trustRoot: string | undefined;
  /** The pinned sha256 values of trust-store version 1, from NDC_TRUST_ROOT. */
  readonly trustRoots: readonly string[];
  /** This command's reader of environments and artifacts: each is read once per command. */
  readonly project: ProjectReader;
  openLedger(): Ledger;
  /** The approval commands' policy evaluation (one per command, on the manifest on disk). */
  approvalPolicy(): { evaluatePolicy(env: string, manifest: Manifest): PolicyFindings; assessmentCurrent: AssessmentCheck };
  /** The real ports of plan, deploy and destroy; close them when done. */
  deployPorts(): WiredPorts;
}

export interface WiredPorts extends DeployPorts {
  close(): Promise<void>;
}

export function composeCommandLine(io: CommandIO, environment: NodeJS.ProcessEnv = process.env): CommandDependencies {
  installNetworkReachability();
  // Normalised here, so a list, an invisible character or mixed scripts fail every command at once (exit 2).
  const changeAuthor = parseChangeAuthor(environment[CHANGE_AUTHOR_VARIABLE], CHANGE_AUTHOR_VARIABLE);
  const trustRoot = environment[TRUST_ROOT_VARIABLE];
  const trustRoots = trustRootsFrom(trustRoot);
  const project = projectReader(io.root);
  const openLedger = (): Ledger => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const open = require('../ledger/open') as typeof import('../ledger/open');
    return open.openLedger(io.root, environment);
  };
  const deps: CommandDependencies = {
    io,
    environment,
    changeAuthor,
    trustRoot,
    trustRoots,
    project,
    openLedger,
    approvalPolicy() {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { approvalPolicyContext } = require('../policies/outcome') as typeof import('../policies/outcome');
      return approvalPolicyContext(io.root, io.now(), project);
    },
    deployPorts: () => createDeployPorts(deps),
  };
  return deps;
}

/**
 * The real ports of `ndc plan / deploy / destroy`: the approvals gate over the policy engine's verdict on
 * exactly the synthesized manifest, the project's ledger (SQLite, or PostgreSQL with NDC_LEDGER_URL)
 * with its deploy lock, and the policy engine. The gate reads the environment and artifacts through the
 * command's project reader, so a deploy loads and verifies them once.
 */
export function createDeployPorts(deps: CommandDependencies): WiredPorts {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { evaluateGate } = require('../policies/approvals/gate') as typeof import('../policies/approvals/gate');
  const { approvalSettingsOf } = require('../policies/approvals/requirements') as typeof import('../policies/approvals/requirements');
  const outcome = require('../policies/outcome') as typeof import('../policies/outcome');
  const { bodyDisagreements, digestProblems, requireManifest } = require('../stacks/manifest') as typeof import('../stacks/manifest');
  const { environmentBody } = require('../stacks/synth') as typeof import('../stacks/synth');
  const { deployedLevelsFromRecords, deployedOwnersFromRecords, deployedRequirementsFromRecords, lastRunFromRecords } = require('../deploy/ledger-view') as typeof import('../deploy/ledger-view');
  const { actorOf } = require('../deploy/deploy') as typeof import('../deploy/deploy');
  const trustFloor = require('../policies/approvals/accepted-trust') as typeof import('../policies/approvals/accepted-trust');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const { io, project } = deps;
  const root = io.root;
  const ledger = deps.openLedger();
  // The gate and the policy port judge the same manifest: one policy evaluation per manifest digest.
  const evaluations = new Map<string, PolicyEvaluation>();
  const evaluationOf = (manifest: Manifest): PolicyEvaluation => {
    const key = `${manifest.env}\u0000${manifest.digest}`;
    let evaluation = evaluations.get(key);
    if (!evaluation) {
      // The policy verdict on what is on disk: refuses (InputError) when out/<env>/ was edited or is stale.
      // Judged at the clock: an asOf in the environment file (not under the digest) must not hide what is overdue.
      evaluation = outcome.evaluateManifest(root, manifest, { now: io.now(), asOf: io.now(), project });
      evaluations.set(key, evaluation);
    }
    return evaluation;
  };
  // What the ledger's last deploy run was judged at: a level or approvals table lowered, or an owner changed, since needs the roles it had.
  const deployedState = async (env: string) => {
    const records = await ledger.records();
    return { deployedLevels: deployedLevelsFromRecords(records, env), deployedOwners: deployedOwnersFromRecords(records, env), deployedRequirements: deployedRequirementsFromRecords(records, env) };
  };
  return {
    gate: {
      async evaluate(env, digest, operation) {
        const manifest = requireManifest(root, env);
        if (manifest.digest !== digest) {
          return { open: false, reasons: [`out/${env}/manifest.json: digest ${manifest.digest.slice(0, 12)}... is not the ${digest.slice(0, 12)}... being deployed`] };
        }
        // The systems, levels and approval requirements come from the validated environment; a manifest
        // that disagrees (or whose digests are not its own) is refused before anything else is judged.
        const loaded = project.loadEnvironment(env);
        const expected = { body: environmentBody(loaded), source: loaded.source };
        const tampered = [...digestProblems(manifest).map((p) => `out/${env}/${p}`), ...bodyDisagreements(manifest, expected.body, expected.source)];
        // Approvals bind to scope digests: they must be those of the files on disk, recomputed (cached per digest).
        if (tampered.length === 0) tampered.push(...project.verifyArtifacts(manifest).map((p) => `out/${env}/${p}: does not match the manifest`));
        if (tampered.length > 0) return { open: false, reasons: tampered };
        const report = evaluationOf(manifest);
        // The ledger remembers the newest trust-store version accepted here: an older store is refused.
        const acceptedTrust = await trustFloor.acceptedTrustOf(ledger, env);
        const result = evaluateGate({
          root,
          env,
          operation,
          environment: expected,
          manifest,
          policy: outcome.gatePolicyOutcome(report),
          assessmentCurrent: outcome.assessmentCheckOf(report),
          now: io.now(),
          author: deps.changeAuthor,
          settings: approvalSettingsOf(loaded.env, loaded.source),
          trustRoots: deps.trustRoots,
          acceptedTrust,
          ...(await deployedState(env)),
        });
        await trustFloor.recordAcceptedTrust(ledger, env, result.trust, acceptedTrust, actorOf(deps.environment), io.now());
        return { open: result.open, reasons: result.reasons };
      },
    },
    policy: {
      // Plan asks after synthesizing, so out/<env>/ is the manifest to judge.
      async evaluate(env) {
        return outcome.deployPolicyOutcome(evaluationOf(requireManifest(root, env)));
      },
    },
    ledger: {
      async append(record) {
        if (!(LEDGER_KINDS as readonly string[]).includes(record.kind)) throw new InputError('ledger', `${JSON.stringify(record.kind)} is not a ledger record kind (${LEDGER_KINDS.join(', ')})`);
        await ledger.append({ ...record, kind: record.kind as LedgerKind, at: io.now() });
      },
      async acquireLock(env, holder, leaseMs) {
        const outcome = await ledger.acquireLock(env, holder, leaseMs, io.now());
        if (!outcome.acquired) return { acquired: false, heldBy: `${outcome.heldBy.holder} (lease until ${outcome.heldBy.expiresAt})` };
        return { acquired: true, takenOver: outcome.takenOverFrom !== undefined };
      },
      async renewLock(env, holder, leaseMs) {
        return ledger.renewLock(env, holder, leaseMs, io.now());
      },
      async releaseLock(env, holder) {
        await ledger.releaseLock(env, holder, io.now());
      },
      async head() {
        return { ledger: ledger.id, ...(await ledger.head()) };
      },
      async lastRun(env) {
        return lastRunFromRecords(await ledger.records(), env);
      },
    },
    close: () => ledger.close(),
  };
}

/**
 * Scope digests cover each scope's reachability (stacks/reach.ts), which only the policies layer's network
 * model can compute: installed here, loaded on the first render.
 */
export function installNetworkReachability(): void {
  installScopeReachability((input) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { scopeReachLines } = require('../policies/network/scope-reach') as typeof import('../policies/network/scope-reach');
    return scopeReachLines(input);
  });
}
