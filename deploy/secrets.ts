/**
 * Credentials reach the engines only through the environment the child processes inherit. Whatever the
 * engines print passes through `redact` before it reaches the terminal, the CI log or the ledger, so a
 * connection string echoed in an error message is not repeated.
 */
const SECRET_NAME = /(PASS|SECRET|TOKEN|CONN_STR|CONNECTION|CREDENTIAL|PRIVATE|_KEY$|ACCESS_KEY|API_KEY|AUTH|DSN|DATABASE_URL|LEDGER_URL)/i;

/** Values shorter than this are not redacted: replacing "1" or "true" everywhere would ruin the output. */
const MIN_SECRET_LENGTH = 6;

/** The secret values in `environment`: variables named like credentials, plus `alsoSecret` by name. */
export function secretValues(environment: NodeJS.ProcessEnv, alsoSecret: readonly string[] = []): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(environment)) {
    if (value === undefined || value.length < MIN_SECRET_LENGTH) continue;
    if (!SECRET_NAME.test(name) && !alsoSecret.includes(name)) continue;
    values.add(value);
    // A URL's password is a secret on its own (engines print URLs with the password elided or not).
    for (const password of passwordsIn(value)) if (password.length >= MIN_SECRET_LENGTH) values.add(password);
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...values].sort((a, b) => b.length - a.length);
}

function passwordsIn(value: string): string[] {
  const found: string[] = [];
  const url = /^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:([^@\s]+)@/i.exec(value);
  if (url) {
    found.push(url[1]);
    try {
      found.push(decodeURIComponent(url[1]));
    } catch {
      // not percent-encoded
    }
  }
  const keyword = /(?:^|\s)password=('([^']*)'|(\S+))/i.exec(value);
  if (keyword) found.push(keyword[2] ?? keyword[3]);
  return found;
}

export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join('***');
  return result;
}
