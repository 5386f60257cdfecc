import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson, sha256, stableJson } from '../core/canonical-json';
import { InputError } from '../core/errors';
import { readTarGz, TarError, writeTarGz, type TarEntry } from '../core/tar';
import { signStatement, verifyStatement } from './approvals/keys';
import { checkBody, endOf, findReviewer, resolveTrust, startOf, trustStoreSchema, type ResolvedTrust, type TrustStore } from './approvals/trust-store';

/**
 * The evidence archive for the periodic assessment (`ndc evidence`): one tar.gz holding the policy report in
 * every format, the manifest, approvals and trust store, the evidence records and their documents, the
 * ledger extract with its verification and the profile used, plus an index of every entry's sha256 signed
 * by a reviewer. Fixed mtimes, owners and order: the same inputs give the same bytes.
 */

export const EVIDENCE_ARCHIVE_FORMAT = 'ndc-evidence-archive-v1';
/** Signatures over an index are domain-separated from approvals and trust-store versions. */
export const EVIDENCE_INDEX_DOMAIN = 'ndc-evidence-index-v1';
export const INDEX_PATH = 'index.json';
export const SIGNATURE_PATH = 'index.sig.json';
/** Where the archive's copy of the environment's trust store sits (verify reads it from there). */
export const TRUST_STORE_ENTRY = 'approvals/trust-store.json';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const archiveIndexSchema = z.strictObject({
  format: z.literal(EVIDENCE_ARCHIVE_FORMAT),
  env: z.string().min(1),
  asOf: day,
  period: z.strictObject({ since: day, until: day }),
  profile: z.strictObject({ name: z.string(), version: z.string(), title: z.string() }),
  policyDigest: z.string(),
  manifestDigest: z.string(),
  signer: z.strictObject({ reviewer: z.string().min(1), keyId: hex64 }),
  entries: z.array(z.strictObject({ path: z.string().min(1), sha256: hex64, bytes: z.number().int().min(0) })),
});
export type ArchiveIndex = z.output<typeof archiveIndexSchema>;

const signatureSchema = z.strictObject({ reviewer: z.string().min(1), keyId: hex64, signature: z.string().min(1) });

export interface ArchiveSigner {
  readonly reviewer: string;
  readonly keyId: string;
  readonly privateKey: KeyObject;
}

/** The folder every entry sits in, so extracting the archive spills nothing into the current directory. */
export const archiveFolder = (env: string, asOf: string): string => `ndc-evidence-${env}-${asOf}`;

/** The seconds-since-1970 stamped on every entry: the day the archive is made for. */
const mtimeOf = (asOf: string): number => Date.parse(`${asOf}T00:00:00Z`) / 1000;

/**
 * Checks that `signer` may sign for `env`: a reviewer of the trust store in force (pinned by the trust roots),
 * with this key, valid on `asOf`. Throws an InputError naming what is wrong.
 */
export function checkSigner(store: TrustStore | undefined, env: string, trustRoots: readonly string[], signer: Omit<ArchiveSigner, 'privateKey'>, asOf: string): void {
  const problem = signerProblem(resolveTrust(store, env, trustRoots), signer, asOf);
  if (problem) throw new InputError('--as', problem);
}

function signerProblem(trust: ResolvedTrust, signer: Omit<ArchiveSigner, 'privateKey'>, asOf: string): string | undefined {
  if (!trust.ok) return trust.reason;
  const reviewer = findReviewer(trust.current, signer.reviewer);
  if (!reviewer) return `${signer.reviewer} is not a reviewer of trust store version ${trust.current.version}`;
  if (reviewer.keyId !== signer.keyId) return `key ${signer.keyId.slice(0, 16)}... is not ${signer.reviewer}'s key in trust store version ${trust.current.version} (${reviewer.keyId.slice(0, 16)}...)`;
  const at = Date.parse(`${asOf}T00:00:00Z`);
  if (at < startOf(reviewer.notBefore) || at > endOf(reviewer.notAfter)) return `${signer.reviewer}'s key is valid from ${reviewer.notBefore} to ${reviewer.notAfter}, not on ${asOf}`;
  return undefined;
}

export interface ArchiveContents {
  readonly index: Omit<ArchiveIndex, 'format' | 'entries' | 'signer'>;
  /** Paths inside the archive folder; sorted here, so callers may list them in any order. */
  readonly entries: readonly TarEntry[];
}

