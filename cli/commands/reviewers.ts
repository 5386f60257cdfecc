import { canonicalJson } from '../../core/canonical-json';
import { InputError, show } from '../../core/errors';
import { calendarDateProblem } from '../../core/dates';
import { loadEnvironment } from '../../environments/load';
import { readPrivateKeyFile, readPublicKeyFile } from '../../policies/approvals/keys';
import { ROLES, type Role } from '../../policies/approvals/requirements';
import {
  changedReviewers,
  checkBody,
  readTrustStore,
  resolveTrust,
  signTrustVersion,
  trustRootsFrom,
  trustStoreShown,
  TRUST_ROOT_VARIABLE,
  versionHash,
  writeTrustStore,
  type Reviewer,
  type TrustStore,
  type TrustVersionBody,
} from '../../policies/approvals/trust-store';
import { actorOf } from '../../ledger/actor';
import { openLedger } from '../../ledger/open';
import { identityProblem, identitySkeleton, normaliseIdentity } from '../../policies/approvals/identity';
import type { CommandIO } from '../io';
import { guarded, printJson, refusal, requireId, resolvePath, table } from './common';

/** How trust-store edits are signed on the spot: `--sign-with KEY --as ID`. */
export interface TrustSigning {
  readonly signWith?: string;
  readonly as?: string;
}

interface TrustContext {
  readonly env: string;
  /** Pinned version-1 hashes (NDC_TRUST_ROOT, read by the composition root). */
  readonly trustRoot?: string;
}

export interface ReviewersAddOptions extends TrustContext, TrustSigning {
  readonly id: string;
  readonly name?: string;
  /** The reviewer's `.pub` file. */
  readonly publicKey: string;
  readonly roles: readonly string[];
  readonly agencies?: readonly string[];
  readonly systems?: readonly string[];
  /** YYYY-MM-DD; default today. */
  readonly notBefore?: string;
  /** YYYY-MM-DD; default one year from today. */
  readonly notAfter?: string;
  /** Signatures the version after this one will need. */
  readonly threshold?: number;
}

export interface ReviewersRemoveOptions extends TrustContext, TrustSigning {
  readonly id: string;
  readonly threshold?: number;
}

export interface ReviewersSignOptions extends TrustContext {
  readonly key: string;
  readonly as: string;
}

export type ReviewersListOptions = TrustContext;


/** `ndc reviewers add --env E --id ID --public-key FILE --roles r1,r2 [--agencies ..] [--systems ..]`. */
export async function reviewersAddCommand(opts: ReviewersAddOptions, io: CommandIO): Promise<number> {
  return guarded(io, 'reviewers add', async () => {
    checkEnv(io, opts.env);
    const id = reviewerIdOf('--id', opts.id);
    if (!opts.publicKey) throw new InputError('--public-key', 'is required (the .pub file from ndc keys generate)');
    const key = readPublicKeyFile(resolvePath(io, opts.publicKey).file, resolvePath(io, opts.publicKey).shown);
    if (!opts.roles || opts.roles.length === 0) throw new InputError('--roles', `is required (one or more of ${ROLES.join(', ')})`);
    const roles = [...new Set(opts.roles)].sort().map((r) => {
      if (!(ROLES as readonly string[]).includes(r)) throw new InputError('--roles', `${show(r)}: not a role (known: ${ROLES.join(', ')})`);
      return r as Role;
    });
    const agencies = [...new Set(opts.agencies ?? [])].sort();
    const systems = [...new Set(opts.systems ?? [])].sort();
    if (agencies.length === 0 && systems.length === 0) throw new InputError('--agencies/--systems', 'name the agencies or systems this reviewer may approve ("*" for any)');
    const today = io.now().toISOString().slice(0, 10);
    const notBefore = opts.notBefore ?? today;
    const notAfter = opts.notAfter ?? new Date(Date.parse(`${today}T00:00:00.000Z`) + 365 * 86_400_000).toISOString().slice(0, 10);
    for (const [flag, value] of [['--not-before', notBefore], ['--not-after', notAfter]] as const) {
      const problem = calendarDateProblem(value);
      if (problem) throw new InputError(flag, `${show(value)}: ${problem}`);
    }
    const reviewer: Reviewer = { id, ...(opts.name ? { name: opts.name } : {}), publicKey: key.pem, keyId: key.keyId, roles, agencies, systems, notBefore, notAfter };
    return editTrustStore(opts, io, `add ${id}`, (body) => {
      // A new id that names, or looks like, another reviewer would make "who is this" ambiguous.
      const alike = body.reviewers.find((r) => r.id !== id && identitySkeleton(r.id) === identitySkeleton(id));
      if (alike) throw new InputError('--id', `${show(id)} looks like reviewer ${alike.id}; choose an id that cannot be mistaken for another`);
      if (body.revokedKeys.includes(key.keyId)) throw new InputError(resolvePath(io, opts.publicKey).shown, `key ${key.keyId.slice(0, 16)}... was revoked; generate a new key`);
      const other = body.reviewers.find((r) => r.keyId === key.keyId && r.id !== id);
      if (other) throw new InputError(resolvePath(io, opts.publicKey).shown, `is already the key of reviewer ${other.id}; every reviewer needs a key of their own`);
      const previous = body.reviewers.find((r) => r.id === id);
      const reviewers = [...body.reviewers.filter((r) => r.id !== id), reviewer].sort((a, b) => a.id.localeCompare(b.id));
      // A reviewer given a new key loses the old one for good.
      const revokedKeys = previous && previous.keyId !== key.keyId ? [...body.revokedKeys, previous.keyId].sort() : body.revokedKeys;
      return { ...body, reviewers, revokedKeys, threshold: opts.threshold ?? body.threshold };
    });
  });
}

