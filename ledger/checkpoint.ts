import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../core/canonical-json';
import { InputError } from '../core/errors';
import { signStatement, verifyStatement } from '../policies/approvals/keys';
import { endOf, findReviewer, readTrustStore, resolveTrust, startOf, trustStoreShown, type ResolvedTrust } from '../policies/approvals/trust-store';
import type { LedgerHead, LedgerRecord } from './ledger';

/**
 * Signed checkpoints: a reviewer's signature over the ledger's head `{ledger, seq, head hash, time}`,
 * kept outside the database (a file committed to the repository, and wherever CI copies it). Whoever
 * can rewrite the ledger's tables cannot make a rewritten, truncated, wiped or rolled-back chain agree
 * with a checkpoint signed before, so `ndc ledger verify` compares the chain with every checkpoint.
 */
export const CHECKPOINT_DOMAIN = 'ndc-ledger-checkpoint-v1';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');

export const checkpointBodySchema = z.strictObject({
  /** The ledger id (NDC_LEDGER_ID, `local`, or derived from NDC_LEDGER_URL): a checkpoint of one ledger says nothing about another. */
  ledger: z.string().min(1),
  seq: z.number().int().min(1),
  head: hex64,
  at: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'must be an ISO time'),
  signer: z.string().min(1),
  keyId: hex64,
  /** The environment whose trust store lists the signer. */
  trustStore: z.string().min(1),
});
export type CheckpointBody = z.output<typeof checkpointBodySchema>;

export const signedCheckpointSchema = z.strictObject({ body: checkpointBodySchema, signature: z.string().min(1) });
export type SignedCheckpoint = z.output<typeof signedCheckpointSchema>;

/** Where a ledger's checkpoints are kept in the repository by default. */
export function checkpointsShown(ledgerId: string): string {
  return `checkpoints/${ledgerId}.jsonl`;
}

export function signCheckpoint(body: CheckpointBody, privateKey: KeyObject): SignedCheckpoint {
  return { body, signature: signStatement(privateKey, CHECKPOINT_DOMAIN, canonicalJson(body)) };
}

/** One line of the checkpoints file (canonical JSON, so the same checkpoint is always the same line). */
export function checkpointLine(checkpoint: SignedCheckpoint): string {
  return canonicalJson(checkpoint);
}

export function appendCheckpoint(file: string, checkpoint: SignedCheckpoint): void {
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${checkpointLine(checkpoint)}\n`);
}

export interface FiledCheckpoint {
  /** `checkpoints/local.jsonl line 3`, for messages. */
  readonly where: string;
  readonly checkpoint: SignedCheckpoint;
}

/** Reads a checkpoints file; a line that is not a checkpoint is a problem (the file may have been edited), not bad input. */
export function readCheckpoints(file: string, shown: string): { checkpoints: FiledCheckpoint[]; problems: string[] } {
  const checkpoints: FiledCheckpoint[] = [];
  const problems: string[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      if (text.trim() === '') return;
      const where = `${shown} line ${index + 1}`;
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        problems.push(`${where}: not a checkpoint (not JSON)`);
        return;
      }
      const parsed = signedCheckpointSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        problems.push(`${where}: not a checkpoint (${issue.path.join('.') || 'top level'}: ${issue.message})`);
        return;
      }
      checkpoints.push({ where, checkpoint: parsed.data });
    });
  return { checkpoints, problems };
}

/**
 * Who may sign checkpoints: a reviewer of an environment's trust store in force (pinned by NDC_TRUST_ROOT,
 * every later version signed), with the key the store lists, within the reviewer's validity window.
 */
export class CheckpointSigners {
  private readonly resolved = new Map<string, ResolvedTrust | string>();
  constructor(
    private readonly root: string,
    private readonly trustRoots: readonly string[],
  ) {}

  private trustOf(env: string): ResolvedTrust | string {
    let trust = this.resolved.get(env);
    if (trust === undefined) {
      try {
        trust = resolveTrust(readTrustStore(this.root, env), env, this.trustRoots);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        trust = error.message;
      }
      this.resolved.set(env, trust);
    }
    return trust;
  }

  /** Why this checkpoint's signature does not count; undefined when it does. */
  problem(checkpoint: SignedCheckpoint): string | undefined {
    const { body } = checkpoint;
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(body.trustStore)) return `trust store ${JSON.stringify(body.trustStore)} is not an environment name`;
    const trust = this.trustOf(body.trustStore);
    if (typeof trust === 'string') return `the trust store it names is unreadable (${trust})`;
    if (!trust.ok) return `the trust store it names is not in force (${trust.reason})`;
    const reviewer = findReviewer(trust.current, body.signer);
    if (!reviewer) return `${body.signer} is not a reviewer in ${trustStoreShown(body.trustStore)} (version ${trust.current.version})`;
    if (trust.current.revokedKeys.includes(body.keyId)) return `key ${body.keyId.slice(0, 16)}... is revoked`;
    if (reviewer.keyId !== body.keyId) return `key ${body.keyId.slice(0, 16)}... is not ${body.signer}'s key in ${trustStoreShown(body.trustStore)}`;
    const at = Date.parse(body.at);
    if (!(at >= startOf(reviewer.notBefore) && at <= endOf(reviewer.notAfter))) return `signed at ${body.at}, outside ${body.signer}'s validity ${reviewer.notBefore} to ${reviewer.notAfter}`;
    const key = trust.keys.get(body.keyId);
    if (!key || !verifyStatement(key, CHECKPOINT_DOMAIN, canonicalJson(body), checkpoint.signature)) return 'the signature does not verify (forged or edited)';
    return undefined;
  }

  /** The environments whose trust store in force lists `signer` with `keyId` (where `ndc ledger checkpoint` may file it). */
  storesListing(signer: string, keyId: string): string[] {
    const dir = join(this.root, 'approvals');
    if (!existsSync(dir)) return [];
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'trust-store.json')))
      .map((entry) => entry.name)
      .sort()
      .filter((env) => {
        const trust = this.trustOf(env);
        return typeof trust !== 'string' && trust.ok && findReviewer(trust.current, signer)?.keyId === keyId;
      });
  }
}

