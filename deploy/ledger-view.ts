import type { ApprovalSettings } from '../environments/schema';
import { APPROVER_ROLES, type ApproverRole } from '../environments/vocabulary';

/**
 * What `--resume` needs from the ledger, derived from the records deploy writes (kind `deploy-step`):
 * a run starts with `{scope: 'run', result: 'started'}` carrying the steps it took over as already done,
 * then one `started` and one `succeeded`/`failed` record per stack. A ledger implementation can answer
 * `LedgerPort.lastRun` with this function over its records.
 */
export interface StepRecord {
  readonly kind: string;
  readonly env: string;
  readonly digest?: string | null;
  readonly result: string;
  readonly details?: Record<string, unknown>;
}

export interface LastRun {
  digest: string;
  completed: string[];
  failed?: string;
}

export function lastRunFromRecords(records: readonly StepRecord[], env: string): LastRun | undefined {
  const mine = records.filter((r) => r.kind === 'deploy-step' && r.env === env);
  let start = -1;
  for (let i = mine.length - 1; i >= 0; i--) {
    if (mine[i].details?.scope === 'run' && mine[i].result === 'started') {
      start = i;
      break;
    }
  }
  if (start < 0) return undefined;
  const run = mine[start];
  const runId = run.details?.run;
  const completed = new Set<string>(Array.isArray(run.details?.alreadyDone) ? (run.details.alreadyDone as string[]) : []);
  let failed: string | undefined;
  for (const record of mine.slice(start + 1)) {
    if (record.details?.run !== runId || record.details?.scope !== 'step') continue;
    const step = String(record.details.step);
    if (record.result === 'succeeded') completed.add(step);
    if (record.result === 'failed') failed ??= step;
  }
  return { digest: String(run.digest ?? ''), completed: [...completed], ...(failed !== undefined ? { failed } : {}) };
}

/** The newest deploy run record of `env` holding `field` in its details (older ndc runs lack it). */
function lastDeployRunWith(records: readonly StepRecord[], env: string, field: string): unknown {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (r.kind !== 'deploy-step' || r.env !== env || r.result !== 'started' || r.details?.scope !== 'run') continue;
    const value = r.details[field];
    if (value !== null && typeof value === 'object') return value;
  }
  return undefined;
}

/**
 * The level of each scope as last deployed: the `levels` of the newest deploy run record (a destroy leaves
 * them as they were). The gate judges a scope now at a lower level by the roles of this one.
 */
export function deployedLevelsFromRecords(records: readonly StepRecord[], env: string): Map<string, number> {
  const levels = lastDeployRunWith(records, env, 'levels');
  if (levels === undefined) return new Map();
  return new Map(Object.entries(levels as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === 'number'));
}

/** The owner agency of each scope as last deployed (the newest deploy run record's `owners`). */
export function deployedOwnersFromRecords(records: readonly StepRecord[], env: string): Map<string, string> {
  const owners = lastDeployRunWith(records, env, 'owners');
  if (owners === undefined) return new Map();
  return new Map(Object.entries(owners as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

/**
 * The approvals table (roles per level) the newest deploy run was judged under, or undefined: the gate asks
 * at least these roles, so a table lowered in the environment file is signed by the roles it asked before.
 */
export function deployedRequirementsFromRecords(records: readonly StepRecord[], env: string): ApprovalSettings['levels'] | undefined {
  const table = lastDeployRunWith(records, env, 'requirements') as Record<string, unknown> | undefined;
  if (table === undefined) return undefined;
  const levels: Partial<Record<keyof ApprovalSettings['levels'], ApproverRole[]>> = {};
  for (const level of ['1', '2', '3', '4', '5'] as const) {
    const roles = table[level];
    if (!Array.isArray(roles) || !roles.every((r) => (APPROVER_ROLES as readonly unknown[]).includes(r))) return undefined;
    levels[level] = roles as ApproverRole[];
  }
  return levels as ApprovalSettings['levels'];
}
