import { sha256 } from '../../core/canonical-json';
import { digestsOf, RESOURCES_FILE, scopeLevels, type Manifest, type ManifestBody } from '../../stacks/manifest';
import { environmentState, resourceDigest, type EnvironmentState } from '../../stacks/scope-state';
import { scopeDigests, type ScopedResource } from '../../stacks/scopes';
import { DEFAULT_APPROVAL_SETTINGS } from '../../policies/approvals/requirements';

/** Small hand-made states for the diff's unit tests: two systems and the platform. */
export const SYSTEMS: ManifestBody['systems'] = [
  { id: 'national-cloud-platform', name: 'National cloud platform', level: 4, regions: ['north'], owner: 'Ministry of Science and Technology', classification: 'secret', personalData: true },
  { id: 'open-data-portal', name: 'National Open Data Portal', level: 2, regions: ['north'], owner: 'Ministry of Science and Technology', classification: 'public', personalData: false },
  { id: 'population-db', name: 'National Population Database', level: 5, regions: ['north'], owner: 'Ministry of Public Security', classification: 'secret', personalData: true },
];

export function rule(system: string, port: number): ScopedResource {
  const body = { direction: 'ingress', protocol: 'tcp', port_range_min: port, port_range_max: port, security_group_id: `\${openstack_networking_secgroup_v2.${system}-web.id}` };
  return { scope: system, kind: 'resource', address: `terraform/cluster-north#openstack_networking_secgroup_rule_v2.${system}-ingress-${port}`, engine: 'terraform', artifact: 'terraform/cluster-north/cdk.tf.json', sha256: resourceDigest(body), body };
}

export function resource(scope: string, address: string, body: unknown): ScopedResource {
  return { scope, kind: 'resource', address, engine: 'terraform', artifact: 'terraform/national-core/cdk.tf.json', sha256: resourceDigest(body), body };
}

/** A manifest (format 4) whose digests are consistent with these resources; `label` stands for its artifacts' bytes. */
export function manifestOf(label: string, resources: readonly ScopedResource[], systems = SYSTEMS): Manifest {
  const body: ManifestBody = { env: 'prod', stage: 'production', profile: 'vn-2016', approvals: DEFAULT_APPROVAL_SETTINGS, systems };
  const artifacts = [{ path: 'terraform/cluster-north/cdk.tf.json', engine: 'terraform' as const, stack: 'cluster-north', bytes: label.length, sha256: sha256(label) }];
  const scopes = { scopes: scopeDigests([...resources], scopeLevels(body), new Map()), resources: { path: RESOURCES_FILE, sha256: sha256(label), entries: resources.length } };
  return { version: 4, ...body, ...digestsOf(body, artifacts, scopes), ...scopes, artifacts };
}

export function stateOf(label: string, resources: readonly ScopedResource[], systems = SYSTEMS): { manifest: Manifest; state: EnvironmentState } {
  const manifest = manifestOf(label, resources, systems);
  return { manifest, state: environmentState(manifest, resources, new Map()) };
}

export const BASE_RESOURCES: readonly ScopedResource[] = [
  rule('open-data-portal', 443),
  rule('population-db', 5432),
  resource('national-cloud-platform', 'terraform/national-core#openstack_networking_network_v2.core', { name: 'core', admin_state_up: true }),
  resource('national-cloud-platform', 'terraform/national-core#openstack_networking_secgroup_v2.shared', { name: 'shared', description: 'shared zone' }),
];