/** A position the chain must still have: from a signed checkpoint, or given on the command line. */
export interface Anchor {
  readonly seq: number;
  readonly hash: string;
  /** `checkpoints/local.jsonl line 2 (signed by nca-1 at ...)` or `--head`. */
  readonly source: string;
}

export function anchorOf(filed: FiledCheckpoint): Anchor {
  const { body } = filed.checkpoint;
  return { seq: body.seq, hash: body.head, source: `${filed.where} (signed by ${body.signer} at ${body.at})` };
}

/** `SEQ:HASH` from the command line. */
export function parseHead(flag: string, value: string): LedgerHead {
  const match = /^(\d+):([0-9a-f]{64})$/.exec(value.trim());
  if (!match || Number(match[1]) < 1) throw new InputError(flag, `${JSON.stringify(value)}: expected SEQ:HASH, e.g. 1042:${'ab'.repeat(32)}`);
  return { seq: Number(match[1]), hash: match[2] };
}

/** What the chain contradicts: each anchor must find its record, with the hash it signed. */
export function anchorProblems(records: readonly LedgerRecord[], anchors: readonly Anchor[]): string[] {
  const problems: string[] = [];
  const bySeq = new Map<number, string>();
  for (const record of records) bySeq.set(record.seq, record.hash);
  const lastSeq = records.length > 0 ? records[records.length - 1].seq : 0;
  for (const anchor of anchors) {
    const hash = bySeq.get(anchor.seq);
    if (records.length === 0) problems.push(`the ledger has 0 records but ${anchor.source} says seq ${anchor.seq}: the ledger was wiped or replaced`);
    else if (hash === undefined && anchor.seq > lastSeq) {
      problems.push(`the ledger ends at seq ${lastSeq} but ${anchor.source} says seq ${anchor.seq}: records were cut off the end, or an older copy of the ledger was restored`);
    } else if (hash === undefined) problems.push(`record seq ${anchor.seq} is missing but ${anchor.source} anchors it: records were deleted`);
    else if (hash !== anchor.hash) {
      problems.push(`record seq ${anchor.seq} has hash ${hash.slice(0, 16)}... but ${anchor.source} says ${anchor.hash.slice(0, 16)}...: the chain was rewritten (records edited, removed or forged, hashes recomputed)`);
    }
  }
  return problems;
}
