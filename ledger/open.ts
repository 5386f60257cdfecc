import { join } from 'node:path';
import { InputError } from '../core/errors';
import type { Ledger } from './ledger';
import { PgLedger } from './postgres';
import { SqliteLedger } from './sqlite';
import { postgresUrlOf } from './url';

export const LEDGER_URL_VARIABLE = 'NDC_LEDGER_URL';
export const LEDGER_ID_VARIABLE = 'NDC_LEDGER_ID';
export const LEDGER_SCHEMA_VARIABLE = 'NDC_LEDGER_SCHEMA';

const LEDGER_ID = /^[a-z0-9][a-z0-9-]{0,79}$/;

/** `<root>/.ndc/ledger.sqlite`, or PostgreSQL when NDC_LEDGER_URL is a postgres:// URL. */
export function openLedger(root: string, environment: NodeJS.ProcessEnv = process.env): Ledger {
  const id = ledgerIdOf(environment);
  const url = environment[LEDGER_URL_VARIABLE];
  if (url !== undefined && url.trim() !== '') {
    postgresUrlOf(LEDGER_URL_VARIABLE, url.trim());
    const schema = environment[LEDGER_SCHEMA_VARIABLE];
    return new PgLedger({ url: url.trim(), id, variable: LEDGER_URL_VARIABLE, ...(schema ? { schema } : {}) });
  }
  return new SqliteLedger(join(root, '.ndc', 'ledger.sqlite'), id);
}

/**
 * Which ledger the configuration points at, naming its checkpoints file: NDC_LEDGER_ID when set, else
 * `local` for the embedded SQLite file, else `pg-<host>-<port>-<database>` from the URL (never its credentials).
 */
export function ledgerIdOf(environment: NodeJS.ProcessEnv = process.env): string {
  const explicit = environment[LEDGER_ID_VARIABLE];
  if (explicit !== undefined && explicit !== '') {
    if (!LEDGER_ID.test(explicit)) throw new InputError(LEDGER_ID_VARIABLE, `${JSON.stringify(explicit)}: must be lower-case letters, digits and dashes, at most 80 characters`);
    return explicit;
  }
  const url = environment[LEDGER_URL_VARIABLE];
  if (url === undefined || url.trim() === '') return 'local';
  const parsed = postgresUrlOf(LEDGER_URL_VARIABLE, url.trim());
  const schema = environment[LEDGER_SCHEMA_VARIABLE];
  const parts = ['pg', parsed.hostname || parsed.searchParams.get('host') || 'local', parsed.port, decodeURIComponent(parsed.pathname.slice(1)), schema && schema !== 'ndc' ? schema : ''];
  return parts
    .filter((p): p is string => typeof p === 'string' && p !== '')
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
}
