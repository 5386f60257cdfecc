/**
 * What deploy needs from the layers built beside it: the approvals gate and ledger (issue 4) and the
 * policy engine (issue 3). Deploy is written against these ports and receives them from its caller;
 * the composition root of the command line (cli/composition.ts) builds the real ones; tests pass fakes.
 */

export interface GateDecision {
  open: boolean;
  reasons: string[];
}

export interface GatePort {
  /** Whether `digest` of `env` may be deployed (or destroyed) now: policies pass and valid approvals of that operation cover it. */
  evaluate(env: string, digest: string, operation: 'deploy' | 'destroy'): Promise<GateDecision>;
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

/** What deploy and plan show of a policy evaluation: the mandatory failure count and one summary line. */
export interface PolicySummary {
  /** Findings of mandatory rules: any makes check exit 1 and keeps the gate shut. */
  mandatoryFailures: number;
  /** One line for the plan summary, e.g. "212 rules: 0 mandatory failures, 3 advisory". */
  summary: string;
}

export interface PolicyPort {
  /** Evaluates every rule pack in force for `env` on the synthesized out/<env>/. */
  evaluate(env: string): Promise<PolicySummary>;
}

export interface DeployPorts {
  readonly gate: GatePort;
  readonly ledger: LedgerPort;
  readonly policy: PolicyPort;
}

/** Where deploy and plan report to, and the project they work on; the command line passes its own. */
export interface ConsolePort {
  /** The project root: environments/, out/, approvals/ and the Pulumi program live under it. */
  readonly root: string;
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** `--json`: print machine-readable output. */
  readonly json: boolean;
  readonly now: () => Date;
}
