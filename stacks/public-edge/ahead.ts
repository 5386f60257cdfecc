import { join } from 'node:path';
import { onHelperThread } from '../../core/helper-thread';
import type { EdgeArtifact } from './app';
import type { EdgePlan } from './plan';

/**
 * Starts rendering the public edge on the helper thread (core/helper-thread.ts) and returns a function
 * that waits for it. Loading aws-cdk-lib and synthesizing the two edge stacks with their cdk-nag checks is
 * the longest single render of a cold synthesis after Terraform's; on a second core it overlaps with it.
 * The helper is given the validated plan (plain data), so it loads aws-cdk-lib, the cdk-nag rules the
 * edge's resources need and the edge stacks, and not the model, the schema or zod. It runs this before
 * any diagram layout queued earlier (priority), since synthesis blocks on it. The wait is synchronous, so
 * synthesis stays a synchronous function for its callers.
 */
export function renderEdgeAhead(plan: EdgePlan): () => EdgeArtifact[] {
  const task = onHelperThread<EdgeArtifact[]>(join(__dirname, 'app'), 'synthesizePublicEdge', [plan], EDGE_PRIORITY);
  return () => {
    try {
      return task.wait();
    } catch (error) {
      throw new Error(`public edge synthesis failed on the helper thread: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  };
}

/**
 * Loads the edge's libraries and stacks (aws-cdk-lib, cdk-nag's pack, ./app.ts) on the helper thread, so
 * that a render asked for later (renderEdgeAhead) starts at once. A command that evaluates its environment
 * afresh asks for it while that evaluation runs, before it knows whether the environment has an edge: in
 * an environment without one, it costs the helper thread a tenth of a second it would spend idle.
 */
export function loadEdgeAhead(): void {
  onHelperThread<boolean>(join(__dirname, 'app'), 'loaded', [], EDGE_PRIORITY);
}

/** Above the diagrams' (0): synthesis blocks on the edge, the report only later on the diagrams. */
const EDGE_PRIORITY = 1;
