import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson, sha256, stableJson } from '../../core/canonical-json';
import { isoInstantProblem } from '../../core/dates';
import { InputError, show } from '../../core/errors';
import { parseJsonFile } from '../../core/json';
import { formatPath } from '../../environments/validate';
import { identitySkeleton } from './identity';
import { parsePublicKey, keyIdOf, signStatement, verifyStatement } from './keys';
import { ROLES } from './requirements';

/**
 * The trust store of an environment: which reviewer keys may approve what. It is a chain of versions.
 * Version 1 is trusted because its sha256 is pinned outside the repository (NDC_TRUST_ROOT); version N+1
 * is trusted only when `threshold` distinct reviewers of version N signed it, and a reviewer whose own
 * entry the new version adds or changes does not count towards that threshold. So adding your key (or a
 * role) in the same commit as your approval gives it no power.
 */
export const TRUST_STORE_DOMAIN = 'ndc-trust-store-v1';
export const TRUST_ROOT_VARIABLE = 'NDC_TRUST_ROOT';

const id = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and dashes, starting with a letter');
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (a sha256)');
const instant = z.string().superRefine((text, ctx) => {
  const problem = isoInstantProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: text });
});

export const reviewerSchema = z.strictObject({
  id,
  name: z.string().min(1).optional(),
  publicKey: z.string().min(1),
  /** sha256 of the DER public key; checked against `publicKey` on load. */
  keyId: hex64,
  roles: z.array(z.enum(ROLES)).min(1),
  /** Owner agencies whose systems this reviewer may approve (`*`: any). */
  agencies: z.array(z.string().min(1)).default([]),
  /** Systems this reviewer may approve (`*`: any). */
  systems: z.array(z.string().min(1)).default([]),
  notBefore: instant,
  notAfter: instant,
});
export type Reviewer = z.output<typeof reviewerSchema>;

export const trustVersionBodySchema = z.strictObject({
  env: id,
  version: z.number().int().min(1),
  /** sha256 of the canonical JSON of the previous version's body; null for version 1. */
  previous: hex64.nullable(),
  /** Distinct reviewers of THIS version whose signatures the NEXT version needs. */
  threshold: z.number().int().min(1),
  reviewers: z.array(reviewerSchema),
  /** Fingerprints of keys that never count again (removed reviewers' keys land here). */
  revokedKeys: z.array(hex64).default([]),
});
export type TrustVersionBody = z.output<typeof trustVersionBodySchema>;

export const trustSignatureSchema = z.strictObject({ reviewer: id, keyId: hex64, signature: z.string().min(1) });
export type TrustSignature = z.output<typeof trustSignatureSchema>;

export const trustStoreSchema = z.strictObject({
  versions: z.array(z.strictObject({ body: trustVersionBodySchema, signatures: z.array(trustSignatureSchema).default([]) })).min(1),
});
export type TrustStore = z.output<typeof trustStoreSchema>;

export function trustStorePath(root: string, env: string): string {
  return join(root, 'approvals', env, 'trust-store.json');
}
export function trustStoreShown(env: string): string {
  return `approvals/${env}/trust-store.json`;
}

export function versionHash(body: TrustVersionBody): string {
  return sha256(canonicalJson(body));
}

/**
 * NDC_TRUST_ROOT: a comma- or space-separated list of pins. A bare sha256 (or `1:<sha256>`) pins version 1
 * of whichever environment it hashes to (the body names its environment). `<N>:<sha256>` pins version N:
 * the store must then hold exactly that version N, so a store cut back to an older version is refused
 * even where the ledger is new. `<env>:<N>:<sha256>` limits a pin to one environment, for a value that
 * serves several. Version-1 pins come back as bare hashes; a malformed entry is bad input.
 */
export function trustRootsFrom(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '')
    .map((entry) => {
      const pin = parsePin(entry);
      if (!pin) throw new InputError(TRUST_ROOT_VARIABLE, `${show(entry)}: not a pin (a trust-store version's sha256, <version>:<sha256> or <env>:<version>:<sha256>)`);
      return pin.version === 1 ? pin.hash : entry;
    });
}

interface TrustPin {
  readonly env?: string;
  readonly version: number;
  readonly hash: string;
}

