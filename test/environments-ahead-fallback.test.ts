/**
 * An environment file handed to the helper thread (environments/load.ts evaluateAhead) whose helper
 * fails (its thread did not start, or the task broke there) is evaluated where it is needed instead:
 * loading an environment never depends on the helper thread working.
 */
import { rmSync } from 'node:fs';
import { evaluateAhead, isolateEnvironments, loadEnvironment } from '../environments/load';
import { tempProject } from './helpers';

const calls: string[] = [];
jest.mock('../core/helper-thread', () => ({
  onHelperThread: (_module: string, fn: string) => {
    calls.push(fn);
    const failure = new Error('internal: the helper thread did not start in 60 s');
    return {
      wait: () => {
        throw failure;
      },
      answer: () => Promise.reject(failure),
    };
  },
}));

jest.setTimeout(120_000);

test('a failed helper thread: the file is evaluated here, to the same environment', () => {
  const root = tempProject('ndc-env-ahead-fallback-');
  const previous = isolateEnvironments('fresh');
  try {
    const here = loadEnvironment(root, 'dev').env;
    expect(evaluateAhead(root, 'dev', true)).toBe(true);
    expect(calls).toEqual(['evaluateIsolatedAnswer']);
    expect(loadEnvironment(root, 'dev').env).toEqual(here);
  } finally {
    isolateEnvironments(previous);
    rmSync(root, { recursive: true, force: true });
  }
});