/** `ndc reviewers remove --env E --id ID`: drops the reviewer and revokes their key for good. */
export async function reviewersRemoveCommand(opts: ReviewersRemoveOptions, io: CommandIO): Promise<number> {
  return guarded(io, 'reviewers remove', async () => {
    checkEnv(io, opts.env);
    const id = reviewerIdOf('--id', opts.id);
    return editTrustStore(opts, io, `remove ${id}`, (body) => {
      const gone = body.reviewers.find((r) => r.id === id);
      if (!gone) throw new InputError('--id', `${show(id)} is not a reviewer of ${opts.env} (reviewers: ${body.reviewers.map((r) => r.id).join(', ') || 'none'})`);
      const reviewers = body.reviewers.filter((r) => r.id !== id);
      const threshold = opts.threshold ?? body.threshold;
      if (reviewers.length > 0 && threshold > reviewers.length) {
        throw new InputError('--threshold', `the threshold ${threshold} would exceed the ${reviewers.length} remaining reviewer(s); pass a lower --threshold`);
      }
      return { ...body, reviewers, revokedKeys: [...new Set([...body.revokedKeys, gone.keyId])].sort(), threshold };
    });
  });
}

/** `ndc reviewers sign --env E --key KEY --as ID`: signs the pending trust-store version. */
export async function reviewersSignCommand(opts: ReviewersSignOptions, io: CommandIO): Promise<number> {
  return guarded(io, 'reviewers sign', async () => {
    checkEnv(io, opts.env);
    const store = readTrustStore(io.root, opts.env);
    const resolved = resolveTrust(store, opts.env, roots(opts));
    if (!resolved.ok) return refuse(io, 'reviewers sign', resolved.reason);
    if (!resolved.pending) return refuse(io, 'reviewers sign', `${trustStoreShown(opts.env)}: no version is waiting for signatures (version ${resolved.current.version} is in force)`);
    const signed = signPending(store!, resolved.current, opts.key, opts.as, io, 'reviewers sign');
    if (typeof signed === 'number') return signed;
    writeTrustStore(io.root, opts.env, signed);
    await record(io, opts.env, opts.as, 'signed', signed);
    report(io, opts, 'reviewers sign');
    return 0;
  });
}

/**
 * `ndc reviewers list --env E`: the version in force, its reviewers, and any version awaiting signatures.
 * Exit 1 when no version is in force (no store, version 1 not pinned, or a broken chain).
 */
export async function reviewersListCommand(opts: ReviewersListOptions, io: CommandIO): Promise<number> {
  return guarded(io, 'reviewers list', async () => {
    checkEnv(io, opts.env);
    return report(io, opts, 'reviewers list');
  });
}

/** A reviewer id as the trust store keeps it: normalised like every identity, then lower-case letters, digits and dashes. */
function reviewerIdOf(flag: string, raw: string | undefined): string {
  if (raw === undefined || raw === '') throw new InputError(flag, 'is required');
  const problem = identityProblem(raw);
  if (problem) throw new InputError(flag, `${show(raw)}: ${problem}`);
  return requireId(flag, normaliseIdentity(raw));
}

function checkEnv(io: CommandIO, env: string): void {
  if (!env) throw new InputError('--env', 'is required');
  loadEnvironment(io.root, env);
}

function roots(opts: TrustContext): string[] {
  return trustRootsFrom(opts.trustRoot);
}

function refuse(io: CommandIO, command: string, reason: string): number {
  return refusal(io, command, reason);
}

/**
 * Applies a change. With no store it creates version 1; while version 1 is the only version and not yet
 * pinned it is a draft and is edited in place; after that every change is a new version that needs the
 * signatures of the version in force.
 */
