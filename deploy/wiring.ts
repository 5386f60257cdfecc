import { InputError } from '../core/errors';
import { LEDGER_KINDS, type LedgerKind } from '../ledger/ledger';
import { openLedger } from '../ledger/open';
import { evaluateGate } from '../policies/approvals/gate';
import { evaluateManifest, assessmentCheckOf, deployPolicyOutcome, gatePolicyOutcome } from '../policies/outcome';
import { evaluatePolicies } from '../policies/evaluate';
import { requireManifest } from '../stacks/manifest';
import { lastRunFromRecords } from './ledger-view';
import type { DeployPorts } from './ports';

/**
 * The real ports of `ndc plan / deploy / destroy`: the approvals gate over the policy engine's verdict on
 * exactly the synthesized manifest, the project's ledger (SQLite, or PostgreSQL with NDC_LEDGER_URL)
 * with its deploy lock, and the policy engine.
 */
export interface WiredPorts extends DeployPorts {
  close(): Promise<void>;
}

export function createPorts(root: string, now: () => Date = () => new Date()): WiredPorts {
  const ledger = openLedger(root);
  return {
    gate: {
      async evaluate(env, digest) {
        const manifest = requireManifest(root, env);
        if (manifest.digest !== digest) {
          return { open: false, reasons: [`out/${env}/manifest.json: digest ${manifest.digest.slice(0, 12)}... is not the ${digest.slice(0, 12)}... being deployed`] };
        }
        // The policy verdict on what is on disk: refuses (InputError) when out/<env>/ was edited or is stale.
        const report = evaluateManifest(root, manifest, { now: now() });
        const result = evaluateGate({ root, env, manifest, policy: gatePolicyOutcome(report), assessmentCurrent: assessmentCheckOf(report), now: now() });
        return { open: result.open, reasons: result.reasons };
      },
    },
    policy: {
      async evaluate(env) {
        return deployPolicyOutcome(evaluatePolicies(root, env, { now: now() }));
      },
    },
    ledger: {
      async append(record) {
        if (!(LEDGER_KINDS as readonly string[]).includes(record.kind)) throw new InputError('ledger', `${JSON.stringify(record.kind)} is not a ledger record kind (${LEDGER_KINDS.join(', ')})`);
        await ledger.append({ ...record, kind: record.kind as LedgerKind, at: now() });
      },
      async acquireLock(env, holder, leaseMs) {
        const outcome = await ledger.acquireLock(env, holder, leaseMs, now());
        if (!outcome.acquired) return { acquired: false, heldBy: `${outcome.heldBy.holder} (lease until ${outcome.heldBy.expiresAt})` };
        return { acquired: true, takenOver: outcome.takenOverFrom !== undefined };
      },
      async renewLock(env, holder, leaseMs) {
        return ledger.renewLock(env, holder, leaseMs, now());
      },
      async releaseLock(env, holder) {
        await ledger.releaseLock(env, holder, now());
      },
      async head() {
        return { ledger: ledger.id, ...(await ledger.head()) };
      },
      async lastRun(env) {
        return lastRunFromRecords(await ledger.records(), env);
      },
    },
    close: () => ledger.close(),
  };
}
