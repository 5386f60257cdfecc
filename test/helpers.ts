import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { EnvironmentInput } from '../environments/schema';

/**
 * The statement a Node probe (a process of its own, loading the TypeScript sources) runs before it renders,
 * as the command line's composition root does: scope digests cover reachability (stacks/reach.ts).
 */
export function installReachIn(repo = '.'): string {
  const at = (path: string) => JSON.stringify(repo === '.' ? `./${path}` : `${repo}/${path}`);
  return `require(${at('stacks/reach.ts')}).installScopeReachability(require(${at('policies/network/scope-reach.ts')}).scopeReachLines);`;
}

export const REPO = resolve(__dirname, '..');

/** A deep copy of an environment file's default export (the raw input, before validation). */
export function environmentInput(name: 'dev' | 'staging' | 'prod'): EnvironmentInput {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loaded = require(join(REPO, 'environments', `${name}.ts`)) as { default: EnvironmentInput };
  return structuredClone(loaded.default);
}

/**
 * A throw-away project root: a copy of environments/ and evidence/ (so tests may add or break files), a link to
 * node_modules and the Kubernetes Pulumi project and stack files, the way a second clone of the repository would look.
 */
export function tempProject(prefix = 'ndc-test-'): string {
  const root = mkdtempSync(join(tmpdir(), prefix));
  cpSync(join(REPO, 'environments'), join(root, 'environments'), { recursive: true });
  cpSync(join(REPO, 'evidence'), join(root, 'evidence'), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  // Synthesis copies the Pulumi project and stack files into out/<env>/pulumi/, where deploy runs pulumi.
  mkdirSync(join(root, 'stacks', 'kubernetes'), { recursive: true });
  for (const name of readdirSync(join(REPO, 'stacks', 'kubernetes'))) {
    if (/^Pulumi(\.[a-z0-9-]+)?\.yaml$/.test(name)) cpSync(join(REPO, 'stacks', 'kubernetes', name), join(root, 'stacks', 'kubernetes', name));
  }
  return root;
}

/**
 * Writes an environment as JSON into a project root (JSON files load like .ts ones), with the
 * repository's evidence records of its systems and of the platform (from prod, else dev) under evidence/<name>/ unless that
 * folder exists or `evidence` is false: an environment derived from a shipped one stays as assessed.
 */
export function writeEnvironmentJson(root: string, name: string, env: unknown, evidence = true): void {
  mkdirSync(join(root, 'environments'), { recursive: true });
  writeFileSync(join(root, 'environments', `${name}.json`), JSON.stringify(env, null, 2));
  const systems = (env as { systems?: { id?: unknown }[] } | null)?.systems;
  if (!evidence || !Array.isArray(systems) || existsSync(join(root, 'evidence', name))) return;
  // The platform's own records (the 24/7 monitoring contract) cover the systems it hosts.
  for (const id of [...systems.map((s: { id?: unknown }) => s.id), 'national-cloud-platform']) {
    for (const from of ['prod', 'dev']) {
      const dir = join(REPO, 'evidence', from);
      const records = readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => ({ f, record: JSON.parse(readFileSync(join(dir, f), 'utf8')) as { system: string; document: { path?: string } } }))
        .filter(({ record }) => record.system === id);
      if (records.length === 0) continue;
      for (const { f, record } of records) {
        const target = join(root, 'evidence', name);
        mkdirSync(target, { recursive: true });
        cpSync(join(dir, f), join(target, f));
        if (record.document.path) cpSync(join(dir, record.document.path), join(target, record.document.path));
      }
      break;
    }
  }
}

/** Captures what a command prints. */
export function captureIO(root: string, json = false) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { root, json, out: (l: string) => out.push(l), err: (l: string) => err.push(l), now: () => new Date('2026-11-27T00:00:00Z') },
    out,
    err,
  };
}

/**
 * The platform (national-cloud-platform, level 4) needs a national-authority and a system-owner approval
 * of its own owner agency: these reviewers give them in the command-level tests.
 */
export const PLATFORM_REVIEWERS: readonly { id: string; role: string; agencies: string }[] = [
  { id: 'platform-nca', role: 'national-authority', agencies: '*' },
  { id: 'platform-owner', role: 'system-owner', agencies: 'Ministry of Public Security' },
];

/** Generates the platform reviewers' keys under keys/ and adds them to the environment's trust store, through `ndc`. */
export function addPlatformReviewers(ndc: (args: string[]) => { status: number | null; stderr: string }, env = 'dev'): void {
  for (const { id, role, agencies } of PLATFORM_REVIEWERS) {
    const generated = ndc(['keys', 'generate', '--id', id, '--out', 'keys']);
    if (generated.status !== 0) throw new Error(`keys generate ${id}: ${generated.stderr}`);
    const added = ndc(['reviewers', 'add', '--env', env, '--id', id, '--public-key', `keys/${id}.pub`, '--roles', role, '--agencies', agencies]);
    if (added.status !== 0) throw new Error(`reviewers add ${id}: ${added.stderr}`);
  }
}
