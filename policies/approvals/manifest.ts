import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError, show } from '../../core/errors';
import { formatPath } from '../../environments/validate';

/** `out/<env>/manifest.json` as `ndc synth` writes it: what reviewers approve. */
export const manifestSchema = z.object({
  version: z.literal(1),
  env: z.string().min(1),
  profile: z.string().min(1),
  digest: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 (64 lower-case hex digits)'),
  artifacts: z.array(
    z.object({ path: z.string().min(1), engine: z.string().min(1), stack: z.string().min(1), bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  ),
  systems: z.array(
    z.object({
      id: z.string().min(1),
      name: z.string().min(1),
      level: z.number().int().min(1).max(5),
      regions: z.array(z.string()),
      owner: z.string().min(1),
      classification: z.string().min(1),
      personalData: z.boolean(),
    }),
  ),
});
export type Manifest = z.output<typeof manifestSchema>;
export type ManifestSystem = Manifest['systems'][number];

export function manifestShown(env: string): string {
  return `out/${env}/manifest.json`;
}

/** Reads and validates the manifest of `env`; every problem is one InputError line naming the field. */
export function readManifest(root: string, env: string): Manifest {
  const shown = manifestShown(env);
  const file = join(root, 'out', env, 'manifest.json');
  if (!existsSync(file)) throw new InputError(shown, `not found; run ndc synth --env ${env} first`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new InputError(shown, `is not valid JSON (${error instanceof Error ? error.message : String(error)}); run ndc synth --env ${env} again`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${shown}: ${formatPath(issue.path) || '(top level)'}`, issue.message);
  }
  if (parsed.data.env !== env) throw new InputError(`${shown}: env`, `${show(parsed.data.env)}: the manifest under out/${env} must be for ${show(env)}`);
  return parsed.data;
}
