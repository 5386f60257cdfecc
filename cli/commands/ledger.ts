import { openLedger } from '../../ledger/open';
import type { Ledger } from '../../ledger/ledger';
import type { CommandIO } from '../io';
import { guarded, printJson } from './common';

export interface LedgerVerifyOptions {
  /** Opens the ledger to check (the composition root's); default the project's (NDC_LEDGER_URL or <root>/.ndc/ledger.sqlite). */
  readonly openLedger?: () => Ledger;
}

/** `ndc ledger verify`: walks the hash chain. Exit 0 intact, 1 tampered (every problem listed). */
export async function ledgerVerifyCommand(opts: LedgerVerifyOptions, io: CommandIO): Promise<number> {
  return guarded(io, async () => {
    const ledger = opts.openLedger ? opts.openLedger() : openLedger(io.root);
    try {
      const result = await ledger.verify();
      if (io.json) printJson(io, { location: ledger.location, ...result });
      else if (result.intact) io.out(`ledger intact: ${result.records} record(s), head ${result.headHash} (${ledger.location})`);
      else {
        io.err(`ledger TAMPERED: ${result.problems.length} problem(s) in ${result.records} record(s) (${ledger.location})`);
        for (const p of result.problems) io.err(`  ${p}`);
      }
      return result.intact ? 0 : 1;
    } finally {
      await ledger.close();
    }
  });
}
