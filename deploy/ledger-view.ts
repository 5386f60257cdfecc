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

/**
 * The level of each scope as last deployed: the `levels` of the newest deploy run record (a destroy leaves
 * them as they were). The gate judges a scope now at a lower level by the roles of this one.
 */
export function deployedLevelsFromRecords(records: readonly StepRecord[], env: string): Map<string, number> {
  for (let i = records.length - 1; i >= 0; i--) {
    const r = records[i];
    if (r.kind !== 'deploy-step' || r.env !== env || r.result !== 'started' || r.details?.scope !== 'run') continue;
    const levels = r.details.levels;
    if (levels === null || typeof levels !== 'object') continue;
    return new Map(Object.entries(levels as Record<string, unknown>).filter((e): e is [string, number] => typeof e[1] === 'number'));
  }
  return new Map();
}
