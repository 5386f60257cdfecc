import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../../core/canonical-json';
import type { NationalCloud, RegionalCluster } from '../../constructs';
import { InputError } from '../../core/errors';
import { PLATFORM_SCOPE } from '../scopes';
import { ANNOTATION, LABEL, VELERO_NAMESPACE } from './labels';
import { baselinePolicies, networkPolicy, type ManifestObject } from './render';
import { SOURCE_ROOT } from '../../core/source-root';
import { renderLogShipping } from './log-shipping';

/**
 * What a cluster needs before its system objects can be applied: Velero's CustomResourceDefinitions
 * (a BackupStorageLocation or Schedule is rejected without them), the `velero` namespace, and the
 * credential secrets the BackupStorageLocations name. They are a separate artifact and Pulumi stack
 * (`<env>-<cluster>-prerequisites`), digested with the rest and applied in the wave before the system
 * objects. The secrets are written without values: the program fills them from the deploy environment
 * at apply time, so no key is ever in an artifact.
 */

/** The Velero release whose CRDs are vendored (vmware-tanzu/velero, config/crd/v1/bases/ at this tag). */
export const VELERO_RELEASE = 'v1.18.1';
export const VELERO_CRD_DIR = join(SOURCE_ROOT, 'stacks', 'kubernetes', 'crds', `velero-${VELERO_RELEASE}`);

export const PREREQUISITES = 'prerequisites';

/** The prerequisites artifact of a cluster, relative to out/<env>/. */
export const prerequisitesArtifactPath = (clusterId: string): string => `kubernetes/${PREREQUISITES}/${clusterId}.yaml`;

/** The Pulumi stack (and manifest stack) of a cluster's prerequisites. */
export const prerequisitesStackName = (envName: string, clusterId: string): string => `${envName}-${clusterId}-${PREREQUISITES}`;

export const isPrerequisitesStack = (stack: string): boolean => stack.endsWith(`-${PREREQUISITES}`);

/** The variables a credential secret is filled from: the access key of one cluster's backup vault. */
export function backupCredentialVariables(vaultClusterId: string): { accessKeyId: string; secretAccessKey: string } {
  const id = vaultClusterId.toUpperCase().replace(/[^A-Z0-9]/g, '_');
  return { accessKeyId: `NDC_BACKUP_${id}_ACCESS_KEY_ID`, secretAccessKey: `NDC_BACKUP_${id}_SECRET_ACCESS_KEY` };
}

/** The secret a BackupStorageLocation on a cluster's vault names (`spec.credential.name`). */
export const backupCredentialSecret = (vaultClusterId: string): string => `ndc-backup-${vaultClusterId}`;

/** Key in the secret holding the AWS-style credentials file Velero's object-store plugin reads. */
export const BACKUP_CREDENTIAL_KEY = 'cloud';

/** The vendored CRD files parsed once, in file order (scripts/gen-velero-crds.ts writes it from the YAML beside it). */
export const VELERO_CRDS_FILE = 'crds.json';

let crds: ManifestObject[] | undefined;

/**
 * Velero's CRDs of the pinned release, in file order (the files are the upstream ones, unchanged), read
 * from their JSON form: the YAML parser took a tenth of a cold `ndc start`. A test checks that the JSON
 * holds exactly what the YAML files do; the synthesis cache keys cover it (stacks/cache.ts).
 */
export function veleroCrds(): ManifestObject[] {
  if (crds) return crds;
  const shown = `stacks/kubernetes/crds/velero-${VELERO_RELEASE}/${VELERO_CRDS_FILE}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(join(VELERO_CRD_DIR, VELERO_CRDS_FILE), 'utf8'));
  } catch (error) {
    throw new InputError(shown, `cannot be read (${(error as Error).message.split('\n')[0]}); regenerate it with node bin/run-ts.js scripts/gen-velero-crds.ts`);
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((o) => (o as ManifestObject | null)?.kind === 'CustomResourceDefinition')) {
    throw new InputError(shown, 'is not a list of CustomResourceDefinitions; regenerate it with node bin/run-ts.js scripts/gen-velero-crds.ts');
  }
  crds = parsed as ManifestObject[];
  return crds;
}

/**
 * The prerequisites of one cluster given its system objects: the CRDs, the namespace, its NetworkPolicies
 * (see veleroPolicies), and one secret (name, type and the variables it is filled from; no data) per vault
 * its backup locations write to.
 */
export function renderPrerequisites(cloud: NationalCloud, cluster: RegionalCluster, systemObjects: readonly ManifestObject[]): ManifestObject[] {
  const labels = { [LABEL.env]: cloud.envName, [LABEL.cluster]: cluster.id };
  // The object-store ports of each vault, from the s3Url of the backup locations writing to it.
  const vaults = new Map<string, Set<number>>();
  for (const object of systemObjects) {
    if (object.kind !== 'BackupStorageLocation') continue;
    const vault = object.metadata.labels?.[LABEL.backupCluster];
    if (!vault) continue;
    const ports = vaults.get(vault) ?? vaults.set(vault, new Set()).get(vault)!;
    ports.add(objectStorePort(object));
  }
  const secrets: ManifestObject[] = [...vaults.keys()].sort().map((vault) => {
    const variables = backupCredentialVariables(vault);
    return {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: backupCredentialSecret(vault),
        namespace: VELERO_NAMESPACE,
        labels: { ...labels, [LABEL.backupCluster]: vault },
        annotations: {
          [ANNOTATION.description]: `Access key of the backup vault of cluster ${vault}, for Velero's backup storage locations on it`,
          [ANNOTATION.credentialsFrom]: `${variables.accessKeyId},${variables.secretAccessKey}`,
        },
      },
      type: 'Opaque',
    };
  });
  const namespace: ManifestObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: VELERO_NAMESPACE, labels: { ...labels, 'app.kubernetes.io/name': 'velero' } },
  };
  // Cluster prerequisites serve every system: they are the platform's scope (stacks/scopes.ts). The CRDs
  // stay the upstream files byte for byte; scopes.ts counts every CRD as the platform's. Log shipping
  // (the agent DaemonSet in its own namespace) serves every system too.
  return [...veleroCrds(), ...[namespace, ...veleroPolicies(cloud, labels, vaults), ...secrets, ...renderLogShipping(cloud, cluster)].map(platformScoped)];
}

