/**
 * What loadEnvironment takes from an environment file handed to the helper thread (environments/load.ts
 * evaluateAhead), with the helper thread replaced by one that answers what each test says: the helper's
 * answer when there is one, and an evaluation in place when the helper fails (its thread did not start,
 * or the task broke there): loading an environment never depends on the helper thread working.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateIsolated, type IsolatedAnswer } from '../environments/isolated';
import { startEvaluationAhead, takeEvaluationAhead } from '../environments/ahead';
import { evaluateAhead, isolateEnvironments, loadEnvironment } from '../environments/load';
import { environmentAhead } from '../cli/early';
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

test('an evaluation started before the command line loaded (cli/early.ts) is the one the command takes: one task, not two', () => {
  const raw = evaluateIsolated(root, join(root, 'environments', 'dev.ts'), 'environments/dev.ts') as { systems: { name: string }[] };
  raw.systems[0].name = 'Started early';
  next = () => ({ json: JSON.stringify(raw), printed: '' });
  // What cli/early.ts starts for `ndc synth --env dev` (mode kept: the reporting commands' isolation).
  const early = environmentAhead(['synth', '--env', 'dev'], {});
  expect(early).toEqual({ name: 'dev', mode: 'kept' });
  expect(startEvaluationAhead(root, early!.name, early!.mode, true)).toBe(true);
  isolateEnvironments('kept');
  expect(evaluateAhead(root, 'dev', true)).toBe(true);
  expect(loadEnvironment(root, 'dev').env.systems[0].name).toBe('Started early');
  expect(calls).toEqual(['evaluateIsolatedAnswer']);
  expect(waits).toBe(1);
});

test('an evaluation started early under another mode is not taken: --no-cache evaluates afresh', () => {
  next = () => ({ json: JSON.stringify({ not: 'this one' }), printed: '' });
  expect(startEvaluationAhead(root, 'dev', 'kept', true)).toBe(true);
  isolateEnvironments('fresh');
  next = () => {
    throw new Error('internal: the helper thread did not start in 60 s');
  };
  // The fresh evaluation (here in place, the stand-in helper failing) is the file's own value.
  expect(loadEnvironment(root, 'dev').env.name).toBe('dev');
  expect(takeEvaluationAhead('kept', join(root, 'environments', 'dev.ts'))).toBeDefined();
});

describe('the environment cli/early.ts evaluates ahead, read from the command line as commander reads it', () => {
  test.each([
    [['start'], {}, { name: 'prod', mode: 'kept' }],
    [['start'], { NDC_ENV: 'staging' }, { name: 'staging', mode: 'kept' }],
    [['start', '--env', 'dev', '--no-cache'], {}, { name: 'dev', mode: 'fresh' }],
    [['synth', '--env=staging'], {}, { name: 'staging', mode: 'kept' }],
    [['check', '--env', 'dev', '--format', 'sarif', '--env', 'prod'], {}, { name: 'prod', mode: 'kept' }],
    [['check', '--format', 'json'], { NDC_ENV: 'dev' }, { name: 'dev', mode: 'kept' }],
  ])('%j with %j', (argv, environment, expected) => {
    expect(environmentAhead(argv, environment)).toEqual(expected);
  });

  test.each([[['synth']], [['check', '--format', 'json']], [['deploy', '--env', 'prod']], [['approve', '--env', 'prod']], [['start', '--help']], [['synth', '--env', 'prod', '-h']], [[]]])('nothing for %j', (argv) => {
    expect(environmentAhead(argv, {})).toBeUndefined();
  });
});
