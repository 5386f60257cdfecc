import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { onHelperThread, RUNNING_COMPILED, type HelperTask } from '../core/helper-thread';
import { hasKeptEvaluation, type IsolatedAnswer } from './isolated';

/**
 * Environment files evaluated ahead, on the helper thread (core/helper-thread.ts): bundled and run in their
 * child process there while the main thread loads what the command needs next; environments/load.ts
 * takes the evaluation when it loads the file. Kept apart from load.ts (the schema, zod) so the command
 * line can start an evaluation before it loads anything else (cli/early.ts).
 */

/** How an evaluation ahead runs: `kept` may take an earlier sealed evaluation (then none is started), `fresh` never. */
export type AheadMode = 'fresh' | 'kept';

/** Evaluations started, by mode and file, until loadEnvironment takes them. */
const ahead = new Map<string, HelperTask<IsolatedAnswer>>();

/**
 * Starts evaluating environments/<name>.ts of `root` on the helper thread as `mode` would (nothing for a
 * name that is not one, a missing file, or a kept evaluation `kept` would take). Returns whether one is
 * started or was already under way. Only the compiled command does (`always`: tests): from the sources,
 * the helper would first transpile what it runs.
 */
export function startEvaluationAhead(root: string, name: string, mode: AheadMode, always = false): boolean {
  if ((!RUNNING_COMPILED && !always) || !/^[a-z][a-z0-9-]*$/.test(name)) return false;
  const file = join(root, 'environments', `${name}.ts`);
  const key = `${mode}\u0000${file}`;
  if (ahead.has(key)) return true;
  if (!existsSync(file) || (mode === 'kept' && hasKeptEvaluation(root, file))) return false;
  ahead.set(key, onHelperThread<IsolatedAnswer>(join(__dirname, 'isolated'), 'evaluateIsolatedAnswer', [root, file, relative(root, file) || file, mode === 'kept'], AHEAD_PRIORITY));
  return true;
}

/** The evaluation of `file` started ahead as `mode`, once (loadEnvironment takes it); undefined when none was. */
export function takeEvaluationAhead(mode: AheadMode, file: string): HelperTask<IsolatedAnswer> | undefined {
  const key = `${mode}\u0000${file}`;
  const task = ahead.get(key);
  ahead.delete(key);
  return task;
}

/** Above everything else the helper does: the command waits for the environment before anything else. */
const AHEAD_PRIORITY = 2;