function platformScoped(object: ManifestObject): ManifestObject {
  return { ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, [LABEL.scope]: PLATFORM_SCOPE } } };
}

/** The port of a BackupStorageLocation's `spec.config.s3Url` (the scheme's default when it names none). */
export function objectStorePort(location: ManifestObject): number {
  const text = (location.spec as { config?: { s3Url?: unknown } } | undefined)?.config?.s3Url;
  return urlPort(text, `BackupStorageLocation ${location.metadata.name}: spec.config.s3Url`);
}

/** The port an object-store URL connects to: its own, or its scheme's default. */
export function urlPort(text: unknown, where: string): number {
  if (typeof text !== 'string') throw new Error(`${where} is missing: the object store it writes to must be known to open egress to it`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${where} ${JSON.stringify(text)} is not a URL`);
  }
  if (url.port) return Number(url.port);
  if (url.protocol === 'https:') return 443;
  if (url.protocol === 'http:') return 80;
  throw new Error(`${where} ${JSON.stringify(text)} has scheme ${url.protocol} and no port`);
}

/** The address range of a cluster's backup vault: its backup zone segment, or the whole cluster range without one. */
export function backupVaultRange(cloud: NationalCloud, vaultClusterId: string): string {
  const cluster = cloud.cluster(vaultClusterId);
  return (cluster.hasSegment('backup') ? cluster.segment('backup').cidr : cluster.cidr).text;
}

/** The NetworkPolicy allowing Velero's pods to reach one backup vault's object store. */
export const vaultEgressPolicyName = (vaultClusterId: string): string => `allow-backup-vault-${vaultClusterId}-egress`;

/**
 * Velero's namespace gets the same default deny and DNS policies as every system namespace, then egress
 * to the object store of each vault its backup locations write to (that vault's backup segment, on the
 * s3Url's port) and nothing else; no ingress (metrics scraping is not modelled). Velero also talks to the
 * Kubernetes API server, but the model knows no address for it, so that egress is left to the CNI's
 * handling of host and API-server traffic rather than opened to 0.0.0.0/0.
 */
function veleroPolicies(cloud: NationalCloud, labels: Record<string, string>, vaults: ReadonlyMap<string, ReadonlySet<number>>): ManifestObject[] {
  const toVaults = [...vaults.keys()].sort().map((vault) =>
    networkPolicy(
      VELERO_NAMESPACE,
      { ...labels, [LABEL.backupCluster]: vault },
      vaultEgressPolicyName(vault),
      {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: backupVaultRange(cloud, vault) } }], ports: [...vaults.get(vault)!].sort((a, b) => a - b).map((port) => ({ protocol: 'TCP', port })) }],
      },
      { [ANNOTATION.description]: `Velero writes backups to the object store of the backup vault of cluster ${vault}` },
    ),
  );
  return [...baselinePolicies(VELERO_NAMESPACE, labels), ...toVaults];
}

/** The AWS-style credentials file Velero reads from the secret (filled at apply time only). */
export function credentialsFile(accessKeyId: string, secretAccessKey: string): string {
  return `[default]\naws_access_key_id=${accessKeyId}\naws_secret_access_key=${secretAccessKey}\n`;
}

/**
 * A multi-document YAML stream whose documents are canonical JSON objects (JSON is YAML): the CRDs make
 * this artifact large, and every reader parses JSON several times faster than YAML.
 */
export function toJsonDocuments(objects: readonly ManifestObject[], header: readonly string[]): string {
  return `${header.map((line) => `# ${line}\n`).join('')}${objects.map((o) => `---\n${canonicalJson(o)}\n`).join('')}`;
}
