import { canonicalJson } from '../../core/canonical-json';
import { InputError } from '../../core/errors';
import { PLATFORM_SYSTEM_ID } from '../../environments/schema';
import { sha256 } from '../../core/canonical-json';
import { bodyDisagreements, scopesById, type Manifest, type ManifestBody, type ManifestScope, type ManifestSystem } from '../../stacks/manifest';
import { authorOf, eligibility, type EligibilityContext } from './eligibility';
import { CHANGE_AUTHOR_VARIABLE } from './identity';
import { describeRoles, requiredRoles, roleCounts, type ApprovalSettings, type Role } from './requirements';
import { APPROVAL_DOMAIN, readApprovals, type ApprovalStatement, type ApprovedOperation, type LoadedApproval } from './statement';
import { verifyStatement } from './keys';
import { readTrustStore, resolveTrust, type AcceptedTrust, type ResolvedTrust } from './trust-store';

/** The policy findings the gate checks: the digest of the rules in force and the open mandatory findings (injected; see policies/outcome.ts). */
export interface PolicyFindings {
  readonly policyDigest: string;
  readonly mandatoryFindings: readonly { readonly ruleId: string; readonly systemId?: string; readonly message: string }[];
}

/** Whether a system's periodic security assessment is current: true, or the reason it is not. */
export type AssessmentCheck = (systemId: string) => boolean | string;

export interface GateInput {
  readonly root: string;
  readonly env: string;
  /** What is asked for: approvals count only for the operation they name. */
  readonly operation: ApprovedOperation;
  readonly manifest: Manifest;
  /**
   * The manifest body the validated environment renders to (systems, levels, owners, approval
   * requirements) and the file it came from: the gate judges these, and refuses a manifest that disagrees.
   */
  readonly environment: { readonly body: ManifestBody; readonly source: string };
  readonly policy: PolicyFindings;
  readonly assessmentCurrent: AssessmentCheck;
  readonly now: Date;
  /** The reviewer id of the change's author (the command line takes it from NDC_CHANGE_AUTHOR); their approvals never count. */
  readonly author?: string;
  /** What each level needs: the `approvals` block of the environment. */
  readonly settings: ApprovalSettings;
  /** Trust-store pins (the command line takes them from NDC_TRUST_ROOT; see trustRootsFrom). */
  readonly trustRoots: readonly string[];
  /** The highest trust-store version the ledger says this environment accepted; an older store is refused. */
  readonly acceptedTrust?: AcceptedTrust;
  /**
   * The level each scope was last deployed at (the ledger's last deploy run, see deploy/ledger-view.ts): a
   * scope now at a lower level needs the roles of the level deployed, so a downgrade is never signed only by
   * the roles the lower level asks for.
   */
  readonly deployedLevels?: ReadonlyMap<string, number>;
  /**
   * The approvals table (roles per level) the last deploy run was judged under: each level asks at least
   * those roles, so dropping a role from the environment file is signed by the roles it asked before.
   */
  readonly deployedRequirements?: ApprovalSettings['levels'];
  /**
   * The owner agency of each scope as last deployed: a system handed to another agency since is approved by
   * reviewers covering the agency that held it (the handover is theirs to sign), until that deploy runs.
   */
  readonly deployedOwners?: ReadonlyMap<string, string>;
}

export interface CountedApproval {
  readonly file: string;
  readonly reviewer: string;
  readonly role: Role;
  readonly keyId: string;
  readonly expires: string;
}

/** A present approval that does not count, and why (for one system, or for the whole file). */
export interface NotCounting {
  readonly file: string;
  readonly reviewer?: string;
  readonly system?: string;
  readonly reason: string;
}

export interface SystemStatus {
  /** A system id or the platform's (national-cloud-platform): one scope. */
  readonly id: string;
  /** The scope's current digest (what an approval must name to count); undefined when the manifest has none. */
  readonly digest?: string;
  /** The digests present approvals of this scope name, where they differ from the current one (voided by a change). */
  readonly approvedDigests: string[];
  readonly name: string;
  readonly level: number;
  readonly owner: string;
  readonly required: Role[];
  readonly counted: CountedApproval[];
  /** Roles still missing, one entry per missing reviewer. */
  readonly missing: Role[];
  /** true, or why the security assessment is not current. */
  readonly assessment: true | string;
  readonly findings: string[];
  /** Every required role has a valid approval. */
  readonly approved: boolean;
}

