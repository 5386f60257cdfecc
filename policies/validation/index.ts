import { LABEL } from '../../stacks/kubernetes/labels';
import { isPrerequisitesStack, PREREQUISITES } from '../../stacks/kubernetes/prerequisites';
import type { Manifest } from '../../stacks/manifest';
import type { ArtifactSet } from '../rule';
import { sortFindings, type ValidationFinding } from './findings';
import { validateCloudFormation, type CloudFormationArtifact } from './cloudformation';
import { validateKubernetes, type KubernetesArtifact } from './kubernetes';
import { validateAddresses, validatePolicySelectors, validatePrerequisites, validateStorageLocations, type ClusterArtifacts, type SystemPods } from './semantics';
import { validateTerraform, type TerraformArtifact } from './terraform';
import { validationKey, type ValidationStore } from './stored';
import { takeValidationAhead } from './ahead';

export { findingLine, type ValidationFinding } from './findings';

/**
 * Every artifact of an environment validated offline as the engines would at plan and apply: Terraform
 * against the pinned provider schemas, Kubernetes objects against the OpenAPI schema and the vendored
 * CRDs, CloudFormation against the resource specification, plus the apply-time semantic checks.
 */
export interface ValidationInput {
  readonly artifacts: ArtifactSet;
  readonly manifest: { readonly artifacts: readonly Pick<Manifest['artifacts'][number], 'path' | 'engine' | 'stack' | 'sha256'>[] };
  /** The model's systems with their tiers (the pods a NetworkPolicy may select). */
  readonly systems: readonly SystemPods[];
}

const cache = new WeakMap<ArtifactSet, ValidationFinding[]>();

let store: ValidationStore | undefined;

/**
 * Validations of artifacts verified against `manifest` are kept in, and taken from, `next` (ndc start
 * installs one; deploy, approve and the gate never do); returns the previous store.
 */
export function useValidationStore(next: ValidationStore | undefined): ValidationStore | undefined {
  const previous = store;
  store = next;
  return previous;
}

function pathOf(manifest: ValidationInput['manifest'], engine: string, stack: string): string {
  return manifest.artifacts.find((a) => a.engine === engine && a.stack === stack)?.path ?? `${engine}/${stack}`;
}

/** Kubernetes artifacts by the cluster they are applied to: `<env>-<cluster>` and its `<env>-<cluster>-prerequisites`. */
function byCluster(stacks: readonly { stack: string; artifact: KubernetesArtifact }[]): ClusterArtifacts[] {
  const out = new Map<string, KubernetesArtifact[]>();
  for (const { stack, artifact } of stacks) {
    const cluster = isPrerequisitesStack(stack) ? stack.slice(0, -`-${PREREQUISITES}`.length) : stack;
    out.set(cluster, [...(out.get(cluster) ?? []), artifact]);
  }
  return [...out].map(([cluster, list]) => ({ cluster, artifacts: list }));
}

export function validateArtifacts(input: ValidationInput): ValidationFinding[] {
  const cached = cache.get(input.artifacts);
  if (cached) return cached;
  const key = store !== undefined ? validationKey(input) : undefined;
  const stored = key !== undefined ? store?.read(key) : undefined;
  if (stored !== undefined) {
    cache.set(input.artifacts, stored);
    return stored;
  }
  // Started on the helper thread when synthesis had the artifacts (./ahead.ts), if it was for these very bytes.
  const early = takeValidationAhead(input.manifest.artifacts, input.systems);
  if (early !== undefined) {
    const findings = [...early];
    cache.set(input.artifacts, findings);
    if (key !== undefined) store?.write(key, findings);
    return findings;
  }
  const { artifacts, manifest } = input;
  const terraform: TerraformArtifact[] = [...artifacts.terraform].map(([stack, config]) => ({ stack, config, artifact: pathOf(manifest, 'terraform', stack) }));
  const kubernetes: KubernetesArtifact[] = [...artifacts.kubernetes].map(([stack, objects]) => ({ objects, artifact: pathOf(manifest, 'kubernetes', stack) }));
  const clusters = byCluster([...artifacts.kubernetes].map(([stack, objects]) => ({ stack, artifact: { objects, artifact: pathOf(manifest, 'kubernetes', stack) } })));
  const cloudformation: CloudFormationArtifact[] = [...artifacts.cloudformation]
    .map(([stack, template]) => ({ template, artifact: pathOf(manifest, 'cloudformation', stack) }))
    .filter((a) => a.artifact.endsWith('.template.json'));
  const findings = sortFindings([
    ...validateTerraform(terraform),
    ...validateKubernetes(kubernetes),
    ...(cloudformation.length > 0 ? validateCloudFormation(cloudformation) : []),
    ...validateAddresses(terraform),
    ...validateStorageLocations(clusters),
    ...validatePolicySelectors(clusters, input.systems, { system: LABEL.system, tier: LABEL.tier }),
    ...validatePrerequisites(clusters),
  ]);
  cache.set(input.artifacts, findings);
  if (key !== undefined) store?.write(key, findings);
  return findings;
}
