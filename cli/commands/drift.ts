import { driftEnvironment } from '../../deploy/drift';
import type { CommandDependencies } from '../composition';

export interface DriftOptions {
  readonly env: string;
  readonly format?: string;
  readonly output?: string;
}

/** `ndc drift --env E [--format text|json|junit] [--output FILE]`: the engines see the composition root's environment. */
export async function driftCommand(opts: DriftOptions, deps: CommandDependencies): Promise<number> {
  const ports = deps.deployPorts();
  try {
    return await driftEnvironment({ ...opts, ledger: ports.ledger, io: deps.io, environment: deps.environment });
  } finally {
    await ports.close();
  }
}
