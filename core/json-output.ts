/**
 * The one shape of `--json` output on every command: an object whose first member names its schema,
 * `ndc/<command>/v1` (`ndc/reviewers-add/v1` for a subcommand), so a consumer can tell what it reads and
 * which version of it. Always pretty-printed with two spaces: the same bytes on a terminal, in a pipe
 * and in CI logs (one rule everywhere; JSON parsers do not care).
 */
export const JSON_SCHEMA_VERSION = 'v1';

/** The schema id of a command's JSON output: `ndc/check/v1`, `ndc/ledger-verify/v1`. */
export function jsonSchemaOf(command: string): string {
  return `ndc/${command.trim().split(/\s+/).join('-')}/${JSON_SCHEMA_VERSION}`;
}

/** A command's JSON document (no trailing newline): `schema` first, then the body's members in their order. */
export function jsonDocument(command: string, body: object): string {
  const { schema: _replaced, ...rest } = body as Record<string, unknown>;
  return JSON.stringify({ schema: jsonSchemaOf(command), ...rest }, null, 2);
}

/** The JSON document of an error under --json: which command, why, and the exit code that follows. */
export function jsonErrorDocument(command: string, error: string, exitCode: number): string {
  return JSON.stringify({ schema: `ndc/error/${JSON_SCHEMA_VERSION}`, command, error, exitCode }, null, 2);
}
