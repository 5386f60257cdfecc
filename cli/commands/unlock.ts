import { InputError } from '../../core/errors';
import { actorOf } from '../../ledger/actor';
import type { Ledger } from '../../ledger/ledger';
import { openLedger } from '../../ledger/open';
import type { CommandIO } from '../io';
import { guarded, printJson, requireId } from './common';

export interface UnlockOptions {
  readonly env: string;
  readonly reason?: string;
  readonly ledger?: Ledger;
  /** Opens the project's ledger (the composition root's). */
  readonly openLedger?: () => Ledger;
  /** Who breaks the lock; default NDC_ACTOR or user@host. */
  readonly actor?: string;
}

/**
 * `ndc unlock --env E --reason "..."`: breaks the deploy lock of E (a crashed run whose lease has not run
 * out yet), recording who, why and the previous holder. Exit 0 broken, 1 no lock held, 2 bad input.
 */
export async function unlockCommand(opts: UnlockOptions, io: CommandIO): Promise<number> {
  return guarded(io, 'unlock', async () => {
    requireId('--env', opts.env);
    const reason = opts.reason?.trim() ?? '';
    if (reason === '') throw new InputError('--reason', 'is required: say why the lock is broken (it is recorded in the ledger)');
    if (reason.length > 500 || /[\r\n]/.test(reason)) throw new InputError('--reason', 'must be one line of at most 500 characters');
    const ledger = opts.ledger ?? (opts.openLedger ? opts.openLedger() : openLedger(io.root));
    try {
      const actor = opts.actor ?? actorOf(process.env);
      const previous = await ledger.breakLock(opts.env, actor, reason, io.now());
      if (!previous) {
        if (io.json) printJson(io, 'unlock', { env: opts.env, broken: false });
        else io.err(`ndc unlock: no deploy lock of ${opts.env} is held (nothing to break)`);
        return 1;
      }
      if (io.json) printJson(io, 'unlock', { env: opts.env, broken: true, by: actor, reason, previous });
      else io.out(`Broke the deploy lock of ${opts.env} held by ${previous.holder} since ${previous.acquiredAt} (lease until ${previous.expiresAt}); recorded as ${actor}: ${reason}`);
      return 0;
    } finally {
      if (!opts.ledger) await ledger.close();
    }
  });
}
