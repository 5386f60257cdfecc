import { InputError } from '../core/errors';
import type { DeployPorts } from './ports';

/**
 * Builds the real ports for the CLI. The gate and ledger (issue 4) and the policy engine (issue 3) are
 * built on their own branches; until they are merged and wired here, plan/deploy/destroy stop with one
 * line naming what is missing. They never fall back to a gate that opens.
 */
export interface WiredPorts extends DeployPorts {
  close(): Promise<void>;
}

/** The modules the real ports come from (relative to this file), and what each is. */
export const PORT_SOURCES = [
  { module: '../policies/approvals/gate', what: 'the approvals gate (issue 4, policies/approvals/gate.ts)' },
  { module: '../ledger/open', what: 'the ledger and deploy lock (issue 4, ledger/open.ts)' },
  { module: '../policies/engine', what: 'the policy engine (issue 3, policies/engine.ts)' },
] as const;

function present(module: string): boolean {
  try {
    require.resolve(module);
    return true;
  } catch {
    return false;
  }
}

export function createPorts(_root: string): WiredPorts {
  const missing = PORT_SOURCES.filter((s) => !present(s.module)).map((s) => s.what);
  if (missing.length > 0) {
    throw new InputError('deploy/wiring.ts', `cannot build the deploy ports: ${missing.join('; ')} ${missing.length === 1 ? 'is' : 'are'} not on this branch yet, and deploy refuses rather than assume an open gate`);
  }
  throw new InputError('deploy/wiring.ts', 'the gate, ledger and policy engine are present but createPorts does not wire them to the deploy ports yet (see deploy/ports.ts)');
}
