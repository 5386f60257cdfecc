import { InputError } from '../core/errors';

/**
 * The deploy lock's lease: short, so a crashed deploy frees its environment within minutes, and renewed by
 * a heartbeat every third of it while the deploy runs. NDC_LOCK_LEASE sets it (`90s`, `5m`, `1h`).
 */
export const LOCK_LEASE_VARIABLE = 'NDC_LOCK_LEASE';
export const DEFAULT_LEASE_MS = 5 * 60 * 1000;
const MIN_LEASE_MS = 3_000;
const MAX_LEASE_MS = 24 * 60 * 60 * 1000;

export function leaseMsOf(environment: NodeJS.ProcessEnv): number {
  const raw = environment[LOCK_LEASE_VARIABLE];
  if (raw === undefined || raw.trim() === '') return DEFAULT_LEASE_MS;
  const match = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(raw.trim());
  const ms = match ? Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'] : NaN;
  if (!(ms >= MIN_LEASE_MS && ms <= MAX_LEASE_MS)) throw new InputError(LOCK_LEASE_VARIABLE, `${JSON.stringify(raw)}: must be a duration from 3s to 24h, like 90s, 5m or 1h`);
  return Math.round(ms);
}

/** How often the holder renews: three chances before the lease runs out. */
export function heartbeatMsOf(leaseMs: number): number {
  return Math.max(1_000, Math.floor(leaseMs / 3));
}
