import { attributeChanges, wholeAttributes, type AttributeChange } from '../../core/json-diff';
import type { Engine } from '../../stacks/manifest';
import type { EnvironmentState, ResourceState, ScopeState } from '../../stacks/scope-state';
import { requiredRoles, type ApprovalSettings, type Role } from './requirements';
import type { LoadedApproval } from './statement';

/**
 * What changed between two states of an environment, per scope: resources added, removed and changed
 * with the attributes that changed, the approvals the change voids and the roles that must sign again.
 */
export const DIFF_SCHEMA = 'ndc/diff/v1';

export interface ResourceChange {
  readonly address: string;
  readonly engine: Engine;
  readonly artifact: string;
  readonly change: 'added' | 'removed' | 'changed';
  /** Changed: the attributes that differ; added or removed: every attribute of the resource. */
  readonly attributes: readonly AttributeChange[];
  /** The scope it was in before, when it moved into this one. */
  readonly movedFrom?: string;
  /** The scope it is in now, when it moved out of this one. */
  readonly movedTo?: string;
}

/** An approval that covered the scope as it was, and so no longer matches it. */
export interface VoidedApproval {
  readonly file: string;
  readonly reviewer: string;
  readonly role: string;
  readonly operation: string;
}

export interface ScopeDiff {
  readonly id: string;
  /** added: a scope that did not exist before; removed: one that is gone; changed: its resources or level differ. */
  readonly status: 'added' | 'removed' | 'changed';
  readonly level: number;
  /** The level before, when it changed. */
  readonly previousLevel?: number;
  readonly digest: { readonly from?: string; readonly to?: string };
  readonly counts: { readonly added: number; readonly removed: number; readonly changed: number };
  readonly resources: readonly ResourceChange[];
  /**
   * How its reachability changed (stacks/reach.ts lines: who may connect to it, where it may connect, which
   * outside networks reach it over several hops), when it did; `recorded` is false when one side does not
   * record its lines (an older revision), so only the digests are known to differ.
   */
  readonly reachability?: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly recorded: boolean };
  readonly voidedApprovals: readonly VoidedApproval[];
  /** The roles whose approvals this scope needs again at its (current) level; none for a scope that is gone. */
  readonly mustSign: readonly Role[];
}

export interface DiffBase {
  /** approved: the last fully approved state; digest: a stored approved state or deploy snapshot; revision: a git revision synthesized. */
  readonly kind: 'approved' | 'approved-state' | 'snapshot' | 'revision';
  /** What was asked for (`approved`, a digest, a git ref) and what it resolved to, for the reader. */
  readonly ref: string;
  readonly source: string;
  readonly digest: string;
  readonly approvedAt?: string;
}

export interface EnvironmentDiff {
  readonly schema: typeof DIFF_SCHEMA;
  readonly env: string;
  readonly against: DiffBase;
  readonly current: { readonly digest: string; readonly source: string };
  /** Only the scopes that changed, by id. */
  readonly scopes: readonly ScopeDiff[];
  /** Ids of the scopes present on both sides with the same digest and level. */
  readonly unchanged: readonly string[];
}

/** The scopes an approval statement covers with their digests (the statement's `scopes`, when it has them). */
export function coveredScopes(statement: unknown): { id: string; digest: string }[] {
  const scopes = (statement as { scopes?: unknown } | null)?.scopes;
  if (!Array.isArray(scopes)) return [];
  return scopes.filter((s): s is { id: string; digest: string } => typeof (s as { id?: unknown })?.id === 'string' && typeof (s as { digest?: unknown })?.digest === 'string');
}

function byId<T extends { id: string }>(list: readonly T[]): Map<string, T> {
  return new Map(list.map((item) => [item.id, item]));
}