async function editTrustStore(opts: TrustContext & TrustSigning, io: CommandIO, change: string, apply: (body: TrustVersionBody) => TrustVersionBody): Promise<number> {
  const command = `reviewers ${change.split(' ')[0]}`;
  const shown = trustStoreShown(opts.env);
  if ((opts.signWith === undefined) !== (opts.as === undefined)) throw new InputError(opts.signWith ? '--as' : '--sign-with', 'give --sign-with KEY and --as ID together');
  const store = readTrustStore(io.root, opts.env);
  const pinned = roots(opts);
  const draft = !store || (store.versions.length === 1 && !pinned.includes(versionHash(store.versions[0].body)));
  if (draft) {
    const base: TrustVersionBody = store?.versions[0].body ?? { env: opts.env, version: 1, previous: null, threshold: 1, reviewers: [], revokedKeys: [] };
    const body = apply(base);
    checkBody(body, opts.env, `${shown}: version 1`);
    const next: TrustStore = { versions: [{ body, signatures: [] }] };
    writeTrustStore(io.root, opts.env, next);
    await record(io, opts.env, opts.as ?? actorOf(process.env), `draft ${change}`, next);
    if (opts.signWith) io.out('note: version 1 needs no signatures; it is trusted by pinning its hash');
    report(io, opts, command);
    return 0;
  }
  const resolved = resolveTrust(store, opts.env, pinned);
  if (!resolved.ok) return refuse(io, command, resolved.reason);
  const base: TrustVersionBody = resolved.pending?.body ?? { ...resolved.current, version: resolved.current.version + 1, previous: resolved.currentHash };
  const body = apply(base);
  checkBody(body, opts.env, `${shown}: version ${body.version}`);
  if (canonicalJson(body) === canonicalJson(resolved.current)) throw new InputError(shown, `${change} changes nothing in version ${resolved.current.version}`);
  const kept = resolved.pending && canonicalJson(body) === canonicalJson(resolved.pending.body) ? store!.versions[store!.versions.length - 1].signatures : [];
  const dropped = (resolved.pending ? store!.versions[store!.versions.length - 1].signatures.length : 0) - kept.length;
  const versions = [...store!.versions.slice(0, resolved.pending ? -1 : undefined), { body, signatures: kept }];
  let next: TrustStore = { versions };
  if (dropped > 0) io.out(`note: version ${body.version} changed, so its ${dropped} earlier signature(s) no longer apply and were dropped`);
  if (opts.signWith && opts.as) {
    const signed = signPending(next, resolved.current, opts.signWith, opts.as, io, command);
    if (typeof signed === 'number') return signed;
    next = signed;
  }
  writeTrustStore(io.root, opts.env, next);
  await record(io, opts.env, opts.as ?? actorOf(process.env), `proposed ${change}`, next);
  report(io, opts, command);
  return 0;
}

/** Adds `as`'s signature to the last version of `store`; a number is the exit code of a refusal. */
function signPending(store: TrustStore, current: TrustVersionBody, keyFile: string, as: string, io: CommandIO, command: string): TrustStore | number {
  const signer = reviewerIdOf('--as', as);
  const keyPath = resolvePath(io, keyFile);
  const key = readPrivateKeyFile(keyPath.file, keyPath.shown);
  const last = store.versions[store.versions.length - 1];
  const reviewer = current.reviewers.find((r) => r.id === signer);
  if (!reviewer) return refuse(io, command, `${signer} is not a reviewer of version ${current.version}, so cannot sign version ${last.body.version}`);
  if (reviewer.keyId !== key.keyId) return refuse(io, command, `${keyPath.shown} is not ${signer}'s key in version ${current.version} (${reviewer.keyId.slice(0, 16)}...)`);
  if (changedReviewers(current, last.body).has(signer)) return refuse(io, command, `version ${last.body.version} changes ${signer}'s own entry; other reviewers must sign it`);
  const signature = signTrustVersion(last.body, signer, key.key, key.keyId);
  const signatures = [...last.signatures.filter((s) => s.reviewer !== signer), signature];
  return { versions: [...store.versions.slice(0, -1), { body: last.body, signatures }] };
}

async function record(io: CommandIO, env: string, actor: string, result: string, store: TrustStore): Promise<void> {
  const ledger = openLedger(io.root);
  try {
    const last = store.versions[store.versions.length - 1];
    await ledger.append({ kind: 'trust-store', env, actor, result, details: { version: last.body.version, hash: versionHash(last.body), signatures: last.signatures.map((s) => s.reviewer) }, at: io.now() });
  } finally {
    await ledger.close();
  }
}

