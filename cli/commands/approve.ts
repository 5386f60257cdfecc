import { InputError, show } from '../../core/errors';
import { recordApprovedState } from '../../policies/approvals/approved-state';
import type { Ledger } from '../../ledger/ledger';
import { openLedger } from '../../ledger/open';
import { acceptedTrustOf, recordAcceptedTrust } from '../../policies/approvals/accepted-trust';
import { authorOf, eligibility, type EligibilityContext } from '../../policies/approvals/eligibility';
import { deployedLevelsFromRecords, deployedOwnersFromRecords, deployedRequirementsFromRecords } from '../../deploy/ledger-view';
import { evaluateGate, judgedAt, removedScopeDigest, removedSystems, withDeployedRequirements, type AssessmentCheck, type GateResult, type PolicyFindings } from '../../policies/approvals/gate';
import { resolveIdentity } from '../../policies/approvals/identity';
import { readPrivateKeyFile } from '../../policies/approvals/keys';
import { requireManifest as readManifest, scopesById, type Manifest } from '../../stacks/manifest';
import { approvalSettingsOf, describeRoles, requiredRoles, ROLES, type ApprovalSettings, type Role } from '../../policies/approvals/requirements';
import { OPERATIONS, parseDuration, signApproval, writeApproval, type ApprovalStatement, type ApprovedOperation } from '../../policies/approvals/statement';
import { environmentBody } from '../../stacks/synth';
import { findReviewer, readTrustStore, resolveTrust, trustRootsFrom } from '../../policies/approvals/trust-store';
import { projectReader, type ProjectReader } from '../../stacks/project';
import type { CommandIO } from '../io';
import { guarded, printJson, refusal, resolvePath, table } from './common';

/** approve's refusals: under --json `{approved: false, reason}` (with the statement when there is one). */
const refuse = (io: CommandIO, command: string, reason: string, body: object = { approved: false, reason }) => refusal(io, command, reason, body);

/** What the approval commands need from the layers around them (the caller wires the real ones). */
export interface ApprovalContext {
  /** The policy outcome for the current manifest of the environment (the policy layer computes it). */
  readonly evaluatePolicy: (env: string, manifest: Manifest) => PolicyFindings | Promise<PolicyFindings>;
  /** Pinned trust-store version-1 hashes (NDC_TRUST_ROOT, read by the composition root). */
  readonly trustRoot: string | undefined;
  /** Reviewer id of the change's author (NDC_CHANGE_AUTHOR, read by the composition root). */
  readonly author?: string;
  /** Opens the ledger to record in (the composition root's); default the project's (openLedger). */
  readonly openLedger?: () => Ledger;
  /** Reads the environment once for the whole command; default: a reader of io.root. */
  readonly project?: ProjectReader;
  /** Who runs the command, for the ledger (NDC_ACTOR, the CI user, user@host). */
  readonly actor?: string;
}

export interface ApproveOptions extends ApprovalContext {
  readonly env: string;
  /** The reviewer's private key file. */
  readonly key: string;
  /** The reviewer id in the trust store. */
  readonly as: string;
  /** What is approved: `deploy` (default) or `destroy`; each needs its own approvals. */
  readonly operation?: string;
  /** Which of the reviewer's roles this approval is given in; needed when they hold several. */
  readonly role?: string;
  /** Limit to these scopes (systems, national-cloud-platform); default every scope that needs this reviewer's role and that they may approve. */
  readonly systems?: readonly string[];
  /**
   * Shows the reviewer what changed in the scopes about to be signed, before signing (`ndc diff` wires
   * in here); the statement lists the scopes with their current digests.
   */
  readonly showChanges?: (io: CommandIO, manifest: Manifest, statement: ApprovalStatement) => void | Promise<void>;
  /** How long it stays valid: `30d`, `12h` (default 30d, at most the environment's maxValidityDays). */
  readonly expires?: string;
}

export interface ApprovalsOptions extends ApprovalContext {
  readonly env: string;
  /** Which operation's approvals to show: `deploy` (default) or `destroy`. */
  readonly operation?: string;
  readonly assessmentCurrent: AssessmentCheck;
}

async function withLedger<T>(io: CommandIO, ctx: ApprovalContext, work: (ledger: Ledger) => Promise<T>): Promise<T> {
  const ledger = ctx.openLedger ? ctx.openLedger() : openLedger(io.root);
  try {
    return await work(ledger);
  } finally {
    await ledger.close();
  }
}

