import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { CloudFormationTemplate, KubernetesObject } from '../../policies/rule';
import { validateCloudFormation } from '../../policies/validation/cloudformation';
import { findingLine, type ValidationFinding } from '../../policies/validation/findings';
import { validateKubernetes } from '../../policies/validation/kubernetes';
import { validateAddresses, validatePolicySelectors, validatePrerequisites, validateStorageLocations } from '../../policies/validation/semantics';
import type { TerraformArtifact } from '../../policies/validation/terraform';
import type { TerraformConfig } from '../../policies/rule';

/** Kubernetes, Velero CRD and CloudFormation validation, and the apply-time semantic checks: one failing fixture each. */

const lines = (findings: readonly ValidationFinding[]) => findings.map((f) => `${f.check} ${findingLine(f, 'prod')}`);

const namespace = (name: string, system?: string): KubernetesObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels: system ? { 'ndc.gov.vn/system': system } : {} },
});

function networkPolicy(tier: string, ns = 'portal'): KubernetesObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: `allow-${tier}`, namespace: ns },
    spec: {
      podSelector: { matchExpressions: [{ key: 'ndc.gov.vn/tier', operator: 'In', values: [tier] }] },
      policyTypes: ['Ingress'],
      ingress: [{ ports: [{ port: 443, protocol: 'TCP' }] }],
    },
  };
}

const location = (name: string): KubernetesObject => ({
  apiVersion: 'velero.io/v1',
  kind: 'BackupStorageLocation',
  metadata: { name, namespace: 'velero' },
  spec: { provider: 'aws', default: false, objectStorage: { bucket: 'ndc-prod-portal', prefix: 'north' }, config: { region: 'central', s3Url: 'https://backup.central.prod.cloud.gov.vn:443' } },
});

const schedule = (storageLocation: string): KubernetesObject => ({
  apiVersion: 'velero.io/v1',
  kind: 'Schedule',
  metadata: { name: 'portal-central', namespace: 'velero' },
  spec: { schedule: '0 */4 * * *', template: { includedNamespaces: ['portal'], storageLocation, ttl: '720h0m0s', snapshotVolumes: false } },
});

const cluster = (objects: KubernetesObject[]) => [{ artifact: 'kubernetes/north.yaml', objects }];
/** One cluster's artifacts: its system objects and, optionally, its prerequisites. */
const onCluster = (objects: KubernetesObject[], prerequisites: KubernetesObject[] = []) => [
  { cluster: 'prod-north', artifacts: [{ artifact: 'kubernetes/north.yaml', objects }, ...(prerequisites.length > 0 ? [{ artifact: 'kubernetes/prerequisites/north.yaml', objects: prerequisites }] : [])] },
];