export interface GateResult {
  readonly open: boolean;
  readonly env: string;
  readonly operation: ApprovedOperation;
  readonly digest: string;
  readonly policyDigest: string;
  readonly trust: { readonly version: number; readonly rootHash: string; readonly hash: string } | { readonly error: string };
  /** Every reason the gate is closed; empty when it is open. */
  readonly reasons: string[];
  readonly perSystem: SystemStatus[];
  readonly notCounting: NotCounting[];
  /** The scopes that keep the gate closed (missing approvals, assessment, findings), by id. */
  readonly blocking: string[];
}

export { CHANGE_AUTHOR_VARIABLE };

/** The environment's approvals table with, at each level, at least as many reviewers of each role as the table last deployed asked. */
export function withDeployedRequirements(settings: ApprovalSettings, deployed: ApprovalSettings['levels'] | undefined): ApprovalSettings {
  if (!deployed) return settings;
  const levels = { ...settings.levels };
  for (const level of ['1', '2', '3', '4', '5'] as const) {
    const counts = roleCounts(settings.levels[level]);
    for (const [role, n] of roleCounts(deployed[level])) counts.set(role, Math.max(n, counts.get(role) ?? 0));
    levels[level] = [...counts].flatMap(([role, n]) => Array.from({ length: n }, () => role)).sort();
  }
  return { ...settings, levels };
}

/**
 * What an approval names for a scope the last deploy applied and the environment no longer has: the deploy
 * destroys what it held, so the roles of its level (for its owner, as deployed) approve that, at this digest.
 */
export function removedScopeDigest(id: string): string {
  return sha256(`ndc-scope-removed\n${id}`);
}

/** The scopes of the last deploy run (ledger) that `systems` no longer has, as systems at their deployed level and owner. */
export function removedSystems(systems: readonly ManifestSystem[], deployedLevels: ReadonlyMap<string, number> | undefined, deployedOwners?: ReadonlyMap<string, string>): ManifestSystem[] {
  const present = new Set(systems.map((s) => s.id));
  return [...(deployedLevels ?? new Map<string, number>())]
    .filter(([id]) => !present.has(id))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, level]) => ({ id, name: `${id} (removed)`, level, regions: [], owner: deployedOwners?.get(id) ?? '', classification: 'removed', personalData: false }));
}

/**
 * A system as its approvals are judged: at its level, or at the higher level it was last deployed at, and
 * for the owner agency it was last deployed with.
 */
export function judgedAt<T extends { readonly id: string; readonly level: number; readonly owner: string }>(system: T, deployedLevels: ReadonlyMap<string, number> | undefined, deployedOwners?: ReadonlyMap<string, string>): T {
  const level = deployedLevels?.get(system.id);
  const owner = deployedOwners?.get(system.id);
  const higher = level !== undefined && level > system.level;
  const handed = owner !== undefined && owner !== system.owner;
  return higher || handed ? { ...system, ...(higher ? { level } : {}), ...(handed ? { owner } : {}) } : system;
}

/** Clock skew tolerated for an approval's `issued` time. */
const SKEW_MS = 5 * 60_000;

/**
 * The deployment gate: open only when no mandatory finding is open and every scope (each system in the
 * environment and the platform, national-cloud-platform) has, for each role its level requires, an approval
 * that verifies against the trust store in force, is for this environment and operation, names that scope
 * at its current scope digest and level, is under this policy digest, is unexpired, signed by a key that is
 * neither revoked nor outside its validity window, by a reviewer who holds the role, may approve that scope,
 * and is not the author of the change; and its security assessment is current. One key counts once per scope.
 * The caller checks the manifest's scope digests against the files (stacks/manifest.ts scopeProblems).
 */