function operationOf(value: string | undefined): ApprovedOperation {
  if (value === undefined) return 'deploy';
  if (!(OPERATIONS as readonly string[]).includes(value)) throw new InputError('--operation', `${show(value)}: must be ${OPERATIONS.join(' or ')}`);
  return value as ApprovedOperation;
}

function loadSettings(io: CommandIO, ctx: ApprovalContext, env: string): ApprovalSettings {
  if (!env) throw new InputError('--env', 'is required');
  const loaded = (ctx.project ?? projectReader(io.root)).loadEnvironment(env);
  return approvalSettingsOf(loaded.env, loaded.source);
}

/**
 * `ndc approve --env E --key KEY --as ID [--role R] [--systems a,b] [--expires 30d]`: shows exactly what is
 * being approved and signs it. Refused (exit 1) while mandatory findings are open, for the author of the
 * change, and for systems the reviewer may not approve or whose level does not need their role.
 */
export async function approveCommand(opts: ApproveOptions, io: CommandIO): Promise<number> {
  return guarded(io, 'approve', async () => {
    const settings = loadSettings(io, opts, opts.env);
    const operation = operationOf(opts.operation);
    if (opts.as === undefined || opts.as === '') throw new InputError('--as', 'is required (your reviewer id in the trust store)');
    if (!opts.key) throw new InputError('--key', 'is required (your private key file from ndc keys generate)');
    const keyPath = resolvePath(io, opts.key);
    const key = readPrivateKeyFile(keyPath.file, keyPath.shown);
    const duration = parseDuration(opts.expires ?? '30d');
    if (duration === undefined) throw new InputError('--expires', `${show(opts.expires)}: must be a duration like 30d or 12h`);
    if (duration > settings.maxValidityDays * 86_400_000) throw new InputError('--expires', `${show(opts.expires)}: ${opts.env} allows approvals of at most ${settings.maxValidityDays} days`);
    const manifest = readManifest(io.root, opts.env);
    const policy = await opts.evaluatePolicy(opts.env, manifest);

    const { accepted, deployed, owners, table } = await withLedger(io, opts, async (ledger) => {
      const records = await ledger.records();
      return {
        accepted: await acceptedTrustOf(ledger, opts.env),
        deployed: deployedLevelsFromRecords(records, opts.env),
        owners: deployedOwnersFromRecords(records, opts.env),
        table: deployedRequirementsFromRecords(records, opts.env),
      };
    });
    const trust = resolveTrust(readTrustStore(io.root, opts.env), opts.env, trustRootsFrom(opts.trustRoot), accepted);
    if (!trust.ok) return refuse(io, 'approve', trust.reason);
    // `--as` and the author are compared as the trust store's ids, normalised; lookalikes are bad input.
    const reviewerIds = trust.current.reviewers.map((r) => r.id);
    const reviewerId = resolveIdentity(opts.as, reviewerIds, '--as');
    if (reviewerId === undefined) return refuse(io, 'approve', `${opts.as} is not a reviewer in trust store version ${trust.current.version} of ${opts.env}`);
    await withLedger(io, opts, (ledger) => recordAcceptedTrust(ledger, opts.env, { version: trust.current.version, hash: trust.currentHash, rootHash: trust.rootHash }, accepted, reviewerId, io.now()));
    const reviewer = findReviewer(trust.current, reviewerId)!;
    // Judged as the gate judges: at least the roles the approvals table of the last deploy asked.
    const judgedSettings = withDeployedRequirements(settings, table);
    const ctx: EligibilityContext = { trust: trust.current, settings: judgedSettings, author: authorOf(opts.author, trust.current), now: io.now(), vouching: trust.vouching };
    let role: Role;
    if (opts.role !== undefined) {
      if (!(ROLES as readonly string[]).includes(opts.role)) throw new InputError('--role', `${show(opts.role)}: not a role (known: ${ROLES.join(', ')})`);
      role = opts.role as Role;
    } else if (reviewer.roles.length === 1) role = reviewer.roles[0];
    else throw new InputError('--role', `is required: ${reviewerId} holds several roles (${reviewer.roles.join(', ')})`);
    const candidate = { reviewer: reviewerId, keyId: key.keyId, role };
    const standing = eligibility(ctx, candidate);
    if (!standing.ok) {
      await withLedger(io, opts, (ledger) => ledger.append({ kind: 'approve', env: opts.env, actor: reviewerId, digest: manifest.digest, result: 'refused', details: { reason: standing.reason, role }, at: io.now() }));
      return refuse(io, 'approve', standing.reason);
    }

    // Which scopes: explicit ones must all be approvable (naming a scope signs it again, to renew an approval);
    // by default, every one this reviewer and role counts for that still needs the role at its current digest.
    // Scopes the last deploy applied that are gone from the environment: the deploy destroys them, their reviewers sign that.
    const removed = removedSystems(manifest.systems, deployed, owners);
    const known = new Map([...manifest.systems, ...removed].map((s) => [s.id, s]));
    const status = scopeNeeds(io, opts, manifest, policy, settings, operation, accepted, { levels: deployed, owners, requirements: table });
    const ineligible = (system: Manifest['systems'][number]): string | undefined => {
      // A scope lowered below the level last deployed is judged at that level, as the gate judges it.
      const verdict = eligibility(ctx, candidate, judgedAt(system, deployed, owners));
      return verdict.ok ? undefined : verdict.reason;
    };
    const why = (system: Manifest['systems'][number]): string | undefined => {
      const reason = ineligible(system);
      if (reason !== undefined) return reason;
      const scope = status.get(system.id);
      if (scope && scope.counted.some((c) => c.reviewer === reviewerId)) return `${reviewerId} already approved its current digest`;
      if (scope && !scope.missing.includes(role)) return `its ${role} approvals are complete at its current digest`;
      return undefined;
    };
    let chosen: Manifest['systems'];
    if (opts.systems && opts.systems.length > 0) {
      chosen = [...new Set(opts.systems)].sort().map((id) => {
        const system = known.get(id);
        if (!system) {
          const gone = removed.length > 0 ? `; removed since the last deploy: ${removed.map((s) => s.id).join(', ')}` : '';
          throw new InputError('--systems', `${show(id)} is not in out/${opts.env}/manifest.json (systems: ${manifest.systems.map((s) => s.id).join(', ')}${gone})`);
        }
        return system;
      });
      const blocked = chosen.map(ineligible).filter((r): r is string => r !== undefined);
      if (blocked.length > 0) return refuse(io, 'approve', blocked.join('; '));
    } else {
      chosen = [...manifest.systems, ...removed].filter((s) => why(s) === undefined).sort((a, b) => a.id.localeCompare(b.id));
    }

    const issued = io.now();
    const digests = scopesById(manifest);
    const statement: ApprovalStatement = {
      env: opts.env,
      operation,
      policyDigest: policy.policyDigest,
      scopes: chosen.map((s) => ({ id: s.id, level: s.level, digest: digests.get(s.id)?.digest ?? (removed.includes(s) ? removedScopeDigest(s.id) : '') })),
      reviewer: reviewerId,
      role,
      keyId: key.keyId,
      issued: issued.toISOString(),
      expires: new Date(issued.getTime() + duration).toISOString(),
    };
    if (!io.json) showStatement(io, manifest, removed, policy, judgedSettings, deployed, statement, [...manifest.systems, ...removed].map((s) => ({ id: s.id, excluded: chosen.includes(s) ? undefined : ((opts.systems?.length ? ineligible(s) : why(s)) ?? 'not selected') })));
    if (chosen.length > 0 && opts.showChanges) await opts.showChanges(io, manifest, statement);

    const refusal =
      policy.mandatoryFindings.length > 0
          ? `${policy.mandatoryFindings.length} mandatory finding(s) are open; fix them (ndc check --env ${opts.env}) before approving`
          : chosen.length === 0
            ? `nothing for ${reviewerId} to approve as ${role}: no scope in the manifest both falls within what they may approve and still needs that role at its current digest`
            : undefined;
    if (refusal) {
      await withLedger(io, opts, (ledger) => ledger.append({ kind: 'approve', env: opts.env, actor: reviewerId, digest: manifest.digest, result: 'refused', details: { reason: refusal, role }, at: issued }));
      return refuse(io, 'approve', refusal, { approved: false, reason: refusal, statement });
    }
    const written = writeApproval(io.root, opts.env, signApproval(statement, key.key));
    await withLedger(io, opts, (ledger) =>
      ledger.append({
        kind: 'approve',
        env: opts.env,
        actor: reviewerId,
        digest: manifest.digest,
        result: 'signed',
        details: { file: written.shown, role, keyId: key.keyId, policyDigest: policy.policyDigest, scopes: statement.scopes, expires: statement.expires },
        at: issued,
      }),
    );
    // Once every scope is approved at its current digest, this state is what later diffs compare with (ndc diff).
    const recorded = operation === 'deploy' && [...scopeNeeds(io, opts, manifest, policy, settings, operation, accepted, { levels: deployed, owners, requirements: table }).values()].every((s) => s.approved) ? recordApproved(io, manifest, issued) : undefined;
    if (io.json) printJson(io, 'approve', { approved: true, file: written.shown, replaced: written.replaced, statement, ...(recorded ? { approvedState: recorded } : {}) });
    else io.out(`${written.replaced ? 'replaced' : 'wrote'} ${written.shown}: ${reviewerId} approves the ${operation} of ${statement.scopes.length} scope(s) (${statement.scopes.map((x) => x.id).join(', ')}) as ${role} until ${statement.expires}`);
    if (recorded && !io.json) io.out(`every scope of ${opts.env} is approved at digest ${manifest.digest.slice(0, 12)}...: recorded ${recorded} (ndc diff compares with it)`);
    return 0;
  });
}

