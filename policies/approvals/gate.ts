import { canonicalJson } from '../../core/canonical-json';
import { InputError } from '../../core/errors';
import { bodyDisagreements, type Manifest, type ManifestBody } from '../../stacks/manifest';
import { describeRoles, requiredRoles, roleCounts, type ApprovalSettings, type Role } from './requirements';
import { APPROVAL_DOMAIN, readApprovals, type ApprovalStatement, type ApprovedOperation, type LoadedApproval } from './statement';
import { verifyStatement } from './keys';
import { endOf, findReviewer, readTrustStore, resolveTrust, reviewerCovers, startOf, type ResolvedTrust } from './trust-store';

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
  /** Pinned sha256 values of trust-store version 1 (the command line takes them from NDC_TRUST_ROOT). */
  readonly trustRoots: readonly string[];
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
  readonly id: string;
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
}

/** Holds the reviewer id of whoever authored the change being deployed; their approvals never count. */
export const CHANGE_AUTHOR_VARIABLE = 'NDC_CHANGE_AUTHOR';

/** Clock skew tolerated for an approval's `issued` time. */
const SKEW_MS = 5 * 60_000;

/**
 * The deployment gate: open only when no mandatory finding is open and every system in the manifest has,
 * for each role its level requires, an approval that verifies against the trust store in force, is for this
 * environment, this manifest digest and this policy digest, is unexpired, signed by a key that is neither
 * revoked nor outside its validity window, by a reviewer who holds the role, may approve that system, and is
 * not the author of the change; and its security assessment is current. One key counts once.
 */
export function evaluateGate(input: GateInput): GateResult {
  const { manifest, env } = input;
  // Systems and levels come from the environment, never from the manifest an author can edit.
  const systems = input.environment.body.systems;
  const reasons: string[] = [];
  if (manifest.env !== env) reasons.push(`out/${env}/manifest.json: is for environment ${manifest.env}, not ${env}`);
  else reasons.push(...bodyDisagreements(manifest, input.environment.body, input.environment.source));
  for (const f of input.policy.mandatoryFindings) reasons.push(`mandatory finding ${f.ruleId}${f.systemId ? ` on ${f.systemId}` : ''}: ${f.message}`);

  const trust = loadTrust(input);
  if (!trust.ok) reasons.push(`trust store: ${trust.reason}`);

  const notCounting: NotCounting[] = [];
  const candidates = new Map<string, CountedApproval[]>(systems.map((s) => [s.id, []]));
  const countedKeys = new Map<string, string>();
  const systemsById = new Map(systems.map((m) => [m.id, m]));
  for (const loaded of readApprovals(input.root, env)) {
    const verdict = checkApproval(loaded, input, trust, countedKeys);
    if (typeof verdict === 'string') {
      notCounting.push({ file: loaded.shown, reviewer: 'approval' in loaded ? loaded.approval.statement.reviewer : undefined, reason: verdict });
      continue;
    }
    const s = verdict;
    countedKeys.set(s.keyId, loaded.shown);
    for (const approved of s.systems) {
      const system = systemsById.get(approved.id);
      const skip = (reason: string) => notCounting.push({ file: loaded.shown, reviewer: s.reviewer, system: approved.id, reason });
      if (!system) {
        skip(`approves ${approved.id}, which ${input.environment.source} does not deploy`);
        continue;
      }
      const reviewer = trust.ok ? findReviewer(trust.current, s.reviewer) : undefined;
      const required = requiredRoles(input.settings, system.level);
      if (approved.level !== system.level) skip(`approves ${system.id} at level ${approved.level}, but ${input.environment.source} says level ${system.level}`);
      else if (reviewer && !reviewerCovers(reviewer, system)) skip(`${s.reviewer} may not approve ${system.id} (owner ${system.owner}; allowed: ${[...reviewer.systems, ...reviewer.agencies].join(', ')})`);
      else if (!required.includes(s.role)) skip(`role ${s.role} does not count for ${system.id} at level ${system.level} (needs ${describeRoles(required)})`);
      else if (candidates.get(system.id)!.some((c) => c.keyId === s.keyId || c.reviewer === s.reviewer)) skip(`lists ${system.id} more than once (one key counts once)`);
      else candidates.get(system.id)!.push({ file: loaded.shown, reviewer: s.reviewer, role: s.role, keyId: s.keyId, expires: s.expires });
    }
  }

  const perSystem: SystemStatus[] = systems.map((system) => {
    const required = requiredRoles(input.settings, system.level);
    const counted: CountedApproval[] = [];
    const missing: Role[] = [];
    for (const [role, needed] of roleCounts(required)) {
      const present = candidates.get(system.id)!.filter((c) => c.role === role).slice(0, needed);
      counted.push(...present);
      for (let i = present.length; i < needed; i++) missing.push(role);
      if (present.length < needed) reasons.push(`${system.id} (level ${system.level}): missing ${role} approval (${present.length} of ${needed} valid)`);
    }
    const assessed = input.assessmentCurrent(system.id);
    const assessment: true | string = assessed === true ? true : typeof assessed === 'string' && assessed !== '' ? assessed : 'not current';
    if (assessment !== true) reasons.push(`${system.id}: security assessment not current: ${assessment}`);
    const findings = input.policy.mandatoryFindings.filter((f) => f.systemId === system.id).map((f) => `${f.ruleId}: ${f.message}`);
    return { id: system.id, name: system.name, level: system.level, owner: system.owner, required, counted, missing, assessment, findings, approved: missing.length === 0 };
  });

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
  };
}

