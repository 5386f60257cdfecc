/**
 * The velero namespace's NetworkPolicies in the prerequisites: the default deny and DNS every namespace
 * has, and egress only to the object store of each vault its backup locations write to.
 */
import { LABEL, POLICY_NAME, VELERO_NAMESPACE } from '../stacks/kubernetes/labels';
import { PLATFORM_SCOPE } from '../stacks/scopes';
import { renderPrerequisites, vaultEgressPolicyName } from '../stacks/kubernetes/prerequisites';
import { baselinePolicies, renderClusterObjects, type ManifestObject } from '../stacks/kubernetes/render';
import { variant } from './policy-fixtures';

const { cloud } = variant('prod', () => undefined, { render: false }).context;
const north = cloud.cluster('north');
// Velero's policies (the log agent's namespace in the same prerequisites has its own tests).
const policiesOf = (objects: readonly ManifestObject[]) => objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === VELERO_NAMESPACE);

/** A backup location of north on a vault, as the renderer writes it, with the given s3Url. */
const location = (vault: string, s3Url: string): ManifestObject => ({
  apiVersion: 'velero.io/v1',
  kind: 'BackupStorageLocation',
  metadata: { name: `x-${vault}`, namespace: VELERO_NAMESPACE, labels: { [LABEL.backupCluster]: vault } },
  spec: { config: { s3Url } },
});

describe('the velero namespace policies', () => {
  it('are the default deny and DNS policies of a system namespace, then one egress per vault to its backup segment on the s3Url port', () => {
    const policies = policiesOf(renderPrerequisites(cloud, north, renderClusterObjects(cloud, north)));
    const labels = { [LABEL.env]: 'prod', [LABEL.cluster]: 'north', [LABEL.scope]: PLATFORM_SCOPE };
    expect(policies.slice(0, 3)).toEqual(baselinePolicies(VELERO_NAMESPACE, labels));
    expect(policies.slice(0, 3).map((p) => p.metadata.name)).toEqual([POLICY_NAME.denyIngress, POLICY_NAME.denyEgress, POLICY_NAME.dns]);
    const vaults = policies.slice(3);
    expect(vaults.map((p) => p.metadata.name)).toEqual(['central', 'south'].map(vaultEgressPolicyName));
    for (const [policy, vault] of [[vaults[0], 'central'], [vaults[1], 'south']] as const) {
      expect(policy.spec).toEqual({
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: cloud.cluster(vault).segment('backup').cidr.text } }], ports: [{ protocol: 'TCP', port: 443 }] }],
      });
    }
    // Nothing admits ingress, and no egress rule is open to every address.
    expect(policies.some((p) => 'ingress' in (p.spec as object))).toBe(false);
    expect(JSON.stringify(policies)).not.toContain('0.0.0.0/0');
  });

  it("take the port from the location's s3Url, and refuse one that names no object store", () => {
    const rendered = renderPrerequisites(cloud, north, [location('south', 'https://minio.south.example:9000'), location('south', 'http://minio.south.example')]);
    expect(policiesOf(rendered).find((p) => p.metadata.name === vaultEgressPolicyName('south'))?.spec).toMatchObject({ egress: [{ ports: [{ protocol: 'TCP', port: 80 }, { protocol: 'TCP', port: 9000 }] }] });
    expect(() => renderPrerequisites(cloud, north, [location('south', 'minio.south.example:9000')])).toThrow(/^BackupStorageLocation x-south: spec\.config\.s3Url "minio\.south\.example:9000" has scheme minio\.south\.example: and no port$/);
    expect(() => renderPrerequisites(cloud, north, [location('south', 'not a url')])).toThrow(/^BackupStorageLocation x-south: spec\.config\.s3Url "not a url" is not a URL$/);
  });

  it('give a cluster whose locations write to no vault only the deny and DNS policies', () => {
    expect(policiesOf(renderPrerequisites(cloud, north, [])).map((p) => p.metadata.name)).toEqual([POLICY_NAME.denyIngress, POLICY_NAME.denyEgress, POLICY_NAME.dns]);
  });
});
