import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { isoInstantProblem } from '../../core/dates';
import { canonicalJson, sha256, stableJson } from '../../core/canonical-json';
import { formatPath } from '../../environments/validate';
import { signStatement } from './keys';
import { ROLES } from './requirements';

/**
 * An approval: a reviewer's signature over exactly the scopes it covers (stacks/scopes.ts), each with its
 * digest and level. A change inside a scope (its resources, level, or the engine settings for the
 * platform) changes that scope's digest and voids its approvals only; a change to the rule packs changes
 * the policy digest and voids all. The operation is signed too: a deploy approval never destroys.
 * Version 2 of the signed form: a version-1 statement (one environment digest) never verifies as one.
 */
export const APPROVAL_DOMAIN = 'ndc-approval-v2';

export const OPERATIONS = ['deploy', 'destroy'] as const;
export type ApprovedOperation = (typeof OPERATIONS)[number];

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 (64 lower-case hex digits)');
const isoTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 'must be an ISO time like 2026-01-31T12:00:00.000Z')
  .refine((text) => isoInstantProblem(text) === undefined, 'is not a real calendar date and time');

export const approvalStatementSchema = z.strictObject({
  env: z.string().min(1),
  policyDigest: z.string().min(1),
  /** The scopes approved (systems, the platform), each at the digest and level the reviewer saw. */
  scopes: z.array(z.strictObject({ id: z.string().min(1), level: z.number().int().min(1).max(5), digest: hex64 })).min(1),
  reviewer: z.string().min(1),
  role: z.enum(ROLES),
  /** Fingerprint of the signing key, so a revoked or unknown key is named as such. */
  keyId: hex64,
  issued: isoTime,
  expires: isoTime,
  /** What is approved: a deploy approval never counts for a destroy, nor the other way round. */
  operation: z.enum(OPERATIONS),
});
export type ApprovalStatement = z.output<typeof approvalStatementSchema>;

export const approvalFileSchema = z.strictObject({ statement: approvalStatementSchema, signature: z.string().min(1) });
export type ApprovalFile = z.output<typeof approvalFileSchema>;

export function approvalsDir(root: string, env: string): string {
  return join(root, 'approvals', env);
}

/** What names an approval's file: one sha256 over the scopes it covers, with their digests. */
export function statementScopesDigest(scopes: ApprovalStatement['scopes']): string {
  return sha256(canonicalJson([...scopes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))));
}

/** Deterministic: the same reviewer approving the same operation of the same scope digests again replaces their earlier file. */
export function approvalFileName(reviewer: string, digest: string, operation: ApprovedOperation): string {
  return `${reviewer}-${operation === 'deploy' ? '' : `${operation}-`}${digest.slice(0, 12)}.json`;
}

export function signApproval(statement: ApprovalStatement, privateKey: KeyObject): ApprovalFile {
  return { statement, signature: signStatement(privateKey, APPROVAL_DOMAIN, canonicalJson(statement)) };
}

export function writeApproval(root: string, env: string, approval: ApprovalFile): { file: string; shown: string; replaced: boolean } {
  const dir = approvalsDir(root, env);
  mkdirSync(dir, { recursive: true });
  const name = approvalFileName(approval.statement.reviewer, statementScopesDigest(approval.statement.scopes), approval.statement.operation);
  const file = join(dir, name);
  const replaced = existsSync(file);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, stableJson(approval));
  renameSync(tmp, file);
  return { file, shown: `approvals/${env}/${name}`, replaced };
}

/** One file under approvals/<env>/: parsed, or the reason it cannot be read. */
export type LoadedApproval = { readonly shown: string; readonly approval: ApprovalFile } | { readonly shown: string; readonly error: string };

/** Every approval file of the environment in name order (the trust store is not an approval). */
export function readApprovals(root: string, env: string): LoadedApproval[] {
  const dir = approvalsDir(root, env);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json') && name !== 'trust-store.json')
    .sort()
    .map((name) => {
      const shown = `approvals/${env}/${name}`;
      let text: string;
      try {
        text = readFileSync(join(dir, name), 'utf8');
      } catch (error) {
        return { shown, error: `cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
      }
      return parseApproval(text, shown);
    });
}

export function parseApproval(text: string, shown: string): LoadedApproval {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    return { shown, error: `is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  const parsed = approvalFileSchema.safeParse(raw);
  const statement = (raw as { statement?: unknown } | null)?.statement;
  const unnamed = !parsed.success && statement !== null && typeof statement === 'object' && !('operation' in statement);
  if (!parsed.success && statement !== null && typeof statement === 'object' && 'digest' in statement && 'systems' in statement && !('scopes' in statement)) {
    return { shown, error: 'approves one environment digest (statement.digest, statement.systems): signed before approvals bound to scope digests; have it signed again with ndc approve' };
  }
  if (unnamed && approvalStatementSchema.safeParse({ ...statement, operation: 'deploy' }).success) {
    return { shown, error: 'names no operation (statement.operation): signed before approvals said deploy or destroy, so it could be replayed for either; have it signed again with ndc approve' };
  }
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = formatPath(issue.path) || '(top level)';
    return { shown, error: `is not an approval: ${path}: ${issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue.message}` };
  }
  return { shown, approval: parsed.data };
}

/** `30d`, `12h`: how long an approval stays valid. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,4})([dh])$/.exec(text.trim());
  if (!match) return undefined;
  const n = Number(match[1]);
  if (n <= 0) return undefined;
  return n * (match[2] === 'd' ? 86_400_000 : 3_600_000);
}