function parsePin(entry: string): TrustPin | undefined {
  const match = /^(?:([a-z][a-z0-9-]{0,39}):)?(?:([1-9]\d{0,8}):)?([0-9a-f]{64})$/.exec(entry);
  if (!match) return undefined;
  return { env: match[1], version: match[2] === undefined ? 1 : Number(match[2]), hash: match[3] };
}

/** The highest trust-store version a gate or approval command of this environment has accepted (from the ledger). */
export interface AcceptedTrust {
  readonly version: number;
  readonly hash: string;
  /** When it was first accepted (ISO time), for the message. */
  readonly at: string;
}

/** Reads and validates the trust store; undefined when the environment has none yet. */
export function readTrustStore(root: string, env: string): TrustStore | undefined {
  const file = trustStorePath(root, env);
  const shown = trustStoreShown(env);
  if (!existsSync(file)) return undefined;
  const raw = parseJsonFile(readFileSync(file, 'utf8'), shown);
  const parsed = trustStoreSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${shown}: ${formatPath(issue.path) || '(top level)'}`, issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => show(k)).join(', ')}` : issue.message);
  }
  const store = parsed.data;
  store.versions.forEach((v, i) => checkBody(v.body, env, `${shown}: versions[${i}].body`));
  return store;
}

export function checkBody(body: TrustVersionBody, env: string, where: string): void {
  if (body.env !== env) throw new InputError(`${where}.env`, `${show(body.env)}: this is the trust store of ${show(env)}`);
  const seen = new Set<string>();
  const keys = new Set<string>();
  const shapes = new Map<string, string>();
  body.reviewers.forEach((r, i) => {
    if (seen.has(r.id)) throw new InputError(`${where}.reviewers[${i}].id`, `${show(r.id)}: listed twice`);
    seen.add(r.id);
    const alike = shapes.get(identitySkeleton(r.id));
    if (alike !== undefined) throw new InputError(`${where}.reviewers[${i}].id`, `${show(r.id)}: looks like reviewer ${alike} (one person, one id that cannot be mistaken for another)`);
    shapes.set(identitySkeleton(r.id), r.id);
    const key = parsePublicKey(r.publicKey);
    if (typeof key === 'string') throw new InputError(`${where}.reviewers[${i}].publicKey`, key);
    if (keyIdOf(key) !== r.keyId) throw new InputError(`${where}.reviewers[${i}].keyId`, `${r.keyId.slice(0, 16)}...: is not the fingerprint of publicKey (${keyIdOf(key).slice(0, 16)}...)`);
    if (keys.has(r.keyId)) throw new InputError(`${where}.reviewers[${i}].keyId`, 'the same key is listed for two reviewers');
    keys.add(r.keyId);
    if (body.revokedKeys.includes(r.keyId)) throw new InputError(`${where}.reviewers[${i}].keyId`, `key ${r.keyId.slice(0, 16)}... is revoked`);
    if (r.agencies.length === 0 && r.systems.length === 0) throw new InputError(`${where}.reviewers[${i}]`, 'names neither agencies nor systems it may approve (use "*" for any)');
    if (startOf(r.notBefore) >= endOf(r.notAfter)) throw new InputError(`${where}.reviewers[${i}].notAfter`, `${show(r.notAfter)}: must be after notBefore ${show(r.notBefore)}`);
  });
  if (body.reviewers.length > 0 && body.threshold > body.reviewers.length) {
    throw new InputError(`${where}.threshold`, `${body.threshold}: more than the ${body.reviewers.length} reviewer(s) of this version could ever sign`);
  }
}

/** `YYYY-MM-DD` as a window start means 00:00 UTC that day; as an end, the end of that day. */
export function startOf(value: string): number {
  return Date.parse(value.length === 10 ? `${value}T00:00:00.000Z` : value);
}
export function endOf(value: string): number {
  return value.length === 10 ? Date.parse(`${value}T00:00:00.000Z`) + 86_400_000 - 1 : Date.parse(value);
}

export function writeTrustStore(root: string, env: string, store: TrustStore): void {
  const file = trustStorePath(root, env);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, stableJson(store));
  renameSync(tmp, file);
}

export interface TrustSigner {
  readonly reviewer: string;
  readonly keyId: string;
}

