import { App, type TerraformStack } from 'cdktf';
import { invokeAspects } from 'cdktf/lib/synthesize/synthesizer';
import { stableJson } from '../../core/canonical-json';
import type { NationalCloud } from '../../constructs';
import type { Environment } from '../../environments/schema';
import { backupVaultsStack } from './backup-vaults-stack';
import { clusterStack } from './cluster-stack';
import { nationalCoreStack } from './national-core-stack';

export interface TerraformArtifact {
  readonly stack: string;
  /** Path relative to out/<env>/. */
  readonly path: string;
  readonly content: string;
}

/** Builds the cdktf app of an environment: national-core, one stack per cluster, backup-vaults. */
export function buildTerraformApp(cloud: NationalCloud, env: Environment): { app: App; stacks: TerraformStack[] } {
  // No stack traces in metadata: they would put absolute paths into the artifacts.
  const app = new App({ stackTraces: false, skipValidation: false });
  const core = nationalCoreStack(app, cloud, env);
  const stacks: TerraformStack[] = [core.stack];
  for (const cluster of cloud.clusters) stacks.push(clusterStack(app, cloud, env, cluster, core.backend));
  stacks.push(backupVaultsStack(app, cloud, env));
  return { app, stacks };
}

/**
 * Synthesizes the Terraform JSON of every stack in memory (as cdktf's own synthesizer does: aspects,
 * validations, then toTerraform) so ndc controls where and how atomically the files are written.
 */
export function synthesizeTerraform(cloud: NationalCloud, env: Environment): TerraformArtifact[] {
  const { stacks } = buildTerraformApp(cloud, env);
  // The stacks share values through explicit outputs and remote state, never cdktf cross-stack
  // references, so the preparing resolve pass of App.synth() (which only sets those up) is not needed.
  return stacks.map((stack) => {
    invokeAspects(stack);
    stack.runAllValidations();
    return { stack: stack.node.id, path: `terraform/${stack.node.id}/cdk.tf.json`, content: stableJson(stack.toTerraform()) };
  });
}
