/**
 * Entry point for cdktf-cli users (`cdktf synth` / `cdktf deploy` with cdktf.json): builds the same
 * stacks as `ndc synth` for $NDC_ENV (default prod) and lets cdktf write them to cdktf.out/.
 * ndc itself does not need cdktf-cli.
 */
import { buildCloud } from '../../constructs';
import { loadEnvironment } from '../../environments/load';
import { buildTerraformApp } from './app';

const root = process.env.NDC_ROOT || process.cwd();
const { env } = loadEnvironment(root, process.env.NDC_ENV || 'prod');
const { app } = buildTerraformApp(buildCloud(env), env);
app.synth();
