import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../core/errors';

/**
 * A git revision of the project synthesized by its own code, in a temporary worktree that is always removed
 * afterwards: what `ndc diff --against REF` compares with. The revision's synth runs with a minimal
 * environment (no ledger URL, no credentials) and records nothing outside its temporary directory.
 */
export interface SynthesizedRevision {
  /** The full commit id the ref resolved to. */
  readonly commit: string;
  /** out/<env>/ of the revision, inside the temporary worktree (gone once `use` returns). */
  readonly outDir: string;
}

/** The variables a revision's synth may see: enough to run node and git, nothing that opens a ledger or an engine. */
const PASSED_VARIABLES = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR', 'TZ', 'SYSTEMROOT'] as const;

function git(root: string, args: readonly string[]): { ok: boolean; stdout: string; stderr: string } {
  const result = spawnSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { ok: result.status === 0, stdout: (result.stdout ?? '').trim(), stderr: (result.stderr ?? '').trim() || (result.error?.message ?? '') };
}

/** The commit `ref` names in the repository at `root`, or undefined when it names none (or root is no repository). */
export function resolveRevision(root: string, ref: string): string | undefined {
  if (ref.startsWith('-')) return undefined;
  const resolved = git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]);
  return resolved.ok && /^[0-9a-f]{40,64}$/.test(resolved.stdout) ? resolved.stdout : undefined;
}

/**
 * Checks out `commit` in a temporary worktree (node_modules linked from `root`), runs that revision's
 * `ndc synth --env E`, and calls `use` with its out/<env>/. The worktree is removed afterwards, on failure too.
 */
export function withSynthesizedRevision<T>(root: string, ref: string, commit: string, env: string, use: (revision: SynthesizedRevision) => T): T {
  const where = `--against ${ref}`;
  const temporary = mkdtempSync(join(tmpdir(), 'ndc-diff-revision-'));
  const tree = join(temporary, 'tree');
  try {
    const added = git(root, ['worktree', 'add', '--detach', '--quiet', tree, commit]);
    if (!added.ok) throw new InputError(where, `cannot check out ${commit.slice(0, 12)} in a temporary worktree: ${firstLine(added.stderr)}`);
    const modules = join(root, 'node_modules');
    if (existsSync(modules) && !existsSync(join(tree, 'node_modules'))) symlinkSync(modules, join(tree, 'node_modules'), 'dir');
    const entry = join(tree, 'bin', 'ndc.js');
    if (!existsSync(entry)) throw new InputError(where, `revision ${commit.slice(0, 12)} has no bin/ndc.js, so it cannot synthesize ${env}`);
    const environment: NodeJS.ProcessEnv = { CHECKPOINT_DISABLE: '1', NDC_ROOT: tree };
    for (const name of PASSED_VARIABLES) if (process.env[name] !== undefined) environment[name] = process.env[name];
    const synth = spawnSync(process.execPath, [entry, 'synth', '--env', env], { cwd: tree, env: environment, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
    const outDir = join(tree, 'out', env);
    if (synth.status !== 0 || !existsSync(join(outDir, 'manifest.json'))) {
      const why = firstLine(synth.stderr ?? '') || firstLine(synth.stdout ?? '') || (synth.error?.message ?? `exit ${synth.status ?? synth.signal}`);
      throw new InputError(where, `revision ${commit.slice(0, 12)} cannot synthesize ${env}: ${why}`);
    }
    return use({ commit, outDir });
  } finally {
    const removed = git(root, ['worktree', 'remove', '--force', tree]).ok;
    rmSync(temporary, { recursive: true, force: true });
    // Only when git could not remove it itself: prune then drops the entry of the directory just deleted.
    if (!removed) git(root, ['worktree', 'prune']);
  }
}

function firstLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
}