describe('Kubernetes objects against the OpenAPI schema and the vendored Velero CRDs', () => {
  it('accepts valid core objects and Velero objects', () => {
    expect(validateKubernetes(cluster([namespace('portal', 'portal'), networkPolicy('web'), location('portal-central'), schedule('portal-central')]))).toEqual([]);
  });

  it('NDC-VAL-010: rejects a core object that breaks the schema, and a kind Kubernetes does not have', () => {
    const bad = networkPolicy('web');
    (bad.spec as { ingress: { ports: { protocol: string }[] }[] }).ingress[0].ports[0].protocol = 'TCPX';
    const found = lines(validateKubernetes(cluster([bad, { apiVersion: 'v1', kind: 'Namspace', metadata: { name: 'x' } }])));
    expect(found).toEqual([
      'NDC-VAL-010 out/prod/kubernetes/north.yaml: portal/NetworkPolicy/allow-web: spec.ingress[0].ports[0].protocol: must be equal to one of the allowed values: "SCTP", "TCP", "UDP" (Kubernetes OpenAPI schema)',
      'NDC-VAL-010 out/prod/kubernetes/north.yaml: Namspace/x: kind: v1 Namspace is neither a Kubernetes kind nor defined by a vendored CRD: the API server answers "no matches for kind"',
    ]);
  });

  it('NDC-VAL-011: rejects Velero objects that break their CRD: unknown fields, wrong types, missing required, unknown kinds', () => {
    const s = schedule('portal-central');
    (s.spec as Record<string, unknown>).schedule = 5;
    (s.spec as { template: Record<string, unknown> }).template.includeNamespaces = ['portal'];
    const l = location('portal-central');
    delete (l.spec as Record<string, unknown>).objectStorage;
    const found = lines(validateKubernetes(cluster([s, l, { apiVersion: 'velero.io/v1', kind: 'BackupPlan', metadata: { name: 'x', namespace: 'velero' } }])));
    expect(found).toEqual([
      'NDC-VAL-011 out/prod/kubernetes/north.yaml: velero/Schedule/portal-central: spec.schedule: must be a string, got 5 (Schedule CRD schema)',
      'NDC-VAL-011 out/prod/kubernetes/north.yaml: velero/Schedule/portal-central: spec.template.includeNamespaces: is not a known field (strict field validation rejects it) (Schedule CRD schema)',
      'NDC-VAL-011 out/prod/kubernetes/north.yaml: velero/BackupStorageLocation/portal-central: spec.objectStorage: is required (BackupStorageLocation CRD schema)',
      expect.stringMatching(/^NDC-VAL-011 .*velero\/BackupPlan\/x: kind: velero\.io\/v1 BackupPlan is not defined by the vendored CRDs .*Schedule/),
    ]);
  });
});

describe('CloudFormation against the resource specification', () => {
  const template = (): CloudFormationTemplate & { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> } => ({
    Resources: {
      site: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'ndc-prod-open-data', VersioningConfiguration: { Status: 'Enabled' } } },
      sitePolicy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'site' }, PolicyDocument: { Statement: [{ Effect: 'Deny', Resource: { 'Fn::GetAtt': ['site', 'Arn'] } }] } } },
    },
  });
  const validate = (t: CloudFormationTemplate) => lines(validateCloudFormation([{ artifact: 'cloudformation/public-edge-origin.template.json', template: t }]));

  it('accepts a valid template', () => {
    expect(validate(template())).toEqual([]);
  });

  it('NDC-VAL-020/021/022: rejects an unknown type, an unknown property, a missing required property and a wrong value', () => {
    const t = template();
    t.Resources.site.Properties!.BucketColour = 'blue';
    t.Resources.site.Properties!.VersioningConfiguration = { Status: 'Sometimes' };
    delete t.Resources.sitePolicy.Properties!.PolicyDocument;
    t.Resources.extra = { Type: 'AWS::S3::Bukket' };
    t.Resources.queue = { Type: 'AWS::SQS::Queue', Properties: { DelaySeconds: 'soon' } };
    const found = validate(t);
    expect(found).toEqual([
      'NDC-VAL-022 out/prod/cloudformation/public-edge-origin.template.json: site: Properties.VersioningConfiguration.Status: must be one of Enabled, Suspended, got "Sometimes"',
      expect.stringMatching(/^NDC-VAL-020 out\/prod\/cloudformation\/public-edge-origin\.template\.json: site: Properties\.BucketColour: is not a property of AWS::S3::Bucket \(properties: /),
      'NDC-VAL-021 out/prod/cloudformation/public-edge-origin.template.json: sitePolicy: Properties.PolicyDocument: is required by AWS::S3::BucketPolicy and missing',
      'NDC-VAL-020 out/prod/cloudformation/public-edge-origin.template.json: extra: Type: AWS::S3::Bukket is not a resource type of the CloudFormation specification',
      'NDC-VAL-022 out/prod/cloudformation/public-edge-origin.template.json: queue: Properties.DelaySeconds: must be an integer, got "soon"',
    ]);
  });

  it('NDC-VAL-023: rejects a Ref and a Fn::GetAtt that resolve to nothing', () => {
    const t = template();
    t.Resources.sitePolicy.Properties!.Bucket = { Ref: 'sites' };
    (t.Resources.sitePolicy.Properties!.PolicyDocument as { Statement: { Resource: unknown }[] }).Statement[0].Resource = { 'Fn::GetAtt': ['site', 'Colour'] };
    const found = validate(t);
    expect(found).toEqual([
      'NDC-VAL-023 out/prod/cloudformation/public-edge-origin.template.json: sitePolicy: Properties.Bucket.Ref: Ref "sites" names no resource, parameter or pseudo parameter of the template',
      expect.stringMatching(/^NDC-VAL-023 .*sitePolicy: Properties\.PolicyDocument\.Statement\[0\]\.Resource\.Fn::GetAtt: AWS::S3::Bucket has no attribute Colour \(attributes: .*Arn/),
    ]);
  });
});