function report(io: CommandIO, opts: TrustContext, command: string): number {
  const shown = trustStoreShown(opts.env);
  const store = readTrustStore(io.root, opts.env);
  const resolved = resolveTrust(store, opts.env, roots(opts));
  const rootHash = store ? versionHash(store.versions[0].body) : undefined;
  const now = io.now().toISOString();
  if (io.json) {
    printJson(io, command, {
      env: opts.env,
      file: shown,
      rootHash: rootHash ?? null,
      pinned: resolved.ok,
      ...(resolved.ok
        ? {
            current: { version: resolved.current.version, hash: resolved.currentHash, threshold: resolved.current.threshold, reviewers: resolved.current.reviewers.map(describeReviewer), revokedKeys: resolved.current.revokedKeys },
            pending: resolved.pending
              ? { version: resolved.pending.body.version, hash: versionHash(resolved.pending.body), needed: resolved.pending.needed, signedBy: resolved.pending.validSigners.map((s) => s.reviewer), rejected: resolved.pending.rejected, changes: changes(resolved.current, resolved.pending.body) }
              : null,
          }
        : { error: resolved.reason, draft: store ? { version: store.versions[0].body.version, reviewers: store.versions[0].body.reviewers.map(describeReviewer) } : null }),
    });
    return resolved.ok ? 0 : 1;
  }
  if (!resolved.ok) {
    io.out(`not in force: ${resolved.reason}`);
    if (store && store.versions.length === 1) {
      io.out(`draft version 1 (threshold ${store.versions[0].body.threshold}):`);
      for (const line of reviewerTable(store.versions[0].body.reviewers, now)) io.out(line);
      io.out(`pin it (after checking it out of band): ${TRUST_ROOT_VARIABLE}=${rootHash}`);
    }
    return 1;
  }
  io.out(`${shown}: version ${resolved.current.version} in force (sha256 ${resolved.currentHash.slice(0, 16)}...), version 1 pinned as ${rootHash}`);
  io.out(`threshold: ${resolved.current.threshold} signature(s) of these reviewers for the next version`);
  for (const line of reviewerTable(resolved.current.reviewers, now)) io.out(line);
  if (resolved.current.revokedKeys.length > 0) io.out(`revoked keys: ${resolved.current.revokedKeys.map((k) => `${k.slice(0, 16)}...`).join(', ')}`);
  if (resolved.pending) {
    const p = resolved.pending;
    io.out(`version ${p.body.version} pending (${changes(resolved.current, p.body).join('; ')}): ${p.validSigners.length} of ${p.needed} signature(s)${p.validSigners.length ? ` (${p.validSigners.map((s) => s.reviewer).join(', ')})` : ''}`);
    for (const r of p.rejected) io.out(`  signature of ${r.reviewer} does not count: ${r.reason}`);
    const changed = changedReviewers(resolved.current, p.body);
    const eligible = resolved.current.reviewers.filter((r) => !changed.has(r.id) && !p.validSigners.some((s) => s.reviewer === r.id)).map((r) => r.id);
    io.out(`  can still sign: ${eligible.join(', ') || 'nobody (the change cannot reach its threshold)'}`);
  }
  return 0;
}

function describeReviewer(r: Reviewer) {
  return { id: r.id, name: r.name ?? null, keyId: r.keyId, roles: r.roles, agencies: r.agencies, systems: r.systems, notBefore: r.notBefore, notAfter: r.notAfter };
}

function reviewerTable(reviewers: readonly Reviewer[], now: string): string[] {
  if (reviewers.length === 0) return ['  (no reviewers)'];
  return table([
    ['reviewer', 'roles', 'may approve', 'valid', 'key'],
    ...reviewers.map((r) => [
      r.id,
      r.roles.join(','),
      [...r.systems.map((s) => `system ${s}`), ...r.agencies.map((a) => `agency ${a}`)].join('; '),
      `${r.notBefore}..${r.notAfter}${now.slice(0, 10) > r.notAfter || now.slice(0, 10) < r.notBefore ? ' (not now)' : ''}`,
      `${r.keyId.slice(0, 16)}...`,
    ]),
  ]);
}

function changes(from: TrustVersionBody, to: TrustVersionBody): string[] {
  const out: string[] = [];
  const before = new Map(from.reviewers.map((r) => [r.id, r]));
  for (const r of to.reviewers) {
    if (!before.has(r.id)) out.push(`adds ${r.id}`);
    else if (canonicalJson(before.get(r.id)) !== canonicalJson(r)) out.push(`changes ${r.id}`);
  }
  for (const r of from.reviewers) if (!to.reviewers.some((t) => t.id === r.id)) out.push(`removes ${r.id}`);
  if (from.threshold !== to.threshold) out.push(`threshold ${from.threshold} -> ${to.threshold}`);
  return out.length ? out : ['no reviewer changes'];
}