function byAddress(resources: readonly ResourceState[]): Map<string, ResourceState> {
  return new Map(resources.map((r) => [r.address, r]));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Compares `base` with `current`. Resources are matched by address within a scope, so a resource that
 * moved between scopes shows in both: removed from the one, added to the other (each naming the other).
 */
export function diffStates(input: {
  base: EnvironmentState;
  current: EnvironmentState;
  against: DiffBase;
  currentSource: string;
  /** Requirements in force now: who must sign each changed scope at its level. */
  settings: ApprovalSettings;
  /** The environment's approval files (approvals/<env>/). */
  approvals: readonly LoadedApproval[];
}): EnvironmentDiff {
  const { base, current } = input;
  const before = byId(base.scopes);
  const after = byId(current.scopes);
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort(compare);
  // Where each address lives on either side, to name the other scope of a moved resource.
  const scopeBefore = new Map<string, string>();
  for (const s of base.scopes) for (const r of s.resources) scopeBefore.set(r.address, s.id);
  const scopeAfter = new Map<string, string>();
  for (const s of current.scopes) for (const r of s.resources) scopeAfter.set(r.address, s.id);

  const scopes: ScopeDiff[] = [];
  const unchanged: string[] = [];
  for (const id of ids) {
    const old = before.get(id);
    const now = after.get(id);
    if (old && now && old.digest === now.digest && old.level === now.level) {
      unchanged.push(id);
      continue;
    }
    const resources = resourceChanges(old, now, scopeBefore, scopeAfter);
    const count = (change: ResourceChange['change']) => resources.filter((r) => r.change === change).length;
    scopes.push({
      id,
      status: !old ? 'added' : !now ? 'removed' : 'changed',
      level: (now ?? old)!.level,
      ...(old && now && old.level !== now.level ? { previousLevel: old.level } : {}),
      digest: { from: old?.digest, to: now?.digest },
      counts: { added: count('added'), removed: count('removed'), changed: count('changed') },
      resources,
      ...reachabilityChange(old, now),
      voidedApprovals: old ? voidedApprovals(input.approvals, id, old.digest) : [],
      mustSign: now ? requiredRoles(input.settings, now.level) : [],
    });
  }
  return { schema: 'ndc/diff/v1', env: current.env, against: input.against, current: { digest: current.digest, source: input.currentSource }, scopes, unchanged };
}

function reachabilityChange(old: ScopeState | undefined, now: ScopeState | undefined): Pick<ScopeDiff, 'reachability'> {
  if (!old || !now || old.reach === now.reach) return {};
  if (old.reachability === undefined || now.reachability === undefined) return { reachability: { added: [], removed: [], recorded: false } };
  const before = new Set(old.reachability);
  const after = new Set(now.reachability);
  return { reachability: { added: now.reachability.filter((l) => !before.has(l)), removed: old.reachability.filter((l) => !after.has(l)), recorded: true } };
}

function resourceChanges(old: ScopeState | undefined, now: ScopeState | undefined, scopeBefore: Map<string, string>, scopeAfter: Map<string, string>): ResourceChange[] {
  const a = byAddress(old?.resources ?? []);
  const b = byAddress(now?.resources ?? []);
  const out: ResourceChange[] = [];
  for (const address of [...new Set([...a.keys(), ...b.keys()])].sort(compare)) {
    const from = a.get(address);
    const to = b.get(address);
    if (from && to) {
      if (from.sha256 === to.sha256) continue;
      out.push({ address, engine: to.engine, artifact: to.artifact, change: 'changed', attributes: attributeChanges(from.body, to.body) });
    } else if (to) {
      const movedFrom = scopeBefore.get(address);
      out.push({ address, engine: to.engine, artifact: to.artifact, change: 'added', attributes: wholeAttributes(to.body, 'to'), ...(movedFrom !== undefined ? { movedFrom } : {}) });
    } else if (from) {
      const movedTo = scopeAfter.get(address);
      out.push({ address, engine: from.engine, artifact: from.artifact, change: 'removed', attributes: wholeAttributes(from.body, 'from'), ...(movedTo !== undefined ? { movedTo } : {}) });
    }
  }
  return out;
}

/** The approvals that covered scope `id` at `digest`: they do not match the scope as it is now. */
function voidedApprovals(approvals: readonly LoadedApproval[], id: string, digest: string): VoidedApproval[] {
  const out: VoidedApproval[] = [];
  for (const loaded of approvals) {
    if (!('approval' in loaded)) continue;
    const { statement } = loaded.approval;
    if (!coveredScopes(statement).some((s) => s.id === id && s.digest === digest)) continue;
    out.push({ file: loaded.shown, reviewer: statement.reviewer, role: statement.role, operation: statement.operation });
  }
  return out.sort((x, y) => compare(x.reviewer, y.reviewer) || compare(x.role, y.role) || compare(x.file, y.file));
}
