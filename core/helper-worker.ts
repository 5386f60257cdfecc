import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { HelperAnswer, HelperCodeCache, HelperJob } from './helper-thread';

/**
 * The helper thread (see ./helper-thread.ts): runs the tasks posted to it one at a time, the most urgent
 * first, answering each on its own port and then waking a thread that blocks for it.
 */
if (parentPort !== null) {
  const port = parentPort;
  const { started, codeCache } = workerData as { started: Int32Array; codeCache?: HelperCodeCache };
  // The build's seed of the helper's bytecode (bin/code-cache.js), or the build recording it. Requires made
  // by dist/ and the packages are answered from the seed's resolutions too, as on the main thread: the
  // edge's aws-cdk-lib alone makes hundreds, each a search of node_modules otherwise.
  const cache =
    codeCache === undefined
      ? undefined
      : // eslint-disable-next-line @typescript-eslint/no-require-imports
        (require(codeCache.module) as { install(file: string | undefined, within: readonly string[], options: object): { flush(): void } }).install(codeCache.record, codeCache.within ?? [], {
          seed: codeCache.seed,
          save: 'manual',
          packages: codeCache.packages,
        });
  Atomics.store(started, 0, 1);
  Atomics.notify(started, 0);
  // aws-cdk-lib and cdktf capture stack traces per construct; source-mapped traces only slow them down here.
  process.setSourceMapsEnabled(false);
  const queue: HelperJob[] = [];
  let scheduled = false;
  const run = (job: HelperJob) => {
    let answer: HelperAnswer;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const exported = (require(job.module) as Record<string, unknown>)[job.fn];
      if (typeof exported !== 'function') throw new Error(`internal: ${job.module} exports no function ${job.fn}`);
      answer = { value: (exported as (...args: unknown[]) => unknown)(...job.args) };
    } catch (error) {
      answer = { error: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    // Recording the seed (otherwise a no-op): the bytecode so far, before answering, since the process may end with any answer.
    cache?.flush();
    try {
      job.port.postMessage(answer);
    } catch (error) {
      // An answer that cannot be copied is a failure of the task, not of the helper.
      job.port.postMessage({ error: `internal: the answer of ${job.fn} cannot be sent back: ${error instanceof Error ? error.message : String(error)}` } satisfies HelperAnswer);
    }
    job.port.close();
    Atomics.store(job.done, 0, 1);
    Atomics.notify(job.done, 0);
  };
  const drain = () => {
    scheduled = false;
    for (;;) {
      // Everything posted meanwhile joins the queue first, so a more urgent task overtakes the rest.
      for (let next = receiveMessageOnPort(port); next !== undefined; next = receiveMessageOnPort(port)) queue.push(next.message as HelperJob);
      if (queue.length === 0) return;
      queue.sort((a, b) => b.priority - a.priority || a.seq - b.seq);
      run(queue.shift()!);
    }
  };
  port.on('message', (job: HelperJob) => {
    queue.push(job);
    if (!scheduled) {
      scheduled = true;
      setImmediate(drain);
    }
  });
}
