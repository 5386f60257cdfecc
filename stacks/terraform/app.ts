// Before cdktf: its archiver dependency is loaded only if an asset is zipped (./defer-archiver.ts).
import './defer-archiver';
import type { Construct } from 'constructs';
import { App, type TerraformStack } from 'cdktf';
import { invokeAspects } from 'cdktf/lib/synthesize/synthesizer';
import { TokenMap } from 'cdktf/lib/tokens/private/token-map';
import { stableJson } from '../../core/canonical-json';
import type { NationalCloud } from '../../constructs';
import type { Environment } from '../../environments/schema';
import { backupVaultsStack } from './backup-vaults-stack';
import { clusterStack } from './cluster-stack';
import { nationalCoreStack } from './national-core-stack';
import { resolvingPlainValuesDirectly } from './plain-resolve';
import { markScopes } from './scope';

export interface TerraformArtifact {
  readonly stack: string;
  /** Path relative to out/<env>/. */
  readonly path: string;
  readonly content: string;
}

type StackBuilder = (app: Construct) => TerraformStack;

/** The stacks of an environment, in deploy order: national-core, one per cluster, backup-vaults. */
function stackBuilders(cloud: NationalCloud, env: Environment): StackBuilder[] {
  return [
    (app) => nationalCoreStack(app, cloud, env),
    ...cloud.clusters.map((cluster): StackBuilder => (app) => clusterStack(app, cloud, env, cluster)),
    (app) => backupVaultsStack(app, cloud, env),
  ];
}

// No stack traces in metadata: they would put absolute paths into the artifacts.
const newApp = () => new App({ stackTraces: false, skipValidation: false });

/** The whole cdktf app of an environment (for cdktf-cli users: stacks/terraform/main.ts). */
export function buildTerraformApp(cloud: NationalCloud, env: Environment): { app: App; stacks: TerraformStack[] } {
  const app = newApp();
  return { app, stacks: stackBuilders(cloud, env).map((build) => build(app)) };
}

/**
 * Synthesizes the Terraform JSON of every stack in memory (as cdktf's own synthesizer does: aspects,
 * validations, then toTerraform) so ndc controls where and how atomically the files are written.
 * The stacks share values only through explicit outputs and remote state, never cdktf cross-stack
 * references, so each is built in an app of its own and released once serialized: memory holds one
 * stack's constructs at a time, and App.synth()'s preparing resolve pass is not needed.
 */
export function synthesizeTerraform(cloud: NationalCloud, env: Environment): TerraformArtifact[] {
  return withoutTokenTraces(() => resolvingPlainValuesDirectly(() => stackBuilders(cloud, env).map((build) => releasingTokens(() => synthesizeStack(build)))));
}

function synthesizeStack(build: StackBuilder): TerraformArtifact {
  const stack = build(newApp());
  invokeAspects(stack);
  stack.runAllValidations();
  const json = stack.toTerraform() as Record<string, unknown>;
  markScopes(stack, json);
  return { stack: stack.node.id, path: `terraform/${stack.node.id}/cdk.tf.json`, content: stableJson(json) };
}

/**
 * cdktf records where each of its tokens was made (Intrinsic.creationStack): a stack capture with no
 * frame limit, formatted and split into lines, for every reference and attribute, though it reads them
 * only to word the error about a token misused as a plain value. Formatting is most of that cost (a
 * sixth of a cold prod synthesis). While `work` runs, the stack of anything that is not an Error (cdktf
 * captures into a plain object) is left empty, which cdktf reads as no trace; an Error's stack is
 * formatted as before. NDC_DEBUG=1 keeps every trace.
 */
export function withoutTokenTraces<T>(work: () => T): T {
  if (process.env.NDC_DEBUG) return work();
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (error: unknown, frames: NodeJS.CallSite[]) => {
    if (!(error instanceof Error)) return '';
    return previous ? previous(error, frames) : `${String(error)}${frames.map((frame) => `\n    at ${String(frame)}`).join('')}`;
  };
  try {
    return work();
  } finally {
    Error.prepareStackTrace = previous;
  }
}

/**
 * cdktf registers every token it creates in a process-wide map that is never emptied, which keeps every
 * synthesized stack's constructs alive (about 1 GB at 250,000 resources). Once a stack is serialized its
 * tokens are never resolved again, so the entries it added are dropped; entries from before (tokens
 * made when modules load) stay.
 */
function releasingTokens<T>(work: () => T): T {
  const map = TokenMap.instance() as unknown as { stringTokenMap: Map<string, unknown>; numberTokenMap: Map<number, unknown> };
  const before = { strings: map.stringTokenMap.size, numbers: map.numberTokenMap.size };
  try {
    return work();
  } finally {
    dropAfter(map.stringTokenMap, before.strings);
    dropAfter(map.numberTokenMap, before.numbers);
  }
}

/** Deletes the entries a Map got after its first `keep` (Maps iterate in insertion order). */
function dropAfter<K>(map: Map<K, unknown>, keep: number): void {
  let index = 0;
  for (const key of [...map.keys()]) if (index++ >= keep) map.delete(key);
}
