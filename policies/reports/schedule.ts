import { stableJson } from '../../core/canonical-json';
import type { Schedule, ScheduleItem } from '../schedule';

/** `ndc schedule` output: a text table, JSON, or an iCalendar (RFC 5545) a team subscribes to. */

export const SCHEDULE_FORMATS = ['text', 'json', 'ical'] as const;
export type ScheduleFormat = (typeof SCHEDULE_FORMATS)[number];

export function renderSchedule(schedule: Schedule, format: ScheduleFormat): string {
  if (format === 'json') return stableJson(schedule);
  if (format === 'ical') return scheduleICalendar(schedule);
  return scheduleText(schedule);
}

export function scheduleText(schedule: Schedule): string {
  const lines = [`Schedule for ${schedule.env} (profile ${schedule.profile}), ${schedule.asOf} to ${schedule.until} (${schedule.days} days): ${schedule.items.length} item${schedule.items.length === 1 ? '' : 's'}`];
  const rows = schedule.items.map((i) => [i.date, i.status, i.subject, i.what, i.detail]);
  const widths = [0, 1, 2, 3].map((c) => Math.max(0, ...rows.map((r) => r[c].length)));
  for (const row of rows) lines.push(`  ${row.map((cell, c) => (c < 4 ? cell.padEnd(widths[c]) : cell)).join('  ')}`.trimEnd());
  if (rows.length === 0) lines.push('  nothing falls due');
  return `${lines.join('\n')}\n`;
}

/** RFC 5545 3.3.11: backslash, semicolon, comma and newlines are escaped in TEXT values. */
export function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/**
 * RFC 5545 3.1: content lines longer than 75 octets are folded with CRLF and one space, never inside a
 * UTF-8 sequence.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    // The first line holds 75 octets; continuation lines 74 after their leading space.
    const limit = parts.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const compact = (day: string): string => day.replace(/-/g, '');

function nextDay(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function event(schedule: Schedule, item: ScheduleItem): string[] {
  const summary = `${item.status === 'overdue' ? 'OVERDUE: ' : ''}${item.what} ${item.status === 'expires' ? 'expires' : 'due'}: ${item.subject} (${schedule.env})`;
  const description = [item.detail, item.source ? `Source: ${item.source}` : undefined].filter((x) => x !== undefined).join('\n');
  return [
    'BEGIN:VEVENT',
    `UID:${item.uid}@ndc`,
    // Deterministic: stamped with the day the schedule is computed for, not the clock.
    `DTSTAMP:${compact(schedule.asOf)}T000000Z`,
    `DTSTART;VALUE=DATE:${compact(item.date)}`,
    `DTEND;VALUE=DATE:${compact(nextDay(item.date))}`,
    `SUMMARY:${escapeText(summary)}`,
    `DESCRIPTION:${escapeText(description)}`,
    `CATEGORIES:${escapeText(item.category)}`,
    'TRANSP:TRANSPARENT',
    'END:VEVENT',
  ];
}

export function scheduleICalendar(schedule: Schedule): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//ndc//schedule//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(`ndc ${schedule.env}: what falls due`)}`,
    ...schedule.items.flatMap((item) => event(schedule, item)),
    'END:VCALENDAR',
  ];
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
