import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { buildCloud } from '../../constructs';
import type { Environment } from '../../environments/schema';
import { synthesizePublicEdge } from './app';
import { edgePlanOf } from './config';

/**
 * The public edge rendered on a worker thread (see ./ahead.ts): the same model built from the same
 * validated environment, the same synthesis, so the artifacts are byte-identical to an in-process render.
 */
interface EdgeJob {
  readonly env: Environment;
  readonly source: string;
  readonly port: MessagePort;
  readonly done: Int32Array;
}

if (parentPort !== null) {
  const { env, source, port, done } = workerData as EdgeJob;
  // cdktf and aws-cdk-lib capture stack traces per construct; source-mapped traces only slow them down here.
  process.setSourceMapsEnabled(false);
  try {
    const artifacts = synthesizePublicEdge(edgePlanOf(buildCloud(env, source), env));
    port.postMessage({ artifacts });
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  } finally {
    Atomics.store(done, 0, 1);
    Atomics.notify(done, 0);
  }
}
