import { LocalBackend, PgBackend, type PgBackendConfig, type TerraformBackend, type TerraformStack } from 'cdktf';
import type { Environment } from '../../environments/schema';

/**
 * State per stack: PostgreSQL (`pg`, with locking) for shared environments, a local file for dev.
 * The pg backend is written without `conn_str`: OpenTofu/Terraform read it from PG_CONN_STR when they
 * run, so no connection secret is ever in an artifact.
 */
export function configureBackend(stack: TerraformStack, env: Environment, stackName: string): TerraformBackend {
  if (env.state.backend === 'pg') {
    const schemaName = `${env.state.schemaName}_${stackName.replace(/-/g, '_')}`;
    return new PgBackend(stack, { schemaName } as PgBackendConfig);
  }
  // Relative to the stack's working directory out/<env>/terraform/<stack>/; kept outside out/ so a new
  // synth never removes state.
  return new LocalBackend(stack, { path: `../../../../.ndc/state/${env.name}/${stackName}.tfstate` });
}
