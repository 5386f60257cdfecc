/**
 * An error caused by the user's input (an environment file, an approval, a flag).
 * The CLI prints its message as one line and exits 2; it never prints a stack trace for it.
 */
export class InputError extends Error {
  constructor(
    /** Where: a file, optionally with a field path (`environments/prod.ts: regions[0].addressPlan.cidr`). */
    readonly where: string,
    /** What is wrong and why, and how to fix it when that is not obvious. */
    readonly reason: string,
  ) {
    super(`${where}: ${reason}`);
    this.name = 'InputError';
  }
}

/** Formats a value for an error message: short, on one line. */
export function show(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Every problem found in one input file, so one edit round can fix them all. Its message is the first
 * problem and a count (one line, for callers that show a single reason); `lines` lists them all.
 */
export class InputProblems extends InputError {
  constructor(readonly problems: readonly InputError[]) {
    super(problems[0].where, problems.length > 1 ? `${problems[0].reason} (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : problems[0].reason);
    this.name = 'InputProblems';
  }
}

/** How many problems of one file the command line prints before summing up the rest. */
export const PROBLEM_LINES_SHOWN = 20;

/** The lines to print for an input error: one, or one per problem capped at `limit` with a count of the rest. */
export function inputErrorLines(error: InputError, limit = PROBLEM_LINES_SHOWN): string[] {
  if (!(error instanceof InputProblems)) return [error.message];
  if (error.problems.length === 1) return [error.problems[0].message];
  const shown = error.problems.slice(0, limit).map((p) => p.message);
  const rest = error.problems.length - shown.length;
  return rest > 0 ? [...shown, `... and ${rest} more problem${rest > 1 ? 's' : ''} in ${error.where.split(':')[0]}`] : shown;
}

/** One problem as itself, several as one InputProblems (the list must not be empty). */
export function problemsError(problems: readonly InputError[]): InputError {
  if (problems.length === 0) throw new Error('problemsError needs at least one problem');
  return problems.length === 1 ? problems[0] : new InputProblems(problems);
}

/** Throws every problem collected; nothing when the list is empty. */
export function throwProblems(problems: readonly InputError[]): void {
  if (problems.length > 0) throw problemsError(problems);
}
