import { join } from 'node:path';
import { canonicalJson, sha256 } from '../../core/canonical-json';
import { onHelperThread, type HelperTask } from '../../core/helper-thread';
import type { Artifact } from '../../stacks/manifest';
import { artifactSetOf } from '../artifacts';
import type { ValidationFinding } from './findings';
import { validateArtifacts } from './index';
import { loadModelsAhead } from './kubernetes';
import { PINNED_PROVIDERS, providerSchema } from './provider-schema';
import type { SystemPods } from './semantics';

/**
 * The offline validation of a render started on the helper thread (core/helper-thread.ts) as soon as
 * synthesis has every artifact, so it runs while this thread scopes the resources, builds the manifest and
 * runs the other rules: on a cold `ndc start --env prod` it is the longest rule, and the helper thread is
 * otherwise idle by then. The validation (./index.ts) takes the helper's findings only for exactly the
 * input it validates: the helper returns, with its findings, the identity of what it parsed (each
 * artifact's path, engine, stack and the sha256 of its bytes, and the systems' tiers), which must equal
 * that of the manifest whose bytes the checks verified. Anything else (another render, a failed task, a
 * helper that never started) is validated in place, as without it.
 */

type Source = Pick<Artifact, 'path' | 'engine' | 'stack' | 'content'>;

/** What the helper validated (its identity, compared with the manifest's) and what it found. */
export interface AheadValidation {
  readonly inputs: string;
  readonly findings: readonly ValidationFinding[];
}

/** The identity of a validation's input: every artifact's path, engine, stack and sha256, and the systems' tiers. */
export function validationInputs(artifacts: readonly (Pick<Artifact, 'path' | 'engine' | 'stack'> & { readonly sha256: string })[], systems: readonly SystemPods[]): string {
  const listed = [...artifacts].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).map((a) => [a.path, a.engine, a.stack, a.sha256]);
  return sha256(canonicalJson({ artifacts: listed, systems: systems.map((s) => [s.id, s.tiers.map((t) => t.name)]) }));
}

let started: HelperTask<AheadValidation> | undefined;
/** How many validations this thread took from the helper (tests). */
let taken = 0;

/**
 * Starts validating `artifacts` (every artifact of a render, engine settings included) for `systems` on
 * the helper thread, unless the render is larger than AHEAD_LIMIT_CHARS; replaces one started before.
 * After the public edge, which synthesis waits for, and before the diagrams, which only the report needs.
 * Returns whether it started.
 */
export function validateAhead(artifacts: readonly Source[], systems: readonly SystemPods[]): boolean {
  // The helper gets a copy of every artifact and parses its own: at national scale (hundreds of megabytes)
  // that would double the memory a synthesis holds, for a share of a long run. Such renders are validated
  // in place.
  if (artifacts.reduce((bytes, a) => bytes + a.content.length, 0) > AHEAD_LIMIT_CHARS) return false;
  const sources = artifacts.map(({ path, engine, stack, content }) => ({ path, engine, stack, content }));
  const pods = systems.map((s) => ({ id: s.id, tiers: s.tiers.map((t) => ({ name: t.name })) }));
  started = onHelperThread<AheadValidation>(join(__dirname, 'ahead'), 'validateSources', [sources, pods], VALIDATION_PRIORITY);
  return true;
}

/** The largest render validated on the helper thread, in characters (prod: about 2 million). */
export const AHEAD_LIMIT_CHARS = 16 * 1024 * 1024;

/**
 * Loads the validators and the data they read (the pinned provider schemas, the Kubernetes object models
 * and CRDs) on the helper thread while it would otherwise wait for synthesis, so a validation started
 * later (validateAhead) starts at once.
 */
export function loadValidationAhead(): void {
  onHelperThread<boolean>(join(__dirname, 'ahead'), 'loadValidators', [], VALIDATION_PRIORITY);
}

/** On the helper thread: see loadValidationAhead. */
export function loadValidators(): boolean {
  for (const pinned of PINNED_PROVIDERS) providerSchema(pinned.name);
  loadModelsAhead();
  return true;
}

/** Above the diagrams (0), as the public edge (1), which is posted first. */
const VALIDATION_PRIORITY = 1;

/**
 * The findings of the validation started ahead when it validated exactly these artifacts (as the manifest
 * lists them, with their sha256) and systems; undefined otherwise (none started, another input, or the
 * task failed). Taken once.
 */
export function takeValidationAhead(artifacts: Parameters<typeof validationInputs>[0], systems: readonly SystemPods[]): readonly ValidationFinding[] | undefined {
  const task = started;
  started = undefined;
  if (task === undefined) return undefined;
  const inputs = validationInputs(artifacts, systems);
  let done: AheadValidation;
  try {
    done = task.wait();
  } catch {
    return undefined;
  }
  if (done.inputs !== inputs) return undefined;
  taken++;
  return done.findings;
}

/** How many validations this thread took from the helper (tests). */
export function validationsTakenAhead(): number {
  return taken;
}

/**
 * On the helper thread: parses and validates the artifacts as ./index.ts does for a manifest listing them
 * (in path order, as buildManifest lists them: a finding names the first artifact of its stack), naming
 * what it validated.
 */
export function validateSources(sources: readonly Source[], systems: readonly SystemPods[]): AheadValidation {
  const listed = sources.map(({ path, engine, stack, content }) => ({ path, engine, stack, sha256: sha256(content) }));
  const manifest = { artifacts: listed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
  return {
    inputs: validationInputs(manifest.artifacts, systems),
    findings: validateArtifacts({ artifacts: artifactSetOf(sources), manifest, systems }),
  };
}