export function evaluateGate(input: GateInput): GateResult {
  const { manifest, env } = input;
  // Systems and levels come from the environment, never from the manifest an author can edit; a scope the
  // last deploy applied and the environment dropped is judged too (the deploy removes what it held).
  const removed = removedSystems(input.environment.body.systems, input.deployedLevels, input.deployedOwners);
  const removedIds = new Set(removed.map((s) => s.id));
  const systems = [...input.environment.body.systems, ...removed];
  const reasons: string[] = [];
  if (manifest.env !== env) reasons.push(`out/${env}/manifest.json: is for environment ${manifest.env}, not ${env}`);
  else reasons.push(...bodyDisagreements(manifest, input.environment.body, input.environment.source));
  for (const f of input.policy.mandatoryFindings) reasons.push(`mandatory finding ${f.ruleId}${f.systemId ? ` on ${f.systemId}` : ''}: ${f.message}`);

  const trust = loadTrust(input);
  if (!trust.ok) reasons.push(`trust store: ${trust.reason}`);

  // A malformed author, or one spelled like a reviewer it is not, is bad input (exit 2), not a closed gate.
  const settings = withDeployedRequirements(input.settings, input.deployedRequirements);
  const eligible: EligibilityContext | undefined = trust.ok ? { trust: trust.current, settings, author: authorOf(input.author, trust.current), now: input.now, vouching: trust.vouching } : undefined;
  const notCounting: NotCounting[] = [];
  const candidates = new Map<string, CountedApproval[]>(systems.map((s) => [s.id, []]));
  const staleDigests = new Map<string, Set<string>>(systems.map((s) => [s.id, new Set<string>()]));
  const systemsById = new Map(systems.map((m) => [m.id, m]));
  // The scope digests the artifacts give (the callers check them against the files: scopeProblems).
  const current: Map<string, Pick<ManifestScope, 'id' | 'level' | 'digest'>> = scopesById(manifest);
  for (const r of removed) current.set(r.id, { id: r.id, level: r.level, digest: removedScopeDigest(r.id) });
  for (const loaded of readApprovals(input.root, env)) {
    const verdict = checkApproval(loaded, input, trust, eligible);
    if (typeof verdict === 'string') {
      notCounting.push({ file: loaded.shown, reviewer: 'approval' in loaded ? loaded.approval.statement.reviewer : undefined, reason: verdict });
      continue;
    }
    const s = verdict;
    for (const approved of s.scopes) {
      const system = systemsById.get(approved.id);
      const skip = (reason: string) => notCounting.push({ file: loaded.shown, reviewer: s.reviewer, system: approved.id, reason });
      if (!system) {
        skip(`approves ${approved.id}, which ${input.environment.source} does not deploy`);
        continue;
      }
      const scope = current.get(system.id);
      const standing = eligibility(eligible!, { reviewer: s.reviewer, keyId: s.keyId, role: s.role }, judgedAt(system, input.deployedLevels, input.deployedOwners));
      if (approved.level !== system.level) skip(`approves ${system.id} at level ${approved.level}, but ${input.environment.source} says level ${system.level}`);
      else if (!scope || approved.digest !== scope.digest) {
        staleDigests.get(system.id)!.add(approved.digest);
        skip(`approves ${system.id} at digest ${approved.digest.slice(0, 12)}..., but its current digest is ${scope ? `${scope.digest.slice(0, 12)}...` : 'missing from the manifest'} (what it deploys changed after approval)`);
      }
      else if (!standing.ok) skip(standing.reason);
      else {
        // One key (one reviewer) counts once per scope, whichever file or role it signed in.
        const earlier = candidates.get(system.id)!.find((c) => c.keyId === s.keyId || c.reviewer === s.reviewer);
        if (earlier?.file === loaded.shown) skip(`lists ${system.id} more than once (one key counts once)`);
        else if (earlier) skip(`${s.reviewer}'s key already counts for ${system.id} through ${earlier.file} (one key counts once)`);
        else candidates.get(system.id)!.push({ file: loaded.shown, reviewer: s.reviewer, role: s.role, keyId: s.keyId, expires: s.expires });
      }
    }
  }

  const blocking = new Set<string>();
  const perSystem: SystemStatus[] = systems.map((system) => {
    const reasonsBefore = reasons.length;
    const judgedSystem = judgedAt(system, input.deployedLevels, input.deployedOwners);
    const judged = judgedSystem.level;
    const handover = judgedSystem.owner !== system.owner ? `; owned by ${judgedSystem.owner} when last deployed: handing a system to ${system.owner} needs the roles of the agency that held it` : '';
    const required = requiredRoles(settings, judged);
    const asked = describeRoles(required) !== describeRoles(requiredRoles(input.settings, judged)) ? `; the approvals table as last deployed asks ${describeRoles(required)}: lowering it needs the roles it asked` : '';
    const removal = removedIds.has(system.id) ? `, removed from ${input.environment.source} since the last deploy, which destroys what it held: its reviewers approve that with ndc approve --env ${env} --systems ${system.id}` : '';
    const levelShown = `${judged > system.level ? `level ${system.level}, last deployed at level ${judged}: lowering a level needs the roles of the level deployed` : `level ${system.level}${removal}`}${asked}${handover}`;
    const scope = current.get(system.id);
    if (!scope) reasons.push(`${system.id}: out/${env}/manifest.json has no scope digest for it; run ndc synth --env ${env} again`);
    else if (scope.level !== system.level) reasons.push(`${system.id}: out/${env}/manifest.json digests it at level ${scope.level}, but ${input.environment.source} says level ${system.level}; run ndc synth --env ${env} again`);
    const counted: CountedApproval[] = [];
    const missing: Role[] = [];
    for (const [role, needed] of roleCounts(required)) {
      const present = candidates.get(system.id)!.filter((c) => c.role === role).slice(0, needed);
      counted.push(...present);
      for (let i = present.length; i < needed; i++) missing.push(role);
      if (present.length < needed) reasons.push(`${system.id} (${levelShown}): missing ${role} approval (${present.length} of ${needed} valid)`);
    }
    // The platform has no assessment record in the environment yet (its periodic check is not modelled).
    // Nor has a removed system: nothing of it stays in operation.
    const assessed = system.id === PLATFORM_SYSTEM_ID || removedIds.has(system.id) ? true : input.assessmentCurrent(system.id);
    const assessment: true | string = assessed === true ? true : typeof assessed === 'string' && assessed !== '' ? assessed : 'not current';
    if (assessment !== true) reasons.push(`${system.id}: security assessment not current: ${assessment}`);
    const findings = input.policy.mandatoryFindings.filter((f) => f.systemId === system.id).map((f) => `${f.ruleId}: ${f.message}`);
    if (reasons.length > reasonsBefore || findings.length > 0) blocking.add(system.id);
    const approvedDigests = [...staleDigests.get(system.id)!].sort();
    return { id: system.id, digest: scope?.digest, approvedDigests, name: system.name, level: system.level, owner: system.owner, required, counted, missing, assessment, findings, approved: missing.length === 0 && scope !== undefined };
  });
  // The stacks are per cluster, not per scope: no scope can be deployed alone, so name what blocks the whole.
  if (blocking.size > 0) reasons.push(`scopes blocking the ${input.operation}: ${[...blocking].join(', ')} (the stacks are per cluster, so no scope is ${input.operation === 'deploy' ? 'deployed' : 'destroyed'} without the others)`);

  const open = reasons.length === 0;
  if (!open) for (const n of notCounting) reasons.push(`${n.file}: does not count${n.system ? ` for ${n.system}` : ''}: ${n.reason}`);
  return {
    open,
    env,
    operation: input.operation,
    digest: manifest.digest,
    policyDigest: input.policy.policyDigest,
    trust: trust.ok ? { version: trust.current.version, rootHash: trust.rootHash, hash: trust.currentHash } : { error: trust.reason },
    reasons,
    perSystem,
    notCounting,
    blocking: [...blocking],
  };
}

