import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { InputError } from '../core/errors';
import { anchorOf, anchorProblems, checkpointsShown, CheckpointSigners, readCheckpoints, type Anchor, type FiledCheckpoint } from './checkpoint';
import { verifyChain, type Ledger, type LedgerHead, type LedgerRecord } from './ledger';

/**
 * `ndc ledger verify` in full: the hash chain and its head row (what the database says about itself),
 * then every signed checkpoint and any `--head` given (what was recorded outside it).
 */
export interface LedgerAudit {
  readonly intact: boolean;
  readonly records: number;
  readonly head: LedgerHead;
  readonly problems: string[];
  readonly checkpoints: {
    /** The checkpoints file, relative to the project root when inside it. */
    readonly file: string;
    readonly present: boolean;
    /** Checkpoints whose signature counts. */
    readonly trusted: number;
    /** The highest seq a trusted checkpoint anchors (0: none). */
    readonly anchoredTo: number;
  };
}

export interface AuditOptions {
  readonly root: string;
  /** `--checkpoints FILE`; default `checkpoints/<ledger id>.jsonl`, which may not exist yet. */
  readonly checkpointsFile?: string;
  /** A given checkpoints file may not exist yet (the first `ndc ledger checkpoint` creates it). */
  readonly newFileAllowed?: boolean;
  /** `--head SEQ:HASH`: a head kept elsewhere (a CI variable, a ticket). */
  readonly head?: LedgerHead;
  readonly trustRoots: readonly string[];
}

export function checkpointsFileOf(root: string, ledgerId: string, given: string | undefined): { file: string; shown: string } {
  if (given === undefined) return { file: join(root, checkpointsShown(ledgerId)), shown: checkpointsShown(ledgerId) };
  const file = isAbsolute(given) ? given : resolve(root, given);
  const rel = relative(root, file);
  return { file, shown: rel && !rel.startsWith('..') ? rel : file };
}

export async function auditLedger(ledger: Ledger, opts: AuditOptions): Promise<LedgerAudit & { recordList: LedgerRecord[]; filed: FiledCheckpoint[] }> {
  const { file, shown } = checkpointsFileOf(opts.root, ledger.id, opts.checkpointsFile);
  const present = existsSync(file);
  if (!present && opts.checkpointsFile !== undefined && !opts.newFileAllowed) throw new InputError('--checkpoints', `${shown}: no such file`);
  const { records: recordList, storedHead } = await ledger.snapshot();
  const chain = verifyChain(recordList, storedHead);
  const problems = [...chain.problems];
  const anchors: Anchor[] = [];
  const filed: FiledCheckpoint[] = [];
  if (present) {
    const read = readCheckpoints(file, shown);
    problems.push(...read.problems);
    const signers = new CheckpointSigners(opts.root, opts.trustRoots);
    for (const entry of read.checkpoints) {
      const { body } = entry.checkpoint;
      if (body.ledger !== ledger.id) {
        problems.push(`${entry.where}: a checkpoint of ledger ${body.ledger}, not of ${ledger.id} (set NDC_LEDGER_ID, or give the right --checkpoints file)`);
        continue;
      }
      const problem = signers.problem(entry.checkpoint);
      if (problem) {
        problems.push(`${entry.where}: checkpoint not trusted: ${problem}`);
        continue;
      }
      filed.push(entry);
      anchors.push(anchorOf(entry));
    }
  }
  if (opts.head) anchors.push({ seq: opts.head.seq, hash: opts.head.hash, source: '--head' });
  problems.push(...anchorProblems(recordList, anchors));
  const last = recordList[recordList.length - 1];
  return {
    intact: problems.length === 0,
    records: recordList.length,
    head: last ? { seq: last.seq, hash: last.hash } : { seq: 0, hash: chain.headHash },
    problems,
    checkpoints: { file: shown, present, trusted: filed.length, anchoredTo: Math.max(0, ...filed.map((f) => f.checkpoint.body.seq)) },
    recordList,
    filed,
  };
}
