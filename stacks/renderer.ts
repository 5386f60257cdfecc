import type { NationalCloud } from '../constructs';
import type { Environment } from '../environments/schema';
import type { Artifact } from './manifest';

/** What each engine's renderer provides; synth.ts loads them, each renderer implements it. */
export interface Renderer {
  readonly engine: Artifact['engine'];
  /** Whether the environment uses this engine at all. */
  applies(cloud: NationalCloud, env: Environment): boolean;
  render(cloud: NationalCloud, env: Environment): Artifact[];
  /**
   * Optional: starts the same render on another thread and returns a function that waits for its
   * artifacts (byte-identical to `render`'s). Synthesis uses it for a render it would otherwise do last.
   */
  renderAhead?(cloud: NationalCloud, env: Environment, source: string): () => Artifact[];
}
