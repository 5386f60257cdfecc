import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { EdgeArtifact } from './app';
import type { EdgePlan } from './plan';

/**
 * Starts rendering the public edge on a worker thread and returns a function that waits for it. Loading
 * aws-cdk-lib and cdk-nag and synthesizing the two edge stacks is the longest single render of a cold
 * synthesis (about as long as every Terraform stack together); on a second core it overlaps with them.
 * The wait is synchronous (Atomics.wait, then the message taken off the port), so synthesis stays a
 * synchronous function for its callers.
 */
export function renderEdgeAhead(plan: EdgePlan): () => EdgeArtifact[] {
  const compiled = __filename.endsWith('.js');
  const entry = join(__dirname, compiled ? 'worker.js' : 'worker.ts');
  if (!existsSync(entry)) throw new Error(`internal: the public edge worker ${entry} is missing`);
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(entry, {
    workerData: { plan, port: port2, done },
    transferList: [port2],
    // Running from the TypeScript sources (tests, a stale build): the worker loads them the same way.
    execArgv: compiled ? [] : ['--require', require.resolve('tsx/cjs')],
    stdout: false,
    stderr: false,
  });
  // Never keeps the process alive: a command that fails before it needs the edge exits without waiting.
  worker.unref();
  worker.on('error', () => undefined);
  return () => {
    // The worker stores 1 after posting its result, also when rendering threw (see ./worker.ts).
    if (Atomics.wait(done, 0, 0, WAIT_LIMIT_MS) === 'timed-out') {
      port1.close();
      void worker.terminate();
      throw new Error(`internal: the public edge worker gave no result in ${WAIT_LIMIT_MS / 1000} s`);
    }
    const message = receiveMessageOnPort(port1);
    port1.close();
    void worker.terminate();
    const result = message?.message as EdgeResult | undefined;
    if (result === undefined) throw new Error('internal: the public edge worker stopped without a result');
    if (result.error !== undefined) throw new Error(`public edge synthesis failed on its worker thread: ${result.error}`);
    return result.artifacts;
  };
}

/** Far beyond any edge render (a second or two); only a wedged worker reaches it. */
const WAIT_LIMIT_MS = 10 * 60 * 1000;

type EdgeResult = { artifacts: EdgeArtifact[]; error?: undefined } | { error: string; artifacts?: undefined };
