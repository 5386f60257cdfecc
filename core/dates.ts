/** Calendar dates as written in environment files, trust stores and flags (`YYYY-MM-DD`). */

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * Why `text` is not a real calendar date as YYYY-MM-DD, or undefined when it is. The round trip through
 * Date refuses what Date would silently roll over or reject later (`2026-02-30`, `2026-13-45`).
 */
export function calendarDateProblem(text: string): string | undefined {
  const match = DATE_PATTERN.exec(text);
  if (!match) return 'must be a date as YYYY-MM-DD';
  const [year, month, day] = match.slice(1).map(Number);
  if (month < 1 || month > 12) return `has month ${match[2]}; months run 01-12`;
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear keeps the year as written.
  date.setUTCFullYear(year);
  if (day < 1 || date.getUTCDate() !== day) return `has day ${match[3]}; ${match[1]}-${match[2]} has ${daysInMonth(year, month)} days`;
  return undefined;
}

export function isCalendarDate(text: string): boolean {
  return calendarDateProblem(text) === undefined;
}

function daysInMonth(year: number, month: number): number {
  const date = new Date(Date.UTC(2000, month, 0));
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}

/** Why an ISO instant (`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[.mmm]Z`) is not a real one, or undefined. */
export function isoInstantProblem(text: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(?:\.\d{3})?Z)?$/.exec(text);
  if (!match) return 'must be a date YYYY-MM-DD or an ISO time ending in Z';
  const dateProblem = calendarDateProblem(match[1]);
  if (dateProblem) return dateProblem;
  if (match[2] !== undefined && (Number(match[2]) > 23 || Number(match[3]) > 59 || Number(match[4]) > 59)) return 'has a time of day outside 00:00:00-23:59:59';
  return undefined;
}
