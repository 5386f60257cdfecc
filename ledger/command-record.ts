import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { actorOf } from './actor';
import type { Ledger, LedgerKind } from './ledger';
import { openLedger } from './open';

/**
 * Every synth, check, plan (and the other commands that act on an environment) leaves one record: who ran
 * it (NDC_ACTOR, the CI user, or user@host), on which digest, with which outcome. The ledger is opened and
 * read before the command runs, so a bad NDC_LEDGER_URL or an unreachable database stops it before it
 * writes anything; the record itself is one append.
 */
export interface CommandRecord {
  readonly root: string;
  readonly kind: LedgerKind;
  readonly env: string;
  /** The command as typed, without option values that could hold secrets: `check --format sarif`. */
  readonly command: string;
  readonly now: () => Date;
  readonly environment?: NodeJS.ProcessEnv;
  /** Opens the project's ledger (the composition root's); default from `environment`. */
  readonly openLedger?: () => Ledger;
}

export async function recordedCommand(record: CommandRecord, run: () => Promise<number>): Promise<number> {
  const environment = record.environment ?? process.env;
  const ledger = record.openLedger ? record.openLedger() : openLedger(record.root, environment);
  try {
    await ledger.head();
    const exitCode = await run();
    await ledger.append({
      kind: record.kind,
      env: record.env,
      actor: actorOf(environment),
      digest: manifestDigestOf(record.root, record.env),
      result: exitCode === 0 ? 'ok' : `exit ${exitCode}`,
      details: { command: record.command, exitCode },
      at: record.now(),
    });
    return exitCode;
  } finally {
    await ledger.close();
  }
}

/** The digest of out/<env>/manifest.json as the command left it (null when there is none). */
function manifestDigestOf(root: string, env: string): string | null {
  const file = join(root, 'out', env, 'manifest.json');
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(env) || !existsSync(file)) return null;
  try {
    const digest = (JSON.parse(readFileSync(file, 'utf8')) as { digest?: unknown }).digest;
    return typeof digest === 'string' && /^[0-9a-f]{64}$/.test(digest) ? digest : null;
  } catch {
    return null;
  }
}
