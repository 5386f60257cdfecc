import { Construct } from 'constructs';
import { cronProblem } from '../core/cron';
import type { BackupMedium } from '../environments/vocabulary';
import { propError } from './props';
import type { RegionalCluster } from './regional-cluster';

const PLAN = Symbol.for('ndc.BackupPlan');

export type { BackupMedium };

export interface BackupCopy {
  readonly cluster: RegionalCluster;
  readonly medium: BackupMedium;
  /** Object-locked (write once, read many). */
  readonly immutable: boolean;
}

export interface BackupPlanProps {
  /** Cron schedule. Default: hourly for level 5, every 4 hours for level 4, daily otherwise. */
  readonly schedule?: string;
  readonly retentionDays?: number;
  /** Recovery point objective in hours. Default: derived from the schedule's level. */
  readonly rpoHours?: number;
  /** Default: one object copy in each other cluster, immutable for levels 4-5, at most two. */
  readonly copies?: readonly { cluster: RegionalCluster; medium?: BackupMedium; immutable?: boolean }[];
  /** Default: true. */
  readonly encrypted?: boolean;
}

/** How, how often and where an information system is backed up. */
export class BackupPlan extends Construct {
  static isBackupPlan(x: unknown): x is BackupPlan {
    return typeof x === 'object' && x !== null && PLAN in x;
  }

  readonly schedule: string;
  readonly retentionDays: number;
  readonly rpoHours: number;
  readonly copies: readonly BackupCopy[];
  readonly encrypted: boolean;

  constructor(scope: Construct, id: string, props: BackupPlanProps & { level: number; primary: RegionalCluster; candidates: readonly RegionalCluster[] }) {
    super(scope, id);
    Object.defineProperty(this, PLAN, { value: true });
    const { level } = props;
    this.schedule = props.schedule ?? (level >= 5 ? '0 * * * *' : level === 4 ? '0 */4 * * *' : '0 1 * * *');
    const scheduleProblem = cronProblem(this.schedule);
    if (scheduleProblem) throw propError(this, 'schedule', this.schedule, scheduleProblem);
    this.rpoHours = props.rpoHours ?? (level >= 5 ? 1 : level === 4 ? 4 : 24);
    if (!(this.rpoHours > 0)) throw propError(this, 'rpoHours', this.rpoHours, 'must be a positive number of hours');
    this.retentionDays = props.retentionDays ?? (level >= 4 ? 365 : level === 3 ? 90 : 30);
    if (!Number.isInteger(this.retentionDays) || this.retentionDays < 1) throw propError(this, 'retentionDays', this.retentionDays, 'must be a whole number of days, at least 1');
    this.encrypted = props.encrypted ?? true;
    const immutableDefault = level >= 4;
    const copies: NonNullable<BackupPlanProps['copies']> = props.copies ?? props.candidates.filter((c) => c !== props.primary).slice(0, 2).map((cluster) => ({ cluster }));
    this.copies = copies.map((c) => ({ cluster: c.cluster, medium: c.medium ?? 'object', immutable: c.immutable ?? immutableDefault }));
  }

  /** Copies outside the primary's own cluster: only these count as offsite. */
  offsiteCopies(primary: RegionalCluster): BackupCopy[] {
    return this.copies.filter((c) => c.cluster !== primary);
  }
}
