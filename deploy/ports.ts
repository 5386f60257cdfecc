/**
 * What deploy needs from the layers built beside it: the approvals gate and ledger (issue 4) and the
 * policy engine (issue 3). Deploy is written against these ports and receives them from its caller;
 * `wiring.ts` builds the real ones, tests pass in-memory fakes.
 */

export interface GateDecision {
  open: boolean;
  reasons: string[];
}

export interface GatePort {
  /** Whether `digest` of `env` may be deployed now: policies pass and valid approvals cover it. */
  evaluate(env: string, digest: string): Promise<GateDecision>;
}

export interface LedgerPort {
  append(record: { kind: string; env: string; actor: string; digest?: string; result: string; details?: Record<string, unknown> }): Promise<void>;
  acquireLock(env: string, holder: string, leaseMs: number): Promise<{ acquired: boolean; heldBy?: string; takenOver?: boolean }>;
  /** The heartbeat: extends the lease; false when the lock was broken (ndc unlock) or taken over. */
  renewLock(env: string, holder: string, leaseMs: number): Promise<boolean>;
  releaseLock(env: string, holder: string): Promise<void>;
  /** The ledger's last record after a run: what deploy asks a reviewer to sign as a checkpoint. */
  head(): Promise<{ ledger: string; seq: number; hash: string }>;
  /** Steps of the last deploy of this env (for --resume): which stacks succeeded, for which digest. */
  lastRun(env: string): Promise<{ digest: string; completed: string[]; failed?: string } | undefined>;
}

export interface PolicyOutcome {
  /** Findings of mandatory rules: any makes check exit 1 and keeps the gate shut. */
  mandatoryFailures: number;
  /** One line for the plan summary, e.g. "212 rules: 0 mandatory failures, 3 advisory". */
  summary: string;
}

export interface PolicyPort {
  /** Evaluates every rule pack in force for `env` on the synthesized out/<env>/. */
  evaluate(env: string): Promise<PolicyOutcome>;
}

export interface DeployPorts {
  readonly gate: GatePort;
  readonly ledger: LedgerPort;
  readonly policy: PolicyPort;
}
