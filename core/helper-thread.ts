import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

/**
 * One helper thread per process, for the work a command can do beside its main thread: laying out the
 * report's diagrams and rendering the public edge (aws-cdk-lib) while the main thread renders Terraform
 * and runs the checks. One thread, not one per kind of work: on a machine of two cores a third busy
 * thread only takes time from the main thread, which is the one the user waits for.
 *
 * A task names a function exported by a module (a path without extension: the helper requires the
 * compiled .js, or the .ts source through tsx when the caller runs from sources) and its arguments, which
 * are copied (structured clone). The helper runs one task at a time, the most urgent first (`priority`,
 * then the order given); a task's answer comes back on a port of its own, so the caller can block for it
 * (`wait`, for synchronous callers) or await it (`answer`).
 */
export interface HelperTask<T> {
  /** Blocks this thread until the helper has answered; throws what the task threw. */
  wait(): T;
  /**
   * The answer, once the helper has given it; rejects with what the task threw, or when the helper thread
   * stopped. Until it is called, the task does not keep the process alive (a command that fails before it
   * needs the answer exits without waiting).
   */
  answer(): Promise<T>;
}

/** What a task posts to the helper (./helper-worker.ts). */
export interface HelperJob {
  readonly module: string;
  readonly fn: string;
  readonly args: readonly unknown[];
  readonly priority: number;
  readonly seq: number;
  readonly port: MessagePort;
  /** The helper stores 1 here after posting the answer, and wakes a thread blocked in `wait`. */
  readonly done: Int32Array;
}

export type HelperAnswer = { readonly value: unknown; readonly error?: undefined } | { readonly error: string; readonly value?: undefined };

let helper: Worker | undefined;
/** [0]: the helper stores 1 here once it runs (./helper-worker.ts), so a blocked caller can tell a helper that never started. */
let started = new Int32Array(new SharedArrayBuffer(4));
let seq = 0;
/** Answers outstanding, to reject if the helper stops. */
const pending = new Set<(error: Error) => void>();

/**
 * Whether this is the compiled command (dist/). Callers start work on the helper thread ahead only then:
 * from the TypeScript sources (tests, a stale build) the helper would first transpile everything it runs,
 * which costs more than the overlap saves.
 */
export const RUNNING_COMPILED = __filename.endsWith('.js');

function helperThread(): Worker {
  if (helper !== undefined) return helper;
  const entry = join(__dirname, RUNNING_COMPILED ? 'helper-worker.js' : 'helper-worker.ts');
  if (!existsSync(entry)) throw new Error(`internal: the helper thread's entry ${entry} is missing`);
  started = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(entry, {
    workerData: { started, codeCache: helperCodeCache() },
    // Running from the TypeScript sources (tests, a stale build): the helper loads them the same way.
    execArgv: RUNNING_COMPILED ? [] : ['--require', require.resolve('tsx/cjs')],
    stdout: false,
    stderr: false,
  });
  // Never keeps the process alive by itself: an awaited answer does (see `answer`).
  worker.unref();
  const stopped = (why: string) => {
    if (helper === worker) helper = undefined;
    for (const reject of pending) reject(new Error(`the helper thread stopped: ${why}`));
    pending.clear();
  };
  worker.on('error', (error) => stopped(error.message));
  worker.on('exit', (code) => stopped(`exit ${code}`));
  helper = worker;
  return worker;
}

/**
 * How the helper compiles its modules (bin/code-cache.js): set by bin/ndc.js for the commands its code
 * cache serves (the build's seed for the helper, or where the build records it); none otherwise, and the
 * helper compiles from dist/ as Node does.
 */
export interface HelperCodeCache {
  /** bin/code-cache.js. */
  readonly module: string;
  readonly seed?: { readonly file: string; readonly sha256: string };
  /** The build recording the seed: the file to write after each task. */
  readonly record?: string;
  /**
   * Folders (with a trailing slash) whose requires may be answered from the seed's remembered
   * resolutions (dist/ and node_modules, as on the main thread), and the record of the packages installed
   * now (bin/code-cache.js packagesRecord): the seed's resolutions serve only the install they were made in.
   */
  readonly within?: readonly string[];
  readonly packages?: string;
}

function helperCodeCache(): HelperCodeCache | undefined {
  const given = (globalThis as Record<symbol, unknown>)[Symbol.for('ndc.helperCodeCache')] as HelperCodeCache | undefined;
  return given !== undefined && typeof given.module === 'string' ? given : undefined;
}

/** Far beyond any task (a second or two); only a wedged helper reaches it. */
const WAIT_LIMIT_MS = 10 * 60 * 1000;
/** Far beyond a thread's start (tens of milliseconds, a few seconds on a loaded machine). */
const START_LIMIT_MS = 60 * 1000;

/** Runs `module`'s export `fn` on the helper thread with `args`. */
export function onHelperThread<T>(module: string, fn: string, args: readonly unknown[], priority = 0): HelperTask<T> {
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const job: HelperJob = { module, fn, args, priority, seq: seq++, port: port2, done };
  helperThread().postMessage(job, [port2]);
  const running = started;
  let settled: { answer: HelperAnswer } | undefined;
  const take = (answer: HelperAnswer | undefined): T => {
    settled ??= { answer: answer ?? { error: 'the helper thread stopped without an answer' } };
    port1.close();
    if (settled.answer.error !== undefined) throw new Error(settled.answer.error);
    return settled.answer.value as T;
  };
  return {
    wait: () => {
      if (settled) return take(undefined);
      // A helper that could not start (its thread failed to come up) answers nothing: say so, soon.
      if (Atomics.wait(running, 0, 0, START_LIMIT_MS) === 'timed-out') {
        port1.close();
        throw new Error(`internal: the helper thread did not start in ${START_LIMIT_MS / 1000} s`);
      }
      if (Atomics.wait(done, 0, 0, WAIT_LIMIT_MS) === 'timed-out') {
        port1.close();
        throw new Error(`internal: the helper thread gave no answer to ${fn} in ${WAIT_LIMIT_MS / 1000} s`);
      }
      return take(receiveMessageOnPort(port1)?.message as HelperAnswer | undefined);
    },
    answer: () =>
      new Promise<T>((resolve, reject) => {
        const deliver = (answer: HelperAnswer | undefined) => {
          pending.delete(fail);
          try {
            resolve(take(answer));
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        };
        const fail = (error: Error) => {
          port1.close();
          reject(error);
        };
        if (settled) return deliver(undefined);
        const ready = receiveMessageOnPort(port1);
        if (ready !== undefined) return deliver(ready.message as HelperAnswer);
        if (helper === undefined) return fail(new Error('the helper thread stopped'));
        pending.add(fail);
        // Listening keeps the process alive until the answer comes (or the helper stops).
        port1.once('message', (answer: HelperAnswer) => deliver(answer));
      }),
  };
}
