import type { Construct } from 'constructs';
import {
  DataTerraformRemoteStateLocal,
  DataTerraformRemoteStatePg,
  LocalBackend,
  PgBackend,
  type DataTerraformRemoteStatePgConfig,
  type PgBackendConfig,
  type TerraformRemoteState,
  type TerraformStack,
} from 'cdktf';
import type { Environment } from '../../environments/schema';

/**
 * State per stack: PostgreSQL (`pg`, with locking) for shared environments, a local file for dev.
 * The pg backend is written without `conn_str`: OpenTofu/Terraform read it from PG_CONN_STR when they
 * run, so no connection secret is ever in an artifact.
 */
export function configureBackend(stack: TerraformStack, env: Environment, stackName: string): void {
  if (env.state.backend === 'pg') new PgBackend(stack, { schemaName: pgSchema(env, stackName) } as PgBackendConfig);
  else new LocalBackend(stack, { path: localStatePath(env, stackName) });
}

/** Reads the outputs of another stack of the same environment from its state (deployed in an earlier wave). */
export function remoteStateOf(scope: Construct, env: Environment, stackName: string): TerraformRemoteState {
  const workspace = '${terraform.workspace}';
  if (env.state.backend === 'pg') {
    return new DataTerraformRemoteStatePg(scope, stackName, { schemaName: pgSchema(env, stackName), workspace } as DataTerraformRemoteStatePgConfig);
  }
  return new DataTerraformRemoteStateLocal(scope, stackName, { path: localStatePath(env, stackName), workspace });
}

function pgSchema(env: Environment, stackName: string): string {
  if (env.state.backend !== 'pg') throw new Error(`internal: ${env.name} has no pg state`);
  return `${env.state.schemaName}_${stackName.replace(/-/g, '_')}`;
}

/**
 * Relative to the stack's working directory out/<env>/terraform/<stack>/, and outside out/ so a new synth
 * never removes state.
 */
function localStatePath(env: Environment, stackName: string): string {
  return `../../../../.ndc/state/${env.name}/${stackName}.tfstate`;
}