/**
 * Each scope's standing before this signature: which approvals count at its current digest and which roles
 * are missing. Assessments and findings are the gate's business, not the reviewer's: they are not judged here.
 */
function scopeNeeds(
  io: CommandIO,
  opts: ApproveOptions,
  manifest: Manifest,
  policy: PolicyFindings,
  settings: ApprovalSettings,
  operation: ApprovedOperation,
  acceptedTrust: Awaited<ReturnType<typeof acceptedTrustOf>>,
  deployedState: { levels: ReadonlyMap<string, number>; owners: ReadonlyMap<string, string>; requirements: ApprovalSettings['levels'] | undefined },
): Map<string, GateResult['perSystem'][number]> {
  const loaded = (opts.project ?? projectReader(io.root)).loadEnvironment(opts.env);
  const gate = evaluateGate({
    root: io.root,
    env: opts.env,
    operation,
    environment: { body: environmentBody(loaded), source: loaded.source },
    manifest,
    policy,
    assessmentCurrent: () => true,
    now: io.now(),
    author: opts.author,
    settings,
    trustRoots: trustRootsFrom(opts.trustRoot),
    acceptedTrust,
    deployedLevels: deployedState.levels,
    deployedOwners: deployedState.owners,
    deployedRequirements: deployedState.requirements,
  });
  return new Map(gate.perSystem.map((s) => [s.id, s]));
}

