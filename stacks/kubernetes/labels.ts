/**
 * Label keys and fixed names of the Kubernetes layer. Shared by the renderer, the Pulumi program and the
 * kubernetes rule pack, so the rules read exactly what the renderer writes. No engine imports here.
 */
export const LABEL = {
  env: 'ndc.gov.vn/env',
  cluster: 'ndc.gov.vn/cluster',
  system: 'ndc.gov.vn/system',
  /** The scope an object belongs to where it is no system's (the platform's): stacks/scopes.ts. */
  scope: 'ndc.gov.vn/scope',
  agency: 'ndc.gov.vn/agency',
  level: 'ndc.gov.vn/security-level',
  classification: 'ndc.gov.vn/classification',
  role: 'ndc.gov.vn/role',
  /** On pods: the tier of the system they belong to; NetworkPolicies select pods by it. */
  tier: 'ndc.gov.vn/tier',
  /** On Velero objects: the cluster whose backup vault holds the copy. */
  backupCluster: 'ndc.gov.vn/backup-cluster',
} as const;

export const ANNOTATION = {
  systemName: 'ndc.gov.vn/system-name',
  agencyName: 'ndc.gov.vn/agency-name',
  /** On allow NetworkPolicies: the construct path of the Flow they implement. */
  flow: 'ndc.gov.vn/flow',
  description: 'ndc.gov.vn/description',
  /** On credential secrets written without data: the deploy-environment variables that fill them. */
  credentialsFrom: 'ndc.gov.vn/credentials-from',
} as const;

export const POD_SECURITY = {
  enforce: 'pod-security.kubernetes.io/enforce',
  audit: 'pod-security.kubernetes.io/audit',
  warn: 'pod-security.kubernetes.io/warn',
} as const;

/** Velero runs in its own namespace; its Schedule and BackupStorageLocation objects must live there. */
export const VELERO_NAMESPACE = 'velero';

/** Names of the fixed NetworkPolicies every system namespace gets. */
export const POLICY_NAME = {
  denyIngress: 'default-deny-ingress',
  denyEgress: 'default-deny-egress',
  dns: 'allow-dns-egress',
} as const;

/**
 * The one egress the model's Flows do not list: DNS to the cluster's resolver pods in kube-system. Pods
 * reach each other through Service names, so without it every in-cluster flow the model allows would fail;
 * it is limited to port 53 on the kube-dns pods.
 */
export const CLUSTER_DNS = {
  namespace: 'kube-system',
  podLabels: { 'k8s-app': 'kube-dns' } as Readonly<Record<string, string>>,
  port: 53,
} as const;

/**
 * A label value from free text (agency names): ASCII lower case, Vietnamese diacritics removed, runs of
 * other characters as one dash, at most 63 characters, starting and ending with a letter or digit.
 */
export function labelSlug(text: string): string {
  const ascii = text
    .replace(/[đĐ]/g, 'd')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
  const slug = ascii.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug.slice(0, 63).replace(/-+$/g, '') || 'unassigned';
}
