import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { sha256 } from '../../core/canonical-json';
import { InputError } from '../../core/errors';
import { readManifestFile } from '../manifest';
import { ARTIFACT_VARIABLE } from './deployment';
import { ANNOTATION } from './labels';
import { BACKUP_CREDENTIAL_KEY, credentialsFile } from './prerequisites';
import { parseKubernetesYaml } from './artifact';
import type { ManifestObject } from './render';

/**
 * The Pulumi program of the Kubernetes layer (`pulumi up --stack <env>-<cluster>` in stacks/kubernetes).
 * It deploys exactly the objects of the synthesized artifact out/<env>/kubernetes/<cluster>.yaml, one
 * Pulumi resource per object, after checking the artifact is byte for byte the one in the manifest the
 * reviewers approved. It never renders anything itself: `ndc synth` does, without Pulumi.
 */

export const PROJECT = 'ndc-kubernetes';

type ObjectArgs = Record<string, unknown>;
type Constructor = (name: string, args: ObjectArgs, opts: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/** The kinds the renderer writes, each with its typed class (Velero's kinds through CustomResource). */
const KINDS: Readonly<Record<string, Constructor>> = {
  'v1/Namespace': (n, a, o) => new k8s.core.v1.Namespace(n, a as k8s.core.v1.NamespaceArgs, o),
  'v1/ResourceQuota': (n, a, o) => new k8s.core.v1.ResourceQuota(n, a as k8s.core.v1.ResourceQuotaArgs, o),
  'v1/LimitRange': (n, a, o) => new k8s.core.v1.LimitRange(n, a as k8s.core.v1.LimitRangeArgs, o),
  'networking.k8s.io/v1/NetworkPolicy': (n, a, o) => new k8s.networking.v1.NetworkPolicy(n, a as k8s.networking.v1.NetworkPolicyArgs, o),
  'velero.io/v1/BackupStorageLocation': (n, a, o) => new k8s.apiextensions.CustomResource(n, a as k8s.apiextensions.CustomResourceArgs, o),
  'velero.io/v1/Schedule': (n, a, o) => new k8s.apiextensions.CustomResource(n, a as k8s.apiextensions.CustomResourceArgs, o),
  // The cluster prerequisites (prerequisites.ts), applied one wave before the objects above.
  'apiextensions.k8s.io/v1/CustomResourceDefinition': (n, a, o) => new k8s.apiextensions.v1.CustomResourceDefinition(n, a as unknown as k8s.apiextensions.v1.CustomResourceDefinitionArgs, o),
  'v1/Secret': (n, a, o) => new k8s.core.v1.Secret(n, a as k8s.core.v1.SecretArgs, o),
  // The log agent (log-shipping.ts).
  'v1/ServiceAccount': (n, a, o) => new k8s.core.v1.ServiceAccount(n, a as k8s.core.v1.ServiceAccountArgs, o),
  'v1/ConfigMap': (n, a, o) => new k8s.core.v1.ConfigMap(n, a as k8s.core.v1.ConfigMapArgs, o),
  'rbac.authorization.k8s.io/v1/ClusterRole': (n, a, o) => new k8s.rbac.v1.ClusterRole(n, a as k8s.rbac.v1.ClusterRoleArgs, o),
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': (n, a, o) => new k8s.rbac.v1.ClusterRoleBinding(n, a as unknown as k8s.rbac.v1.ClusterRoleBindingArgs, o),
  'apps/v1/DaemonSet': (n, a, o) => new k8s.apps.v1.DaemonSet(n, a as unknown as k8s.apps.v1.DaemonSetArgs, o),
};

/**
 * A credential secret as applied: the artifact's object (no data) with its value taken from the
 * variables its annotation names, read from the deploy environment now and kept secret in Pulumi state.
 */
export function filledSecret(object: ManifestObject, environment: NodeJS.ProcessEnv = process.env): ObjectArgs {
  const name = resourceName(object);
  const from = object.metadata.annotations?.[ANNOTATION.credentialsFrom];
  if (!from) throw new InputError(`v1/Secret ${name}`, `has no ${ANNOTATION.credentialsFrom} annotation naming the variables it is filled from; secrets come only from the deploy environment`);
  if (object.data !== undefined || object.stringData !== undefined) throw new InputError(`v1/Secret ${name}`, 'carries data in the artifact; credentials must come only from the deploy environment');
  const [accessKeyId, secretAccessKey] = from.split(',');
  for (const variable of [accessKeyId, secretAccessKey]) {
    if (!environment[variable]) throw new InputError(variable, `is not set: secret ${name} (the backup vault's access key Velero uses) is filled from it at apply time; export it from your secret store`);
  }
  return { ...object, stringData: { [BACKUP_CREDENTIAL_KEY]: pulumi.secret(credentialsFile(environment[accessKeyId]!, environment[secretAccessKey]!)) } };
}

/** The Pulumi resource name of an object: unique per kind, stable, readable (`namespace/name`). */
export function resourceName(object: ManifestObject): string {
  return object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
}

/**
 * Registers one resource per object, in the artifact's order. A namespaced object depends on its
 * Namespace when the artifact creates it; a Velero Schedule also on its BackupStorageLocation and on the
 * namespaces it backs up, so Velero never sees a schedule whose location or namespace does not exist yet.
 */
export function registerObjects(objects: readonly ManifestObject[], opts: pulumi.CustomResourceOptions = {}): pulumi.CustomResource[] {
  const namespaces = new Map<string, pulumi.CustomResource>();
  const locations = new Map<string, pulumi.CustomResource>();
  const seen = new Set<string>();
  const out: pulumi.CustomResource[] = [];
  for (const object of objects) {
    const key = `${object.apiVersion}/${object.kind}`;
    const create = KINDS[key];
    const name = resourceName(object);
    if (!create) throw new InputError(`${key} ${name}`, `is not a kind the Kubernetes layer deploys (${Object.keys(KINDS).join(', ')})`);
    if (seen.has(`${key} ${name}`)) throw new InputError(`${key} ${name}`, 'appears twice in the artifact');
    seen.add(`${key} ${name}`);
    const dependsOn: pulumi.Resource[] = [];
    const ns = object.metadata.namespace && namespaces.get(object.metadata.namespace);
    if (ns) dependsOn.push(ns);
    if (object.kind === 'Schedule') {
      const template = ((object.spec as ObjectArgs | undefined)?.template ?? {}) as { storageLocation?: string; includedNamespaces?: string[] };
      const location = template.storageLocation && locations.get(`${object.metadata.namespace}/${template.storageLocation}`);
      if (location) dependsOn.push(location);
      for (const included of template.includedNamespaces ?? []) {
        const target = namespaces.get(included);
        if (target && !dependsOn.includes(target)) dependsOn.push(target);
      }
    }
    const args = object.kind === 'Secret' ? filledSecret(object) : { ...object };
    const resource = create(name, args, { ...opts, dependsOn });
    if (object.kind === 'Namespace') namespaces.set(object.metadata.name, resource);
    if (object.kind === 'BackupStorageLocation') locations.set(name, resource);
    out.push(resource);
  }
  return out;
}

export interface VerifiedArtifact {
  readonly path: string;
  readonly sha256: string;
  readonly objects: ManifestObject[];
}

/**
 * Reads <dir>/kubernetes/<cluster>.yaml and refuses it unless <dir>/manifest.json lists it with the same
 * sha256, where <dir> is out/<env>/ or the deploy snapshot: Pulumi applies only what synthesis produced
 * and reviewers approved.
 */
export function readVerifiedArtifact(artifactFile: string): VerifiedArtifact {
  const file = resolve(artifactFile);
  // out/<env>/ is the nearest folder above holding manifest.json (kubernetes/ or kubernetes/prerequisites/ below it).
  let envDir = dirname(dirname(file));
  for (let dir = dirname(file); dirname(dir) !== dir; dir = dirname(dir)) {
    if (existsSync(join(dir, 'manifest.json'))) {
      envDir = dir;
      break;
    }
  }
  const shown = relative(process.cwd(), file) || file;
  if (!existsSync(file)) throw new InputError(shown, `no such artifact; run ndc synth first`);
  const manifestFile = join(envDir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new InputError(shown, `has no manifest.json in ${relative(process.cwd(), envDir) || envDir}/; run ndc synth`);
  const manifest = readManifestFile(manifestFile, relative(process.cwd(), manifestFile) || manifestFile, 'run ndc synth again');
  const env = manifest.env;
  const path = relative(envDir, file).split('\\').join('/');
  const entry = manifest.artifacts.find((a) => a.path === path);
  if (!entry || entry.engine !== 'kubernetes') throw new InputError(shown, `is not a Kubernetes artifact listed in out/${env}/manifest.json; run ndc synth --env ${env} again`);
  const text = readFileSync(file, 'utf8');
  const digest = sha256(text);
  if (digest !== entry.sha256) throw new InputError(shown, `was changed after synthesis (sha256 ${digest.slice(0, 12)}, manifest ${entry.sha256.slice(0, 12)}); run ndc synth and have it approved again`);
  return { path, sha256: digest, objects: parseKubernetesYaml(text, shown) };
}

/**
 * The artifact a run applies, relative to this folder: NDC_KUBERNETES_ARTIFACT, which `ndc deploy` sets
 * (passing it as `--config` would rewrite the tracked stack file); else, for an operator running
 * `pulumi up` by hand, `ndc-kubernetes:artifact` from the stack's config file, which names the same file.
 */
export function artifactFile(environment: NodeJS.ProcessEnv = process.env): string {
  const named = environment[ARTIFACT_VARIABLE] || new pulumi.Config(PROJECT).get('artifact');
  if (!named) throw new InputError(`${ARTIFACT_VARIABLE}`, `is not set and the stack config has no ${PROJECT}:artifact; run ndc deploy, or set it to ../../out/<env>/kubernetes/<cluster>.yaml`);
  return isAbsolute(named) ? named : join(__dirname, named);
}

/** The program. The kubeconfig context comes from `kubernetes:context` in the stack's config file. */
export async function main(): Promise<{ artifact: string; sha256: string; objects: number; kinds: Record<string, number> }> {
  const artifact = readVerifiedArtifact(artifactFile());
  registerObjects(artifact.objects);
  const kinds: Record<string, number> = {};
  for (const o of artifact.objects) kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
  return { artifact: artifact.path, sha256: artifact.sha256, objects: artifact.objects.length, kinds };
}
