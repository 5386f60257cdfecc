import { InputError } from '../../core/errors';
import { auditLedger, checkpointsFileOf } from '../../ledger/audit';
import { appendCheckpoint, CheckpointSigners, checkpointLine, parseHead, signCheckpoint, type CheckpointBody } from '../../ledger/checkpoint';
import type { Ledger, LedgerHead } from '../../ledger/ledger';
import { LEDGER_SCHEMA_VARIABLE, LEDGER_URL_VARIABLE, openLedger } from '../../ledger/open';
import { PgLedger } from '../../ledger/postgres';
import { readPrivateKeyFile } from '../../policies/approvals/keys';
import { trustRootsFrom, TRUST_ROOT_VARIABLE } from '../../policies/approvals/trust-store';
import type { CommandIO } from '../io';
import { guarded, printJson, requireId, resolvePath } from './common';

export interface LedgerVerifyOptions {
  /** The ledger to check, left open; default the one `openLedger` opens. */
  readonly ledger?: Ledger;
  /** Opens the project's ledger (the composition root's); default NDC_LEDGER_URL or <root>/.ndc/ledger.sqlite. */
  readonly openLedger?: () => Ledger;
  /** `--checkpoints FILE`; default checkpoints/<ledger id>.jsonl when it exists. */
  readonly checkpoints?: string;
  /** `--head SEQ:HASH`. */
  readonly head?: string;
  /** Pinned trust-store roots; default NDC_TRUST_ROOT. */
  readonly trustRoot?: string;
}

async function withLedger(io: CommandIO, opts: { ledger?: Ledger; openLedger?: () => Ledger }, work: (ledger: Ledger) => Promise<number>): Promise<number> {
  const given = opts.ledger;
  const ledger = given ?? (opts.openLedger ? opts.openLedger() : openLedger(io.root));
  try {
    return await work(ledger);
  } finally {
    if (!given) await ledger.close();
  }
}

function trustRoots(opts: { trustRoot?: string }): string[] {
  return trustRootsFrom(opts.trustRoot ?? process.env[TRUST_ROOT_VARIABLE]);
}

/**
 * `ndc ledger verify [--checkpoints FILE] [--head SEQ:HASH]`: the hash chain, then every signed checkpoint.
 * Exit 0 intact, 1 tampered (every problem listed), 2 bad input.
 */
export async function ledgerVerifyCommand(opts: LedgerVerifyOptions, io: CommandIO): Promise<number> {
  return guarded(io, 'ledger verify', async () => {
    const head = opts.head === undefined ? undefined : parseHead('--head', opts.head);
    return withLedger(io, opts, async (ledger) => {
      const audit = await auditLedger(ledger, { root: io.root, checkpointsFile: opts.checkpoints, head, trustRoots: trustRoots(opts) });
      const { recordList: _records, filed: _filed, ...result } = audit;
      if (io.json) {
        printJson(io, 'ledger verify', { ledger: ledger.id, location: ledger.location, ...result, headHash: result.head.hash });
      } else if (result.intact) {
        io.out(`ledger intact: ${result.records} record(s), head ${result.head.hash} (${ledger.location})`);
        if (result.checkpoints.trusted > 0) io.out(`anchored: ${result.checkpoints.trusted} signed checkpoint(s) in ${result.checkpoints.file}, the latest at seq ${result.checkpoints.anchoredTo}`);
        else if (!head) io.out(`not anchored: no signed checkpoint in ${result.checkpoints.file}, so a rewrite, truncation or wipe of the whole chain would go unnoticed; sign one with ndc ledger checkpoint --key KEY --as ID`);
      } else {
        io.err(`ledger TAMPERED: ${result.problems.length} problem(s) in ${result.records} record(s) (${ledger.location})`);
        for (const p of result.problems) io.err(`  ${p}`);
      }
      return result.intact ? 0 : 1;
    });
  });
}

export interface LedgerCheckpointOptions {
  readonly key: string;
  readonly as: string;
  /** The environment whose trust store lists the signer; default: the one that does. */
  readonly env?: string;
  readonly checkpoints?: string;
  /** `--head SEQ:HASH`: sign this position (from a deploy's checkpoint request) instead of the current head. */
  readonly head?: string;
  /** `--print`: print the signed line on stdout as well, for CI to keep elsewhere. */
  readonly print?: boolean;
  readonly ledger?: Ledger;
  readonly openLedger?: () => Ledger;
  readonly trustRoot?: string;
}

/**
 * `ndc ledger checkpoint --key KEY --as ID`: verifies the ledger (chain and earlier checkpoints), then signs
 * its head and appends the checkpoint to checkpoints/<ledger id>.jsonl. Exit 0 signed, 1 refused, 2 bad input.
 */