/** The signed archive of `contents`: the entries in path order, then the index and its signature. */
export function buildEvidenceArchive(contents: ArchiveContents, signer: ArchiveSigner): Buffer {
  const entries = [...contents.entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  entries.forEach((e, i) => {
    if (i > 0 && entries[i - 1].path === e.path) throw new Error(`internal: archive entry ${e.path} given twice`);
    if (e.path === INDEX_PATH || e.path === SIGNATURE_PATH) throw new Error(`internal: ${e.path} is reserved for the index`);
  });
  const index: ArchiveIndex = {
    format: EVIDENCE_ARCHIVE_FORMAT,
    ...contents.index,
    signer: { reviewer: signer.reviewer, keyId: signer.keyId },
    entries: entries.map((e) => ({ path: e.path, sha256: sha256(e.content), bytes: e.content.length })),
  };
  const signature = { reviewer: signer.reviewer, keyId: signer.keyId, signature: signStatement(signer.privateKey, EVIDENCE_INDEX_DOMAIN, canonicalJson(index)) };
  const folder = archiveFolder(index.env, index.asOf);
  const all: TarEntry[] = [
    { path: INDEX_PATH, content: Buffer.from(stableJson(index)) },
    { path: SIGNATURE_PATH, content: Buffer.from(stableJson(signature)) },
    ...entries,
  ];
  return writeTarGz(all.map((e) => ({ path: `${folder}/${e.path}`, content: e.content })), mtimeOf(index.asOf));
}

export type ArchiveVerdict =
  | { readonly ok: true; readonly index: ArchiveIndex; readonly trustVersion: number }
  /** `where`: the entry (or the archive itself) the problem is in. */
  | { readonly ok: false; readonly where: string; readonly reason: string };

/** Why the bytes are not an evidence archive at all (bad input), or its entries. */
export function archiveEntries(data: Buffer): TarEntry[] | string {
  try {
    return readTarGz(data);
  } catch (error) {
    if (error instanceof TarError) return error.message;
    throw error;
  }
}

/**
 * Checks every entry against the signed index and the signature against the archive's trust store, which
 * must chain to a version pinned by `trustRoots` (NDC_TRUST_ROOT), as approvals do.
 */
export function verifyEvidenceArchive(entries: readonly TarEntry[], trustRoots: readonly string[]): ArchiveVerdict {
  const fail = (where: string, reason: string): ArchiveVerdict => ({ ok: false, where, reason });
  const folder = entries[0]?.path.split('/')[0] ?? '';
  const byPath = new Map<string, Buffer>();
  for (const entry of entries) {
    if (!entry.path.startsWith(`${folder}/`)) return fail(entry.path, `is outside the archive folder ${folder}/`);
    const path = entry.path.slice(folder.length + 1);
    if (byPath.has(path)) return fail(entry.path, 'appears twice in the archive');
    byPath.set(path, entry.content);
  }
  const indexBytes = byPath.get(INDEX_PATH);
  if (!indexBytes) return fail(`${folder}/${INDEX_PATH}`, 'is missing: this is not an evidence archive, or its index was removed');
  const parsedIndex = archiveIndexSchema.safeParse(parseJson(indexBytes));
  if (!parsedIndex.success) return fail(`${folder}/${INDEX_PATH}`, `is not an evidence archive index (${parsedIndex.error.issues[0].path.join('.') || 'top level'}: ${parsedIndex.error.issues[0].message})`);
  const index = parsedIndex.data;
  if (folder !== archiveFolder(index.env, index.asOf)) return fail(folder, `is not the folder of ${index.env} on ${index.asOf} (${archiveFolder(index.env, index.asOf)})`);
  const listed = new Set<string>([INDEX_PATH, SIGNATURE_PATH]);
  for (const entry of index.entries) {
    listed.add(entry.path);
    const content = byPath.get(entry.path);
    if (!content) return fail(`${folder}/${entry.path}`, 'is listed in the index but missing from the archive');
    const actual = sha256(content);
    if (actual !== entry.sha256) return fail(`${folder}/${entry.path}`, `sha256 ${actual.slice(0, 16)}... differs from the index (${entry.sha256.slice(0, 16)}...): changed after signing`);
  }
  for (const path of byPath.keys()) if (!listed.has(path)) return fail(`${folder}/${path}`, 'is in the archive but not in the signed index: added after signing');
  const parsedSignature = signatureSchema.safeParse(parseJson(byPath.get(SIGNATURE_PATH) ?? Buffer.alloc(0)));
  if (!parsedSignature.success) return fail(`${folder}/${SIGNATURE_PATH}`, 'is missing or not a signature of the index');
  const signature = parsedSignature.data;
  if (signature.reviewer !== index.signer.reviewer || signature.keyId !== index.signer.keyId) {
    return fail(`${folder}/${SIGNATURE_PATH}`, `names ${signature.reviewer} (key ${signature.keyId.slice(0, 16)}...), but the index was signed for ${index.signer.reviewer} (key ${index.signer.keyId.slice(0, 16)}...)`);
  }
  const storeBytes = byPath.get(TRUST_STORE_ENTRY);
  const store = storeBytes ? trustStoreSchema.safeParse(parseJson(storeBytes)) : undefined;
  if (!store?.success) return fail(`${folder}/${TRUST_STORE_ENTRY}`, 'is missing or not a trust store: the signature cannot be checked');
  try {
    store.data.versions.forEach((v, i) => checkBody(v.body, index.env, `versions[${i}].body`));
  } catch (error) {
    if (error instanceof InputError) return fail(`${folder}/${TRUST_STORE_ENTRY}`, error.message);
    throw error;
  }
  const trust = resolveTrust(store.data, index.env, trustRoots);
  const problem = signerProblem(trust, index.signer, index.asOf);
  if (problem || !trust.ok) return fail(`${folder}/${SIGNATURE_PATH}`, `signer not trusted: ${problem ?? 'no trust store in force'}`);
  const key = trust.keys.get(index.signer.keyId)!;
  if (!verifyStatement(key, EVIDENCE_INDEX_DOMAIN, canonicalJson(index), signature.signature)) return fail(`${folder}/${SIGNATURE_PATH}`, `is not ${index.signer.reviewer}'s signature of this index`);
  return { ok: true, index, trustVersion: trust.current.version };
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
}
