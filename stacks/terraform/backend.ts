import { LocalBackend, PgBackend, type PgBackendConfig, type TerraformStack } from 'cdktf';
import type { Environment } from '../../environments/schema';

/**
 * State per stack: PostgreSQL (`pg`, with locking) for shared environments, a local file for dev.
 * The pg backend is written without `conn_str`: OpenTofu/Terraform read it from PG_CONN_STR when they
 * run, so no connection secret is ever in an artifact.
 */
export function configureBackend(stack: TerraformStack, env: Environment, stackName: string): void {
  if (env.state.backend === 'pg') {
    const schemaName = `${env.state.schemaName}_${stackName.replace(/-/g, '_')}`;
    new PgBackend(stack, { schemaName } as PgBackendConfig);
    return;
  }
  // Relative to the stack's working directory out/<env>/terraform/<stack>/; kept outside out/ so a new
  // synth never removes state.
  new LocalBackend(stack, { path: `../../../../.ndc/state/${env.name}/${stackName}.tfstate` });
}
