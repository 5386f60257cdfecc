import { driftEnvironment } from '../../deploy/drift';
import type { LedgerPort } from '../../deploy/ports';
import { createPorts } from '../../deploy/wiring';
import type { CommandIO } from '../io';

export interface DriftOptions {
  readonly env: string;
  readonly format?: string;
  readonly output?: string;
}

/** `ndc drift --env E [--format text|json|junit] [--output FILE]`. */
export async function driftCommand(opts: DriftOptions, io: CommandIO, ledger?: LedgerPort): Promise<number> {
  if (ledger) return driftEnvironment({ ...opts, ledger, io });
  const ports = createPorts(io.root);
  try {
    return await driftEnvironment({ ...opts, ledger: ports.ledger, io });
  } finally {
    await ports.close();
  }
}