describe('apply-time semantics', () => {
  const tf = (resource: Record<string, Record<string, Record<string, unknown>>>): TerraformArtifact => ({ stack: 'national-core', artifact: 'terraform/national-core/cdk.tf.json', config: { resource } as TerraformConfig });
  const subnet = { network_id: 'n', cidr: '10.0.0.0/24', gateway_ip: '10.0.0.1' };
  const port = (ip: string) => ({ network_id: 'n', fixed_ip: [{ subnet_id: '${openstack_networking_subnet_v2.backbone.id}', ip_address: ip }] });

  it('NDC-VAL-030: accepts routers on their own ports with distinct fixed addresses', () => {
    const ok = tf({ openstack_networking_subnet_v2: { backbone: subnet }, openstack_networking_port_v2: { a: port('10.0.0.2'), b: port('10.0.0.3') } });
    expect(validateAddresses([ok])).toEqual([]);
  });

  it('NDC-VAL-030: rejects two router interfaces by subnet_id, a port on the gateway address, a fixed address twice and one outside the subnet', () => {
    const bad = tf({
      openstack_networking_subnet_v2: { backbone: subnet },
      openstack_networking_router_interface_v2: { first: { router_id: 'r1', subnet_id: '${openstack_networking_subnet_v2.backbone.id}' }, second: { router_id: 'r2', subnet_id: '${openstack_networking_subnet_v2.backbone.id}' } },
      openstack_networking_port_v2: { gw: port('10.0.0.1'), a: port('10.0.0.5'), b: port('10.0.0.5'), far: port('10.9.0.5') },
    });
    const found = lines(validateAddresses([bad]));
    expect(found).toEqual([
      'NDC-VAL-030 out/prod/terraform/national-core/cdk.tf.json: openstack_networking_port_v2.far: fixed_ip[0].ip_address: 10.9.0.5 is outside subnet openstack_networking_subnet_v2.backbone (10.0.0.0/24): Neutron rejects the port',
      expect.stringContaining('openstack_networking_router_interface_v2.first: subnet_id: takes the gateway address 10.0.0.1 of subnet openstack_networking_subnet_v2.backbone of national-core, which openstack_networking_port_v2.gw in national-core already holds (3 claims)'),
      expect.stringContaining('openstack_networking_router_interface_v2.second: subnet_id: takes the gateway address 10.0.0.1'),
      'NDC-VAL-030 out/prod/terraform/national-core/cdk.tf.json: openstack_networking_port_v2.b: fixed_ip[0].ip_address: fixed address 10.0.0.5 is also claimed by openstack_networking_port_v2.a in national-core on the same subnet: the second port fails with IpAddressAlreadyAllocated',
    ]);
  });

  it('NDC-VAL-031: rejects a Schedule whose storage location does not exist, and an empty one with no default', () => {
    expect(validateStorageLocations(onCluster([schedule('portal-central')], [location('portal-central')]))).toEqual([]);
    const found = lines(validateStorageLocations(onCluster([location('portal-central'), schedule('portal-south'), { ...schedule(''), metadata: { name: 'other', namespace: 'velero' } }])));
    expect(found).toEqual([
      'NDC-VAL-031 out/prod/kubernetes/north.yaml: velero/Schedule/portal-central: spec.template.storageLocation: names BackupStorageLocation "portal-south", which no artifact of cluster prod-north declares in namespace velero: every backup fails validation',
      'NDC-VAL-031 out/prod/kubernetes/north.yaml: velero/Schedule/other: spec.template.storageLocation: is empty and no BackupStorageLocation in namespace velero is the default: every backup fails validation',
    ]);
  });

  it('NDC-VAL-032: rejects a NetworkPolicy selecting no tier of its system', () => {
    const systems = [{ id: 'portal', tiers: [{ name: 'web' }, { name: 'db' }] }];
    const labels = { system: 'ndc.gov.vn/system', tier: 'ndc.gov.vn/tier' };
    expect(validatePolicySelectors(onCluster([namespace('portal', 'portal'), networkPolicy('web')]), systems, labels)).toEqual([]);
    const found = lines(validatePolicySelectors(onCluster([namespace('portal', 'portal'), networkPolicy('cache'), networkPolicy('web')]), systems, labels));
    expect(found).toEqual([
      'NDC-VAL-032 out/prod/kubernetes/north.yaml: portal/NetworkPolicy/allow-cache: spec.podSelector: selects no pod of system portal (tiers: web, db): the policy isolates and admits nothing',
    ]);
  });

  it("NDC-VAL-033: rejects today's Velero objects, applied with no CRD, no velero namespace and no credential secret in the cluster", () => {
    const today = parseAllDocuments(readFileSync(join(__dirname, 'today', 'north-velero.yaml'), 'utf8')).map((d) => d.toJS() as KubernetesObject);
    const found = lines(validatePrerequisites(onCluster(today)));
    expect(found).toEqual([
      'NDC-VAL-033 out/prod/kubernetes/north.yaml: velero/BackupStorageLocation/digital-signature-ca-central-object: kind: needs CustomResourceDefinition backupstoragelocations.velero.io, which no artifact of cluster prod-north installs: the API server answers "no matches for kind BackupStorageLocation"',
      'NDC-VAL-033 out/prod/kubernetes/north.yaml: velero/BackupStorageLocation/digital-signature-ca-central-object: metadata.namespace: namespace velero is created by no artifact of cluster prod-north: the apply fails with namespaces "velero" not found',
      'NDC-VAL-033 out/prod/kubernetes/north.yaml: velero/BackupStorageLocation/digital-signature-ca-central-object: spec.credential.name: names Secret velero/ndc-backup-central, which no artifact of cluster prod-north declares: Velero cannot reach the object store',
      'NDC-VAL-033 out/prod/kubernetes/north.yaml: velero/Schedule/digital-signature-ca-central-object: kind: needs CustomResourceDefinition schedules.velero.io, which no artifact of cluster prod-north installs: the API server answers "no matches for kind Schedule"',
      'NDC-VAL-033 out/prod/kubernetes/north.yaml: velero/Schedule/digital-signature-ca-central-object: metadata.namespace: namespace velero is created by no artifact of cluster prod-north: the apply fails with namespaces "velero" not found',
    ]);
    const crd = (name: string): KubernetesObject => ({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name } });
    const prerequisites = [crd('backupstoragelocations.velero.io'), crd('schedules.velero.io'), namespace('velero'), { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'ndc-backup-central', namespace: 'velero' } }];
    expect(validatePrerequisites(onCluster(today, prerequisites))).toEqual([]);
    // Prerequisites of another cluster do not count.
    expect(validatePrerequisites([...onCluster(today), { cluster: 'prod-south', artifacts: [{ artifact: 'kubernetes/prerequisites/south.yaml', objects: prerequisites }] }])).toHaveLength(5);
  });
});
