/** Tags and metadata every resource carries, so operators can trace it back to the model. */
export function tags(env: string, extra: Record<string, string | number | undefined> = {}): string[] {
  const out = [`ndc:env=${env}`];
  for (const key of Object.keys(extra).sort()) {
    const value = extra[key];
    if (value !== undefined) out.push(`ndc:${key}=${value}`);
  }
  return out;
}
