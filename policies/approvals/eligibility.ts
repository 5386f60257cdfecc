import { CHANGE_AUTHOR_VARIABLE, resolveIdentity } from './identity';
import { describeRoles, requiredRoles, type ApprovalSettings, type Role } from './requirements';
import { endOf, findReviewer, reviewerCovers, startOf, type Reviewer, type TrustVersionBody, type Vouching } from './trust-store';

/**
 * Who may approve what, asked the same way by `ndc approve` before it signs and by the gate before an
 * approval counts: a reviewer of the trust-store version in force, with that key, not revoked, within the
 * key's validity window (now, and when the approval was issued), holding the role, not the change's
 * author, and, for a system, covering its owner agency or id at a level that needs the role.
 */
export interface EligibilityContext {
  /** The trust-store version in force. */
  readonly trust: TrustVersionBody;
  readonly settings: ApprovalSettings;
  /** The change's author as the trust store knows them (see authorOf); their approvals never count. */
  readonly author: ChangeAuthor | undefined;
  readonly now: Date;
  /** Who put each entry in force (resolveTrust): an entry only the author's signature made is the author's second identity. */
  readonly vouching?: ReadonlyMap<string, Vouching>;
}

/** The change's author: the reviewer id they are, or (for someone who is not a reviewer) their normalised name. */
export interface ChangeAuthor {
  readonly reviewer?: string;
  readonly shown: string;
}

export interface Candidate {
  readonly reviewer: string;
  readonly keyId: string;
  readonly role: Role;
  /** When the approval was signed (an approval on disk); the key had to be valid then too. */
  readonly issued?: Date;
}

export interface ApprovedSystem {
  readonly id: string;
  readonly owner: string;
  readonly level: number;
}

export type Eligibility = { readonly ok: true; readonly reviewer: Reviewer } | { readonly ok: false; readonly reason: string };

/**
 * Resolves NDC_CHANGE_AUTHOR against the trust store: normalised, it must name exactly one reviewer id or
 * none; a malformed value or a lookalike spelling of a reviewer id is an InputError naming the variable.
 */
export function authorOf(author: string | undefined, trust: TrustVersionBody, where = CHANGE_AUTHOR_VARIABLE): ChangeAuthor | undefined {
  if (author === undefined || author.trim() === '') return undefined;
  const reviewer = resolveIdentity(author, trust.reviewers.map((r) => r.id), where);
  return { reviewer, shown: reviewer ?? author };
}

/** One answer to "may this reviewer, with this key and role, approve (this system)?" */
export function eligibility(ctx: EligibilityContext, candidate: Candidate, system?: ApprovedSystem): Eligibility {
  const { trust } = ctx;
  const version = trust.version;
  const short = `${candidate.keyId.slice(0, 16)}...`;
  if (trust.revokedKeys.includes(candidate.keyId)) return refused(`key ${short} of ${candidate.reviewer} is revoked (trust store version ${version})`);
  const reviewer = findReviewer(trust, candidate.reviewer);
  if (!reviewer) return refused(`unknown key: ${candidate.reviewer} is not a reviewer in trust store version ${version}`);
  if (reviewer.keyId !== candidate.keyId) return refused(`unknown key: ${short} is not ${reviewer.id}'s key in trust store version ${version} (expected ${reviewer.keyId.slice(0, 16)}...)`);
  if (ctx.author?.reviewer === reviewer.id) return refused(`${reviewer.id} is the author of this change (${CHANGE_AUTHOR_VARIABLE}) and cannot approve it (separation of duties)`);
  const vouched = ctx.vouching?.get(reviewer.id);
  const author = ctx.author?.reviewer;
  if (author !== undefined && vouched?.signers.includes(author) && vouched.signers.filter((s) => s !== author).length < vouched.threshold) {
    return refused(
      `${reviewer.id}'s entry is in force only through ${author}'s signature (trust store version ${vouched.version}, threshold ${vouched.threshold}), and ${author} is the author of this change (${CHANGE_AUTHOR_VARIABLE}): it cannot approve it`,
    );
  }
  const now = ctx.now.getTime();
  if (now < startOf(reviewer.notBefore) || now > endOf(reviewer.notAfter)) return refused(`${reviewer.id}'s key is valid only from ${reviewer.notBefore} to ${reviewer.notAfter}`);
  if (candidate.issued) {
    const issued = candidate.issued.getTime();
    if (issued < startOf(reviewer.notBefore) || issued > endOf(reviewer.notAfter)) {
      return refused(`issued at ${candidate.issued.toISOString()}, outside ${reviewer.id}'s key validity ${reviewer.notBefore} to ${reviewer.notAfter}`);
    }
  }
  if (!reviewer.roles.includes(candidate.role)) return refused(`${reviewer.id} does not hold role ${candidate.role} in trust store version ${version} (holds ${reviewer.roles.join(', ')})`);
  if (system) {
    if (!reviewerCovers(reviewer, system)) return refused(`${reviewer.id} may not approve ${system.id} (owner ${system.owner}; allowed: ${[...reviewer.systems, ...reviewer.agencies].join(', ')})`);
    const required = requiredRoles(ctx.settings, system.level);
    if (!required.includes(candidate.role)) return refused(`role ${candidate.role} does not count for ${system.id} at level ${system.level} (needs ${describeRoles(required)})`);
  }
  return { ok: true, reviewer };
}

function refused(reason: string): Eligibility {
  return { ok: false, reason };
}
