import type { Renderer } from '../renderer';
import type * as PublicEdgeApp from './app';
import { renderEdgeAhead } from './ahead';
import { edgePlanOf, edgeSystems } from './config';

/**
 * CloudFormation (aws-cdk-lib) for environments that place open-data systems on the public edge.
 * `applies` reads only the model, and aws-cdk-lib is required inside `render`, so an environment without
 * edge systems never pays its module load (about a second).
 */
export const publicEdgeRenderer: Renderer = {
  engine: 'cloudformation',
  applies: (cloud, env) => {
    if (edgeSystems(cloud).length > 0) return true;
    // Nothing on the edge: still refuse edge settings that name systems not placed there (a forgotten
    // publicEdge: true, a typo), rather than ignore them.
    if (env.edge !== undefined) edgePlanOf(cloud, env);
    return false;
  },
  render: (cloud, env) => {
    // Validate the edge settings before loading the engine library: bad input fails fast.
    const plan = edgePlanOf(cloud, env);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { synthesizePublicEdge } = require('./app') as typeof PublicEdgeApp;
    return synthesizePublicEdge(plan).map((a) => ({ ...a, engine: 'cloudformation' }));
  },
  renderAhead: (cloud, env) => {
    // Bad edge settings fail here, on the caller's thread, exactly as `render` reports them; the helper
    // thread is given the validated plan.
    const wait = renderEdgeAhead(edgePlanOf(cloud, env));
    return () => wait().map((a) => ({ ...a, engine: 'cloudformation' }));
  },
};
