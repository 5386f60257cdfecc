import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { synthesizePublicEdge } from './app';
import type { EdgePlan } from './plan';

/**
 * Renders the public edge on a worker thread (see ./ahead.ts). It is given the validated plan, plain data,
 * so it loads aws-cdk-lib, the cdk-nag rules the edge's resources need and the edge stacks, and not the
 * model, the environment schema or zod. Posts `{ artifacts }` or `{ error }` on the given port, then
 * stores 1 in `done` and wakes the waiting thread, also when rendering threw.
 */
if (parentPort !== null) {
  const { plan, port, done } = workerData as { plan: EdgePlan; port: MessagePort; done: Int32Array };
  // aws-cdk-lib and cdk-nag capture stack traces per construct; source-mapped traces only slow them down here.
  process.setSourceMapsEnabled(false);
  try {
    port.postMessage({ artifacts: synthesizePublicEdge(plan) });
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  } finally {
    Atomics.store(done, 0, 1);
    Atomics.notify(done, 0);
  }
}