export interface PendingVersion {
  readonly body: TrustVersionBody;
  /** Signatures that count towards the threshold, in file order. */
  readonly validSigners: TrustSigner[];
  /** Signatures present that do not count, and why. */
  readonly rejected: { reviewer: string; reason: string }[];
  readonly needed: number;
}

/** The signed version that last added or changed a reviewer's entry: its valid signers and the threshold they met. */
export interface Vouching {
  readonly version: number;
  readonly signers: readonly string[];
  readonly threshold: number;
}

/** The store, checked: the version that is in force, and the one waiting for signatures (if any). */
export type ResolvedTrust =
  | {
      readonly ok: true;
      readonly rootHash: string;
      readonly current: TrustVersionBody;
      readonly currentHash: string;
      readonly pending?: PendingVersion;
      readonly keys: Map<string, KeyObject>;
      /** Who put each reviewer's entry, as in force, there: absent for entries of the pinned version. */
      readonly vouching: Map<string, Vouching>;
    }
  | { readonly ok: false; readonly rootHash?: string; readonly reason: string };

/**
 * Walks the chain from the newest pinned version (version 1's hash, or a later `<N>:<sha256>` pin). Only the
 * last version may lack signatures (it is then pending and not in force); anything else is a broken chain
 * and nothing in the store is trusted. No version may take a key out of `revokedKeys` or list a revoked
 * key again, whoever signed it. With `accepted` (the ledger's highest accepted version), a store whose
 * version in force is older, or that no longer holds that exact version, is refused: an older trust store
 * cannot be brought back.
 */
export function resolveTrust(store: TrustStore | undefined, env: string, trustRoots: readonly string[], accepted?: AcceptedTrust): ResolvedTrust {
  const shown = trustStoreShown(env);
  if (!store) return { ok: false, reason: `${shown}: no trust store for ${env} (create it with ndc reviewers add --env ${env} ...)` };
  const first = store.versions[0].body;
  const rootHash = versionHash(first);
  if (first.version !== 1 || first.previous !== null) return { ok: false, rootHash, reason: `${shown}: versions[0] must be version 1 with previous null` };
  const fail = (reason: string): ResolvedTrust => ({ ok: false, rootHash, reason: `${shown}: ${reason}` });
  const hashes: string[] = [rootHash];
  for (let i = 1; i < store.versions.length; i++) {
    const { body } = store.versions[i];
    const before = store.versions[i - 1].body;
    if (body.version !== before.version + 1) return fail(`versions[${i}] is version ${body.version}, expected ${before.version + 1}`);
    if (body.previous !== hashes[i - 1]) return fail(`version ${body.version} does not follow version ${before.version} (previous hash differs)`);
    const unrevoked = before.revokedKeys.find((k) => !body.revokedKeys.includes(k));
    if (unrevoked) return fail(`version ${body.version} drops key ${unrevoked.slice(0, 16)}... from revokedKeys (revoked in version ${before.version}); a revoked key stays revoked in every later version`);
    hashes.push(versionHash(body));
  }
  const last = store.versions[store.versions.length - 1].body.version;
  const pins = trustRoots.map(parsePin).filter((p): p is TrustPin => p !== undefined && (p.env === undefined || p.env === env));
  let anchor = pins.some((p) => p.version === 1 && p.hash === rootHash) ? 0 : -1;
  for (const pin of pins.filter((p) => p.version > 1)) {
    if (pin.version > last) return fail(`version ${pin.version} (sha256 ${pin.hash.slice(0, 16)}...) is pinned in ${TRUST_ROOT_VARIABLE}, but this store ends at version ${last}: an older trust store cannot be brought back`);
    if (hashes[pin.version - 1] !== pin.hash) return fail(`version ${pin.version} (sha256 ${hashes[pin.version - 1].slice(0, 16)}...) is not the version ${pin.version} pinned in ${TRUST_ROOT_VARIABLE} (${pin.hash.slice(0, 16)}...)`);
    anchor = Math.max(anchor, pin.version - 1);
  }
  if (anchor < 0) return fail(`version 1 (sha256 ${rootHash}) is not pinned; after checking it out of band, add it to ${TRUST_ROOT_VARIABLE}`);
  let current = store.versions[anchor].body;
  let pending: PendingVersion | undefined;
  const vouching = new Map<string, Vouching>();
  for (let i = anchor + 1; i < store.versions.length; i++) {
    const { body, signatures } = store.versions[i];
    const check = checkSignatures(current, body, signatures);
    if (check.validSigners.length >= current.threshold) {
      const vouched: Vouching = { version: body.version, signers: check.validSigners.map((v) => v.reviewer), threshold: current.threshold };
      for (const id of changedReviewers(current, body)) vouching.set(id, vouched);
      current = body;
      continue;
    }
    if (i !== store.versions.length - 1) return fail(`version ${body.version} has ${check.validSigners.length} of ${current.threshold} required signatures but later versions follow it`);
    pending = { body, validSigners: check.validSigners, rejected: check.rejected, needed: current.threshold };
  }
  if (accepted) {
    const since = `accepted on ${accepted.at.slice(0, 10)} (ledger)`;
    if (current.version < accepted.version) {
      return fail(`version ${current.version} is in force, but version ${accepted.version} (sha256 ${accepted.hash.slice(0, 16)}...) was ${since}: an older trust store cannot be brought back`);
    }
    if (hashes[accepted.version - 1] !== accepted.hash) {
      return fail(`version ${accepted.version} (sha256 ${hashes[accepted.version - 1].slice(0, 16)}...) is not the version ${accepted.version} ${since} (${accepted.hash.slice(0, 16)}...): the trust store's history was rewritten`);
    }
  }
  const keys = new Map<string, KeyObject>();
  for (const r of current.reviewers) keys.set(r.keyId, parsePublicKey(r.publicKey) as KeyObject);
  return { ok: true, rootHash, current, currentHash: versionHash(current), pending, keys, vouching };
}

