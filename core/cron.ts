import { CronExpressionParser } from 'cron-parser';

/**
 * Why `expression` is not a five-field cron schedule (minute hour day-of-month month day-of-week), or
 * undefined when it is one; the field values are checked by cron-parser.
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `must be a five-field cron expression, e.g. "0 1 * * *" (has ${fields.length} field${fields.length === 1 ? '' : 's'})`;
  try {
    CronExpressionParser.parse(expression);
    return undefined;
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    return `is not a valid cron expression: ${reason}`;
  }
}
