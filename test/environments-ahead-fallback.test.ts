/**
 * What loadEnvironment takes from an environment file handed to the helper thread (environments/load.ts
 * evaluateAhead), with the helper thread replaced by one that answers what each test says: the helper's
 * answer when there is one, and an evaluation in place when the helper fails (its thread did not start,
 * or the task broke there): loading an environment never depends on the helper thread working.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateIsolated, type IsolatedAnswer } from '../environments/isolated';
import { evaluateAhead, isolateEnvironments, loadEnvironment } from '../environments/load';
import { tempProject } from './helpers';

const calls: string[] = [];
/** What the stand-in helper answers to the next task: an answer, or a failure. */
let next: () => IsolatedAnswer = () => {
  throw new Error('internal: the helper thread did not start in 60 s');
};
let waits = 0;
jest.mock('../core/helper-thread', () => ({
  onHelperThread: (_module: string, fn: string) => {
    calls.push(fn);
    return {
      wait: () => {
        waits++;
        return next();
      },
      answer: () => Promise.resolve().then(next),
    };
  },
}));

jest.setTimeout(120_000);

const root = tempProject('ndc-env-ahead-fallback-');
let previous: ReturnType<typeof isolateEnvironments>;
beforeEach(() => {
  previous = isolateEnvironments('fresh');
  calls.length = 0;
  waits = 0;
});
afterEach(() => isolateEnvironments(previous));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test('the helper\'s answer is what loadEnvironment takes, with what the file printed', () => {
  const raw = evaluateIsolated(root, join(root, 'environments', 'dev.ts'), 'environments/dev.ts') as { systems: { name: string }[] };
  raw.systems[0].name = 'Evaluated on the helper thread';
  next = () => ({ json: JSON.stringify(raw), printed: 'printed by the file\n' });
  const printed: string[] = [];
  const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (printed.push(String(chunk)), true));
  try {
    expect(evaluateAhead(root, 'dev', true)).toBe(true);
    expect(loadEnvironment(root, 'dev').env.systems[0].name).toBe('Evaluated on the helper thread');
  } finally {
    write.mockRestore();
  }
  expect(calls).toEqual(['evaluateIsolatedAnswer']);
  expect(waits).toBe(1);
  expect(printed.join('')).toBe('printed by the file\n');
});

test('a failed helper thread: the file is evaluated here, to the same environment', () => {
  next = () => {
    throw new Error('internal: the helper thread did not start in 60 s');
  };
  const here = loadEnvironment(root, 'dev').env;
  expect(evaluateAhead(root, 'dev', true)).toBe(true);
  expect(calls).toEqual(['evaluateIsolatedAnswer']);
  expect(loadEnvironment(root, 'dev').env).toEqual(here);
  expect(waits).toBe(1);
});