function loadTrust(input: GateInput): ResolvedTrust {
  try {
    return resolveTrust(readTrustStore(input.root, input.env), input.env, input.trustRoots);
  } catch (error) {
    if (error instanceof InputError) return { ok: false, reason: error.message };
    throw error;
  }
}

/** The statement when the approval as a whole is valid, otherwise the reason it does not count. */
function checkApproval(loaded: LoadedApproval, input: GateInput, trust: ResolvedTrust, countedKeys: ReadonlyMap<string, string>): ApprovalStatement | string {
  if ('error' in loaded) return loaded.error;
  const { statement: s, signature } = loaded.approval;
  const short = (key: string) => `${key.slice(0, 16)}...`;
  if (s.env !== input.env) return `approves environment ${s.env}, not ${input.env}`;
  if (s.operation !== input.operation) return `approves ${s.operation}, not ${input.operation} (${input.operation === 'destroy' ? 'a destroy needs destroy approvals from the same roles' : 'a destroy approval never deploys'})`;
  if (!trust.ok) return 'no trust store in force to verify it against';
  const version = trust.current.version;
  if (trust.current.revokedKeys.includes(s.keyId)) return `key ${short(s.keyId)} of ${s.reviewer} is revoked (trust store version ${version})`;
  const reviewer = findReviewer(trust.current, s.reviewer);
  if (!reviewer) return `unknown key: ${s.reviewer} is not a reviewer in trust store version ${version}`;
  if (reviewer.keyId !== s.keyId) return `unknown key: ${short(s.keyId)} is not ${s.reviewer}'s key in trust store version ${version}`;
  if (!verifyStatement(trust.keys.get(reviewer.keyId)!, APPROVAL_DOMAIN, canonicalJson(s), signature)) {
    return `signature does not verify against ${s.reviewer}'s key ${short(s.keyId)} (the file was altered after signing)`;
  }
  if (s.digest !== input.manifest.digest) return `approves digest ${s.digest.slice(0, 12)}..., but the manifest digest is ${input.manifest.digest.slice(0, 12)}... (what would be deployed changed after approval)`;
  if (s.policyDigest !== input.policy.policyDigest) return `approved under policy digest ${s.policyDigest.slice(0, 12)}..., but the rules in force have ${input.policy.policyDigest.slice(0, 12)}...`;
  const now = input.now.getTime();
  const issued = Date.parse(s.issued);
  const expires = Date.parse(s.expires);
  if (expires <= now) return `expired at ${s.expires}`;
  if (issued > now + SKEW_MS) return `issued in the future (${s.issued})`;
  if (expires <= issued) return `expires (${s.expires}) before it was issued (${s.issued})`;
  if (expires - issued > input.settings.maxValidityDays * 86_400_000) return `valid for more than the ${input.settings.maxValidityDays} days this environment allows`;
  if (now < startOf(reviewer.notBefore) || now > endOf(reviewer.notAfter)) return `${s.reviewer}'s key is valid only from ${reviewer.notBefore} to ${reviewer.notAfter}`;
  if (issued < startOf(reviewer.notBefore) || issued > endOf(reviewer.notAfter)) return `issued at ${s.issued}, outside ${s.reviewer}'s key validity ${reviewer.notBefore} to ${reviewer.notAfter}`;
  if (input.author !== undefined && s.reviewer === input.author) return `${s.reviewer} is the author of this change and cannot approve it (separation of duties)`;
  if (!reviewer.roles.includes(s.role)) return `${s.reviewer} does not hold role ${s.role} in trust store version ${version} (holds ${reviewer.roles.join(', ')})`;
  const earlier = countedKeys.get(s.keyId);
  if (earlier) return `${s.reviewer}'s key already counts through ${earlier} (one key counts once)`;
  return s;
}
