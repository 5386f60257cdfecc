import { join } from 'node:path';
import { onHelperThread } from '../core/helper-thread';

const TASKS = join(__dirname, 'fixtures', 'helper-tasks');

describe('the helper thread (core/helper-thread.ts)', () => {
  test('answers a task both ways: blocking (wait) and awaited (answer)', async () => {
    expect(onHelperThread<{ value: string }>(TASKS, 'after', [0, 'blocking']).wait().value).toBe('blocking');
    await expect(onHelperThread<{ value: string }>(TASKS, 'after', [0, 'awaited']).answer()).resolves.toMatchObject({ value: 'awaited' });
  });

  test('runs the most urgent queued task first, then the rest in the order given', async () => {
    // The helper is up with the tasks' module loaded; the first task then occupies it while the others queue.
    onHelperThread(TASKS, 'after', [0, 'warm-up']).wait();
    const first = onHelperThread<{ ran: string[] }>(TASKS, 'after', [400, 'first']);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    const low1 = onHelperThread<{ ran: string[] }>(TASKS, 'after', [0, 'low1']);
    const low2 = onHelperThread<{ ran: string[] }>(TASKS, 'after', [0, 'low2']);
    const urgent = onHelperThread<{ ran: string[] }>(TASKS, 'after', [0, 'urgent'], 1);
    const ran = urgent.wait().ran;
    expect(ran.slice(-2)).toEqual(['first', 'urgent']);
    await first.answer();
    const last = (await low2.answer()).ran;
    expect(last.slice(-4)).toEqual(['first', 'urgent', 'low1', 'low2']);
    await low1.answer();
  });

  test('a task that throws, or names no function, fails its caller with the reason; the helper goes on', async () => {
    expect(() => onHelperThread(TASKS, 'fail', ['no such cloud']).wait()).toThrow('no such cloud');
    await expect(onHelperThread(TASKS, 'fail', ['awaited failure']).answer()).rejects.toThrow('awaited failure');
    expect(() => onHelperThread(TASKS, 'missing', []).wait()).toThrow(/exports no function missing/);
    expect(() => onHelperThread(TASKS, 'uncopyable', []).wait()).toThrow(/cannot be sent back/);
    expect(onHelperThread<{ value: string }>(TASKS, 'after', [0, 'still there']).wait().value).toBe('still there');
  });
});