export async function ledgerCheckpointCommand(opts: LedgerCheckpointOptions, io: CommandIO): Promise<number> {
  return guarded(io, 'ledger checkpoint', async () => {
    const signer = requireId('--as', opts.as);
    if (opts.key === undefined || opts.key === '') throw new InputError('--key', 'is required (the .key file written by ndc keys generate)');
    const keyPath = resolvePath(io, opts.key);
    const key = readPrivateKeyFile(keyPath.file, keyPath.shown);
    const wanted = opts.head === undefined ? undefined : parseHead('--head', opts.head);
    if (opts.env !== undefined) requireId('--env', opts.env);
    const refuse = (reason: string) => {
      io.err(`ndc ledger checkpoint: refused: ${reason}`);
      return 1;
    };
    return withLedger(io, opts, async (ledger) => {
      const roots = trustRoots(opts);
      const audit = await auditLedger(ledger, { root: io.root, checkpointsFile: opts.checkpoints, newFileAllowed: true, trustRoots: roots });
      if (!audit.intact) return refuse(`the ledger does not verify, so its head must not be signed: ${audit.problems[0]}${audit.problems.length > 1 ? ` (and ${audit.problems.length - 1} more; run ndc ledger verify)` : ''}`);
      let target: LedgerHead = audit.head;
      if (wanted) {
        const record = audit.recordList.find((r) => r.seq === wanted.seq);
        if (!record) return refuse(`the ledger has no record seq ${wanted.seq} (it ends at seq ${audit.head.seq})`);
        if (record.hash !== wanted.hash) return refuse(`record seq ${wanted.seq} has hash ${record.hash}, not the ${wanted.hash} asked to sign`);
        target = wanted;
      }
      if (target.seq === 0) return refuse('the ledger is empty: there is nothing to anchor yet');
      const signers = new CheckpointSigners(io.root, roots);
      const stores = opts.env !== undefined ? [opts.env] : signers.storesListing(signer, key.keyId);
      if (stores.length === 0) {
        return refuse(`${signer} with key ${key.keyId.slice(0, 16)}... is a reviewer in no trust store in force (approvals/*/trust-store.json, pinned by ${TRUST_ROOT_VARIABLE}); only reviewers sign checkpoints`);
      }
      const body: CheckpointBody = { ledger: ledger.id, seq: target.seq, head: target.hash, at: io.now().toISOString(), signer, keyId: key.keyId, trustStore: stores[0] };
      const checkpoint = signCheckpoint(body, key.key);
      const problem = signers.problem(checkpoint);
      if (problem) return refuse(problem);
      const { file, shown } = checkpointsFileOf(io.root, ledger.id, opts.checkpoints);
      appendCheckpoint(file, checkpoint);
      await ledger.append({ kind: 'checkpoint', env: body.trustStore, actor: signer, result: 'signed', details: { ledger: ledger.id, seq: body.seq, head: body.head, file: shown }, at: io.now() });
      if (opts.print) io.out(checkpointLine(checkpoint));
      else if (io.json) printJson(io, 'ledger checkpoint', { file: shown, checkpoint });
      else io.out(`Signed checkpoint of ledger ${ledger.id} at seq ${body.seq} (head ${body.head}) as ${signer}; appended to ${shown}: commit it, and keep a copy outside the repository`);
      return 0;
    });
  });
}

export interface LedgerInitOptions {
  /** Everyday roles to grant SELECT and INSERT (and nothing else). */
  readonly grant?: readonly string[];
  /** Where NDC_LEDGER_URL and NDC_LEDGER_SCHEMA come from; default process.env. */
  readonly environment?: NodeJS.ProcessEnv;
}

/**
 * `ndc ledger init [--grant ROLE]`: on PostgreSQL, run once with the schema owner's role, creates the tables,
 * the append-only triggers and (with --grant) the everyday role's rights. The embedded SQLite ledger needs none.
 */
export async function ledgerInitCommand(opts: LedgerInitOptions, io: CommandIO): Promise<number> {
  return guarded(io, 'ledger init', async () => {
    const environment = opts.environment ?? process.env;
    const url = environment[LEDGER_URL_VARIABLE];
    const ledger = openLedger(io.root, environment);
    try {
      if (!(ledger instanceof PgLedger) || url === undefined) {
        if ((opts.grant ?? []).length > 0) throw new InputError('--grant', `needs ${LEDGER_URL_VARIABLE}: the embedded SQLite ledger has no roles`);
        await ledger.head();
        if (io.json) printJson(io, 'ledger init', { location: ledger.location, engine: 'sqlite', schema: null, granted: [] });
        else io.out(`ledger ready: ${ledger.location} (the embedded SQLite ledger creates its tables itself)`);
        return 0;
      }
      await ledger.install(opts.grant ?? []);
      const schema = environment[LEDGER_SCHEMA_VARIABLE] || 'ndc';
      if (io.json) printJson(io, 'ledger init', { location: ledger.location, engine: 'postgresql', schema, granted: opts.grant ?? [] });
      else io.out(`ledger initialised: schema ${schema} at ${ledger.location}, append-only triggers installed${(opts.grant ?? []).length > 0 ? `; ${opts.grant!.join(', ')} may SELECT and INSERT only` : ''}`);
      return 0;
    } finally {
      await ledger.close();
    }
  });
}
