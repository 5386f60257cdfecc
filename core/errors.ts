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