/** Records the approved state; a failure to record it is said, but does not undo the signature. */
function recordApproved(io: CommandIO, manifest: Manifest, at: Date): string | undefined {
  try {
    return recordApprovedState(io.root, manifest, at).shown;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    io.err(`warning: the approved state was not recorded (ndc diff --against approved will compare with an older one): ${error.message}`);
    return undefined;
  }
}

function showStatement(
  io: CommandIO,
  manifest: Manifest,
  removed: readonly Manifest['systems'][number][],
  policy: PolicyFindings,
  settings: ApprovalSettings,
  deployedLevels: ReadonlyMap<string, number>,
  s: ApprovalStatement,
  rows: { id: string; excluded?: string }[],
): void {
  io.out(`Approval to ${s.operation.toUpperCase()} ${s.env} by ${s.reviewer} as ${s.role} (key ${s.keyId.slice(0, 16)}...)`);
  io.out(`  manifest digest  ${manifest.digest}`);
  io.out(`  policy digest    ${s.policyDigest}`);
  io.out(`  profile          ${manifest.profile}`);
  io.out(`  artifacts        ${manifest.artifacts.length}`);
  io.out(`  valid            ${s.issued} to ${s.expires}`);
  io.out('Scopes:');
  const digests = scopesById(manifest);
  const lines = [...manifest.systems, ...removed].map((m) => {
    const row = rows.find((r) => r.id === m.id);
    const scope = digests.get(m.id);
    const judged = judgedAt(m, deployedLevels).level;
    const level = judged > m.level ? `level ${m.level} (deployed at ${judged})` : `level ${m.level}`;
    if (removed.includes(m)) return [m.id, level, `removed since the last deploy: the deploy destroys it`, '0 resources', `needs ${describeRoles(requiredRoles(settings, judged))}`, row && row.excluded === undefined ? 'APPROVING' : `not approving: ${row?.excluded ?? 'nothing to approve'}`];
    return [m.id, level, `digest ${scope ? scope.digest.slice(0, 16) : '(none)'}`, `${scope?.resources ?? 0} resources`, `needs ${describeRoles(requiredRoles(settings, judged))}`, row && row.excluded === undefined ? 'APPROVING' : `not approving: ${row?.excluded ?? 'nothing to approve'}`];
  });
  for (const line of table(lines)) io.out(line);
  if (policy.mandatoryFindings.length === 0) io.out('Mandatory findings: none');
  else {
    io.out(`Mandatory findings: ${policy.mandatoryFindings.length}`);
    for (const f of policy.mandatoryFindings) io.out(`  ${f.ruleId}${f.systemId ? ` ${f.systemId}` : ''}: ${f.message}`);
  }
}

