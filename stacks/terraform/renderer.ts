import type { Renderer } from '../renderer';
import type * as TerraformApp from './app';

/** Terraform JSON (cdktf) for every environment: national-core, one stack per cluster, backup-vaults. */
export const terraformRenderer: Renderer = {
  engine: 'terraform',
  applies: () => true,
  // cdktf is required only here, so a synthesis served from the cache never loads it.
  render: (cloud, env) =>
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('./app') as typeof TerraformApp).synthesizeTerraform(cloud, env).map((a) => ({ ...a, engine: 'terraform', resources: countResources(a.content) })),
};

function countResources(content: string): number {
  const config = JSON.parse(content) as { resource?: Record<string, Record<string, unknown>> };
  return Object.values(config.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
}
