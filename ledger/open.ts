import { join } from 'node:path';
import { InputError } from '../core/errors';
import type { Ledger } from './ledger';
import { PgLedger } from './postgres';
import { SqliteLedger } from './sqlite';

export const LEDGER_URL_VARIABLE = 'NDC_LEDGER_URL';

/** `<root>/.ndc/ledger.sqlite`, or PostgreSQL when NDC_LEDGER_URL is a postgres:// URL. */
export function openLedger(root: string, environment: NodeJS.ProcessEnv = process.env): Ledger {
  const url = environment[LEDGER_URL_VARIABLE];
  if (url && url.trim() !== '') {
    if (!/^postgres(ql)?:\/\//.test(url)) throw new InputError(LEDGER_URL_VARIABLE, `must be a postgres:// URL (unset it for the embedded SQLite ledger)`);
    return new PgLedger({ url });
  }
  return new SqliteLedger(join(root, '.ndc', 'ledger.sqlite'));
}