/**
 * `ndc approvals --env E`: per system, what its level requires, which approvals count, and why every other
 * present approval does not. Exit 0 when every system's approvals are complete, 1 otherwise.
 */
export async function approvalsCommand(opts: ApprovalsOptions, io: CommandIO): Promise<number> {
  return guarded(io, 'approvals', async () => {
    const settings = loadSettings(io, opts, opts.env);
    const operation = operationOf(opts.operation);
    const manifest = readManifest(io.root, opts.env);
    const policy = await opts.evaluatePolicy(opts.env, manifest);
    const trustRoots = trustRootsFrom(opts.trustRoot);
    const loaded = (opts.project ?? projectReader(io.root)).loadEnvironment(opts.env);
    const result = await withLedger(io, opts, async (ledger) => {
      const acceptedTrust = await acceptedTrustOf(ledger, opts.env);
      const gate = evaluateGate({
        root: io.root,
        env: opts.env,
        operation,
        environment: { body: environmentBody(loaded), source: loaded.source },
        manifest,
        policy,
        assessmentCurrent: opts.assessmentCurrent,
        now: io.now(),
        author: opts.author,
        settings,
        trustRoots,
        acceptedTrust,
        deployedLevels: deployedLevelsFromRecords(await ledger.records(), opts.env),
        deployedOwners: deployedOwnersFromRecords(await ledger.records(), opts.env),
        deployedRequirements: deployedRequirementsFromRecords(await ledger.records(), opts.env),
      });
      await recordAcceptedTrust(ledger, opts.env, gate.trust, acceptedTrust, opts.actor ?? 'ndc approvals', io.now());
      return gate;
    });
    const complete = result.perSystem.every((s) => s.approved);
    if (io.json) printJson(io, 'approvals', { complete, ...result });
    else printApprovals(io, result, complete);
    return complete ? 0 : 1;
  });
}

/** The digest a scope's counting approvals name (the current one), else those its voided approvals name. */
function approvedDigestOf(s: GateResult['perSystem'][number]): string {
  if (s.counted.length > 0) return `${s.digest ?? ''} (${s.counted.length} approval(s) count)`;
  if (s.approvedDigests.length > 0) return `${s.approvedDigests.map((d) => d.slice(0, 16)).join(', ')} (voided: the scope changed since)`;
  return 'none';
}

function printApprovals(io: CommandIO, result: GateResult, complete: boolean): void {
  const trust = 'error' in result.trust ? `trust store not in force: ${result.trust.error}` : `trust store version ${result.trust.version}`;
  io.out(`${result.operation === 'deploy' ? 'Deploy' : 'Destroy'} approvals for ${result.env}: manifest digest ${result.digest.slice(0, 16)}..., policy digest ${result.policyDigest.slice(0, 16)}..., ${trust}`);
  for (const s of result.perSystem) {
    io.out(`${s.id} (level ${s.level}, ${s.owner}): requires ${describeRoles(s.required)}: ${s.approved ? 'complete' : `missing ${describeRoles(s.missing)}`}`);
    io.out(`  current digest ${s.digest ?? '(none: synthesize again)'}; approved digest ${approvedDigestOf(s)}${s.missing.length > 0 ? `; must sign: ${describeRoles(s.missing)}` : ''}`);
    for (const c of s.counted) io.out(`  counts: ${c.reviewer} as ${c.role} (${c.file}, expires ${c.expires})`);
    for (const n of result.notCounting.filter((n) => n.system === s.id)) io.out(`  does not count: ${n.file}: ${n.reason}`);
    if (s.assessment !== true) io.out(`  security assessment not current: ${s.assessment}`);
    for (const f of s.findings) io.out(`  mandatory finding ${f}`);
  }
  const general = result.notCounting.filter((n) => n.system === undefined);
  if (general.length > 0) {
    io.out('Approvals that count for no system:');
    for (const n of general) io.out(`  ${n.file}: ${n.reason}`);
  }
  const approved = result.perSystem.filter((s) => s.approved).length;
  io.out(`${approved} of ${result.perSystem.length} scope(s) fully approved; approvals ${complete ? 'complete' : 'incomplete'}; deploy gate ${result.open ? 'open' : 'closed'}`);
  if (!result.open) {
    io.out('The gate is closed because:');
    for (const r of result.reasons) io.out(`  - ${r}`);
  }
}
