import { startEvaluationAhead } from '../environments/ahead';

/**
 * The first thing the command line does (cli/main.ts imports this before anything else): for `ndc start`,
 * `synth` and `check`, whose first work is evaluating the environment file in a child process, that
 * evaluation starts on the helper thread now, while the rest of the command line loads. It is the same
 * evaluation the command would start later (environments/ahead.ts: same file, same mode), so the command
 * takes it instead; when the command line turns out to ask for something else (a bad option, a typo),
 * the command never takes it and it is dropped with the process. The process still ends only once the
 * child has (Node joins the helper thread, which waits for it): a tenth of a second for a file that
 * evaluates, up to the evaluation limit (environments/isolated.ts) for one that never finishes, which
 * every command naming that file waits for anyway; the child is never left running.
 */

/** The environment `ndc start` synthesizes and checks when neither --env nor NDC_ENV names one. */
export const DEFAULT_ENV = 'prod';

/** The commands whose environment is evaluated ahead (cli/main.ts environmentSettled with `meanwhile`). */
const EVALUATING_AHEAD = new Set(['start', 'synth', 'check']);

/**
 * The environment the command line `argv` (after `ndc`) will evaluate first, and how, read as commander
 * will read it (the last --env wins; `ndc start` defaults to NDC_ENV, then prod), or undefined when it is
 * not one of those commands, asks for help, or names no environment.
 */
export function environmentAhead(argv: readonly string[], environment: NodeJS.ProcessEnv): { name: string; mode: 'fresh' | 'kept' } | undefined {
  const [command, ...rest] = argv;
  if (command === undefined || !EVALUATING_AHEAD.has(command)) return undefined;
  const end = rest.indexOf('--');
  const options = end === -1 ? rest : rest.slice(0, end);
  if (options.includes('--help') || options.includes('-h')) return undefined;
  let name: string | undefined;
  options.forEach((arg, i) => {
    if (arg === '--env') name = options[i + 1];
    else if (arg.startsWith('--env=')) name = arg.slice('--env='.length);
  });
  name ??= environment.NDC_ENV || (command === 'start' ? DEFAULT_ENV : undefined);
  if (name === undefined || name === '') return undefined;
  // The reporting commands take a kept evaluation unless --no-cache (cli/main.ts runCommand).
  return { name, mode: options.includes('--no-cache') ? 'fresh' : 'kept' };
}

// Only as the command (bin/ndc.js), never when a test or a library imports the command line.
if (process.env.NDC_CLI_ENTRY === '1') {
  const ahead = environmentAhead(process.argv.slice(2), process.env);
  if (ahead !== undefined) startEvaluationAhead(process.env.NDC_ROOT || process.cwd(), ahead.name, ahead.mode);
}