function loadTrust(input: GateInput): ResolvedTrust {
  try {
    return resolveTrust(readTrustStore(input.root, input.env), input.env, input.trustRoots, input.acceptedTrust);
  } catch (error) {
    if (error instanceof InputError) return { ok: false, reason: error.message };
    throw error;
  }
}

/** The statement when the approval as a whole is valid, otherwise the reason it does not count. */
function checkApproval(loaded: LoadedApproval, input: GateInput, trust: ResolvedTrust, eligible: EligibilityContext | undefined): ApprovalStatement | string {
  if ('error' in loaded) return loaded.error;
  const { statement: s, signature } = loaded.approval;
  if (s.env !== input.env) return `approves environment ${s.env}, not ${input.env}`;
  if (s.operation !== input.operation) return `approves ${s.operation}, not ${input.operation} (${input.operation === 'destroy' ? 'a destroy needs destroy approvals from the same roles' : 'a destroy approval never deploys'})`;
  if (!trust.ok || !eligible) return 'no trust store in force to verify it against';
  const issued = Date.parse(s.issued);
  const standing = eligibility(eligible, { reviewer: s.reviewer, keyId: s.keyId, role: s.role, issued: new Date(issued) });
  if (!standing.ok) return standing.reason;
  if (!verifyStatement(trust.keys.get(standing.reviewer.keyId)!, APPROVAL_DOMAIN, canonicalJson(s), signature)) {
    return `signature does not verify against ${s.reviewer}'s key ${s.keyId.slice(0, 16)}... (the file was altered after signing)`;
  }
  if (s.policyDigest !== input.policy.policyDigest) return `approved under policy digest ${s.policyDigest.slice(0, 12)}..., but the rules in force and the evidence records they judge have ${input.policy.policyDigest.slice(0, 12)}...`;
  const now = input.now.getTime();
  const expires = Date.parse(s.expires);
  if (expires <= now) return `expired at ${s.expires}`;
  if (issued > now + SKEW_MS) return `issued in the future (${s.issued})`;
  if (expires <= issued) return `expires (${s.expires}) before it was issued (${s.issued})`;
  if (expires - issued > input.settings.maxValidityDays * 86_400_000) return `valid for more than the ${input.settings.maxValidityDays} days this environment allows`;
  return s;
}
