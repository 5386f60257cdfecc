/**
 * Backup schedules become Velero Schedule objects, and Velero reads `spec.schedule` with robfig/cron v3's
 * ParseStandard (pkg/controller/schedule_controller.go): a schedule that parser refuses is marked
 * FailedValidation and never backs anything up. So a schedule is checked here by that parser's rules, not
 * a JavaScript library's (which accepted, for instance, 7 for Sunday, `L` and `#`, all refused by Velero):
 * - five fields: minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of week 0-6 or
 *   sun-sat (names in any case);
 * - each field a comma-separated list of `*` or `?` (every value), `a`, `a-b`, each optionally `/step`
 *   (`a/step` runs from a to the field's maximum); numbers are decimal, optionally signed with `+`.
 * Stricter than Velero in two ways, both refused with the reason: a descriptor (`@daily`) or a `TZ=`
 * prefix is not one of the five fields this platform writes, and a field listing no value at all (`,`)
 * would never run.
 * test/cron.test.ts holds what robfig/cron v3.0.1 itself answered for the expressions it checks.
 */

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  /** Names the field accepts for its values (lower case). */
  readonly names?: ReadonlyMap<string, number>;
}

const named = (names: readonly string[], first: number) => new Map(names.map((name, i) => [name, first + i]));

const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: named(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'], 1) },
  { name: 'day of week', min: 0, max: 6, names: named(['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], 0) },
];

/**
 * Why `expression` is not a five-field cron schedule Velero accepts (minute hour day-of-month month
 * day-of-week), or undefined when it is one.
 */
export function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return `must be a five-field cron expression, e.g. "0 1 * * *" (has ${fields.length} field${fields.length === 1 ? '' : 's'})`;
  for (const [i, field] of FIELDS.entries()) {
    const problem = fieldProblem(fields[i], field);
    if (problem !== undefined) return `is not a valid cron expression: ${field.name} ${JSON.stringify(fields[i])}: ${problem}`;
  }
  return undefined;
}

function fieldProblem(text: string, field: Field): string | undefined {
  const ranges = text.split(',').filter((range) => range !== '');
  if (ranges.length === 0) return 'lists no value, so the schedule would never run';
  for (const range of ranges) {
    const problem = rangeProblem(range, field);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

/** A range as robfig/cron's getRange reads it: `*`, `?`, `a` or `a-b`, then an optional `/step`. */
function rangeProblem(range: string, field: Field): string | undefined {
  const [span, ...steps] = range.split('/');
  const ends = span.split('-');
  let start: number;
  let end: number;
  if (ends[0] === '*' || ends[0] === '?') {
    // As the parser does: every value, whatever follows a hyphen.
    [start, end] = [field.min, field.max];
  } else {
    if (ends.length > 2) return `too many hyphens in ${JSON.stringify(range)}`;
    const first = valueOf(ends[0], field);
    if (typeof first === 'string') return first;
    start = first;
    if (ends.length === 2) {
      const last = valueOf(ends[1], field);
      if (typeof last === 'string') return last;
      end = last;
    } else {
      end = start;
    }
  }
  let step = 1;
  if (steps.length > 1) return `too many slashes in ${JSON.stringify(range)}`;
  if (steps.length === 1) {
    const given = integer(steps[0]);
    if (typeof given === 'string') return given;
    step = given;
    // `a/step` runs from a to the field's maximum.
    if (ends.length === 1) end = field.max;
  }
  if (start < field.min) return `${start} is below the field's minimum ${field.min}`;
  if (end > field.max) return `${end} is above the field's maximum ${field.max}`;
  if (start > end) return `the range ${JSON.stringify(range)} starts after it ends`;
  if (step === 0) return `the step of ${JSON.stringify(range)} must be a positive number`;
  return undefined;
}

function valueOf(text: string, field: Field): number | string {
  return field.names?.get(text.toLowerCase()) ?? integer(text);
}

const INT64_MAX = 2n ** 63n - 1n;

/** A number as Go's strconv.Atoi reads it (decimal digits, optionally signed), refused when negative. */
function integer(text: string): number | string {
  if (!/^[+-]?[0-9]+$/.test(text)) return `${JSON.stringify(text)} is not a number${text === '' ? ' (a value is missing)' : ''}`;
  const value = BigInt(text);
  if (value > INT64_MAX || value < -INT64_MAX - 1n) return `${text} is out of range`;
  if (value < 0n) return `negative number ${text} not allowed`;
  return Number(value);
}
