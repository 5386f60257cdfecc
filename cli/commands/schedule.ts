import { InputError } from '../../core/errors';
import { jsonDocument } from '../../core/json-output';
import { renderSchedule, SCHEDULE_FORMATS, type ScheduleFormat } from '../../policies/reports/schedule';
import { scheduleOf } from '../../policies/schedule';
import type { ProjectReader } from '../../stacks/project';
import type { CommandIO } from '../io';
import { parseAsOf, writeAtomically } from './check';
import { refuseProjectInput } from './common';

export interface ScheduleOptions {
  readonly env: string;
  readonly days?: string;
  readonly format?: string;
  readonly output?: string;
  readonly asOf?: string;
}

export const DEFAULT_SCHEDULE_DAYS = 90;
/** Ten years: a longer window is a typo, not a plan. */
const MAX_SCHEDULE_DAYS = 3660;

function parseDays(value: string | undefined): number {
  if (value === undefined) return DEFAULT_SCHEDULE_DAYS;
  const days = Number(value);
  if (!/^\d+$/.test(value) || days < 1 || days > MAX_SCHEDULE_DAYS) throw new InputError('--days', `${JSON.stringify(value)}: must be a whole number of days from 1 to ${MAX_SCHEDULE_DAYS}`);
  return days;
}

function parseScheduleFormat(value: string | undefined, json: boolean): ScheduleFormat {
  if (value === undefined) return json ? 'json' : 'text';
  if (!(SCHEDULE_FORMATS as readonly string[]).includes(value)) throw new InputError('--format', `${JSON.stringify(value)} is not a schedule format (formats: ${SCHEDULE_FORMATS.join(', ')})`);
  return value as ScheduleFormat;
}

/**
 * `ndc schedule --env E [--days 90] [--format text|json|ical] [--output F] [--as-of D]`: what falls due in
 * the window, sorted by date. Exit 0, or 2 on bad input.
 */
export async function scheduleCommand(opts: ScheduleOptions, io: CommandIO, project: ProjectReader): Promise<number> {
  const days = parseDays(opts.days);
  const format = parseScheduleFormat(opts.format, io.json);
  const flagDay = parseAsOf(opts.asOf);
  if (opts.output !== undefined) refuseProjectInput(io.root, opts.output, '--output');
  const { env, evidence } = project.loadEnvironment(opts.env);
  const asOf = flagDay ? flagDay.toISOString().slice(0, 10) : (env.asOf ?? io.now().toISOString().slice(0, 10));
  const schedule = scheduleOf({ root: io.root, env, evidence, asOf, days });
  // JSON is the command's --json document: the same schema-tagged shape as every command's.
  const content = format === 'json' ? `${jsonDocument('schedule', schedule)}\n` : renderSchedule(schedule, format);
  if (opts.output === undefined) {
    io.out(content.replace(/\r?\n$/, ''));
    return 0;
  }
  const written = writeAtomically(io.root, opts.output, content, '--output');
  io.out(`Wrote ${written} (${format}): ${schedule.items.length} item${schedule.items.length === 1 ? '' : 's'} for ${schedule.env}, ${schedule.asOf} to ${schedule.until}`);
  return 0;
}