/** Reviewers of `next` that are new or whose entry differs from `previous`: they cannot sign `next`. */
export function changedReviewers(previous: TrustVersionBody, next: TrustVersionBody): Set<string> {
  const before = new Map(previous.reviewers.map((r) => [r.id, canonicalJson(r)]));
  return new Set(next.reviewers.filter((r) => before.get(r.id) !== canonicalJson(r)).map((r) => r.id));
}

function checkSignatures(previous: TrustVersionBody, next: TrustVersionBody, signatures: readonly TrustSignature[]) {
  const canonical = canonicalJson(next);
  const changed = changedReviewers(previous, next);
  const validSigners: TrustSigner[] = [];
  const rejected: { reviewer: string; reason: string }[] = [];
  for (const s of signatures) {
    const signer = previous.reviewers.find((r) => r.id === s.reviewer);
    const reject = (reason: string) => rejected.push({ reviewer: s.reviewer, reason });
    if (previous.revokedKeys.includes(s.keyId)) reject(`key ${s.keyId.slice(0, 16)}... is revoked in version ${previous.version}`);
    else if (!signer) reject(`${s.reviewer} is not a reviewer of version ${previous.version}`);
    else if (signer.keyId !== s.keyId) reject(`key ${s.keyId.slice(0, 16)}... is not ${s.reviewer}'s key in version ${previous.version}`);
    else if (changed.has(s.reviewer)) reject(`${s.reviewer}'s own entry changes in version ${next.version}; someone else must sign it`);
    else if (validSigners.some((v) => v.reviewer === s.reviewer)) reject(`${s.reviewer} already signed (one key counts once)`);
    else if (!verifyStatement(parsePublicKey(signer.publicKey) as KeyObject, TRUST_STORE_DOMAIN, canonical, s.signature)) reject('signature does not verify');
    else validSigners.push({ reviewer: s.reviewer, keyId: s.keyId });
  }
  return { validSigners, rejected };
}

export function signTrustVersion(body: TrustVersionBody, reviewer: string, privateKey: KeyObject, keyId: string): TrustSignature {
  return { reviewer, keyId, signature: signStatement(privateKey, TRUST_STORE_DOMAIN, canonicalJson(body)) };
}

/** The reviewer entry for `id` in the version in force, or undefined. */
export function findReviewer(body: TrustVersionBody, reviewerId: string): Reviewer | undefined {
  return body.reviewers.find((r) => r.id === reviewerId);
}

/** Whether a reviewer may approve a system, by system id or owner agency. */
export function reviewerCovers(reviewer: Reviewer, system: { id: string; owner: string }): boolean {
  return reviewer.systems.includes('*') || reviewer.systems.includes(system.id) || reviewer.agencies.includes('*') || reviewer.agencies.includes(system.owner);
}
