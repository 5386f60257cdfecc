import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson, sha256, stableJson } from '../../core/canonical-json';
import { isoInstantProblem } from '../../core/dates';
import { InputError, show } from '../../core/errors';
import { parseJsonFile } from '../../core/json';
import { formatPath } from '../../environments/validate';
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

/** The pinned root hashes: NDC_TRUST_ROOT is a comma- or space-separated list (one per environment). */
export function trustRootsFrom(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');
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
  body.reviewers.forEach((r, i) => {
    if (seen.has(r.id)) throw new InputError(`${where}.reviewers[${i}].id`, `${show(r.id)}: listed twice`);
    seen.add(r.id);
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

/** The store, checked: the version that is in force, and the one waiting for signatures (if any). */
export type ResolvedTrust =
  | { readonly ok: true; readonly rootHash: string; readonly current: TrustVersionBody; readonly currentHash: string; readonly pending?: PendingVersion; readonly keys: Map<string, KeyObject> }
  | { readonly ok: false; readonly rootHash?: string; readonly reason: string };

/**
 * Walks the chain from the pinned version 1. Only the last version may lack signatures (it is then
 * pending and not in force); anything else is a broken chain and nothing in the store is trusted.
 */
export function resolveTrust(store: TrustStore | undefined, env: string, trustRoots: readonly string[]): ResolvedTrust {
  const shown = trustStoreShown(env);
  if (!store) return { ok: false, reason: `${shown}: no trust store for ${env} (create it with ndc reviewers add --env ${env} ...)` };
  const first = store.versions[0].body;
  const rootHash = versionHash(first);
  if (first.version !== 1 || first.previous !== null) return { ok: false, rootHash, reason: `${shown}: versions[0] must be version 1 with previous null` };
  if (!trustRoots.includes(rootHash)) {
    return {
      ok: false,
      rootHash,
      reason: `${shown}: version 1 (sha256 ${rootHash}) is not pinned; after checking it out of band, add it to ${TRUST_ROOT_VARIABLE}`,
    };
  }
  let current = first;
  let pending: PendingVersion | undefined;
  for (let i = 1; i < store.versions.length; i++) {
    const { body, signatures } = store.versions[i];
    if (body.version !== current.version + 1) return { ok: false, rootHash, reason: `${shown}: versions[${i}] is version ${body.version}, expected ${current.version + 1}` };
    if (body.previous !== versionHash(current)) return { ok: false, rootHash, reason: `${shown}: version ${body.version} does not follow version ${current.version} (previous hash differs)` };
    const check = checkSignatures(current, body, signatures);
    if (check.validSigners.length >= current.threshold) {
      current = body;
      continue;
    }
    if (i !== store.versions.length - 1) {
      return { ok: false, rootHash, reason: `${shown}: version ${body.version} has ${check.validSigners.length} of ${current.threshold} required signatures but later versions follow it` };
    }
    pending = { body, validSigners: check.validSigners, rejected: check.rejected, needed: current.threshold };
  }
  const keys = new Map<string, KeyObject>();
  for (const r of current.reviewers) keys.set(r.keyId, parsePublicKey(r.publicKey) as KeyObject);
  return { ok: true, rootHash, current, currentHash: versionHash(current), pending, keys };
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
