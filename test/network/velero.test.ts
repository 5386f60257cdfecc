import { artifactSetOf } from '../../policies/artifacts';
import type { RuleContext } from '../../policies/rule';
import { showService } from '../../policies/network/services';
import { pack } from '../../policies/rules/network';
import { govInternetApart } from '../../policies/rules/network/gov-internet-apart';
import { explanationOf, reachOf } from '../../policies/rules/network/reach';
import { reachExplained } from '../../policies/rules/network/reach-explained';
import { VELERO_NAMESPACE } from '../../stacks/kubernetes/labels';
import { prerequisitesArtifactPath, toJsonDocuments } from '../../stacks/kubernetes/prerequisites';
import type { ManifestObject } from '../../stacks/kubernetes/render';
import { failures, variant, withTerraform, type Fixture } from '../policy-fixtures';

/** The same context with the prerequisites artifact of one cluster edited (as a hand edit of out/ would). */
function withPrerequisites(base: Fixture, cluster: string, edit: (objects: ManifestObject[]) => ManifestObject[], context: RuleContext = base.context): RuleContext {
  const path = prerequisitesArtifactPath(cluster);
  if (!base.artifacts.some((a) => a.path === path)) throw new Error(`no artifact ${path}`);
  const artifacts = base.artifacts.map((a) => {
    if (a.path !== path) return a;
    const objects = a.content
      .split(/^---$/m)
      .slice(1)
      .map((doc) => JSON.parse(doc) as ManifestObject);
    return { ...a, content: toJsonDocuments(edit(objects), ['edited']) };
  });
  // Keep the Terraform edits of the given context; replace the Kubernetes artifact.
  const edited = artifactSetOf(artifacts);
  return { ...context, artifacts: { ...context.artifacts, kubernetes: edited.kubernetes, text: edited.text } };
}

const veleroPolicies = (objects: readonly ManifestObject[]) => objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata.namespace === VELERO_NAMESPACE);

const group = (name: string, attr = 'id') => `\${openstack_networking_secgroup_v2.${name}.${attr}}`;

/**
 * A host in cluster central's backup segment (the object store's gateway) admitting ports from every
 * address: pod addresses are not in the artifacts, so only such a block admits Velero's pods.
 */
function vaultHost(base: Fixture, ports: readonly number[]): RuleContext {
  return withTerraform(base, 'cluster-central', (c) => {
    c.resource.openstack_networking_secgroup_v2['vault-gateway-secgroup'] = { name: 'prod-vault-gateway', delete_default_rules: true, tags: ['ndc:env=prod', 'ndc:cluster=central'] };
    c.resource.openstack_networking_secgroup_rule_v2 ??= {};
    for (const port of ports) {
      c.resource.openstack_networking_secgroup_rule_v2[`vault-gateway-${port}`] = {
        direction: 'ingress',
        ethertype: 'IPv4',
        protocol: 'tcp',
        port_range_min: port,
        port_range_max: port,
        remote_ip_prefix: '0.0.0.0/0',
        security_group_id: group('vault-gateway-secgroup'),
      };
    }
    c.resource.openstack_compute_instance_v2 ??= {};
    c.resource.openstack_compute_instance_v2['vault-gateway-0'] = {
      name: 'prod-vault-gateway-0',
      network: [{ uuid: '${openstack_networking_network_v2.backup-network.id}' }],
      security_groups: [group('vault-gateway-secgroup', 'name')],
      tags: ['ndc:env=prod', 'ndc:cluster=central'],
    };
  });
}

/** The explanation of every allowance from north's velero pods to the endpoints `to` picks, by service. */
function explained(context: RuleContext, to: (id: string) => boolean): [string, string | undefined][] {
  const reach = reachOf(context);
  return reach.hops
    .filter((h) => h.from === 'pod:north/velero/*' && to(h.to))
    .flatMap((h) => h.allows.map((a): [string, string | undefined] => [showService(a.service), explanationOf(context, reach, h, a)]))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

let prod: Fixture;
beforeAll(() => {
  prod = variant('prod', () => undefined);
});

describe('the velero namespace on the network (NDC-NET-004/005)', () => {
  it('dev, staging and prod as shipped pass every NDC-NET rule, with velero confined by its policies', () => {
    for (const f of [variant('dev', () => undefined), variant('staging', () => undefined), prod]) {
      for (const rule of pack) expect([f.context.env.name, rule.id, failures(rule, f.context)]).toEqual([f.context.env.name, rule.id, []]);
      const north = f.artifacts.find((a) => a.path === prerequisitesArtifactPath('north'))!;
      expect(veleroPolicies(artifactSetOf([north]).kubernetes.values().next().value as ManifestObject[]).length).toBeGreaterThanOrEqual(3);
    }
  });

  it('fails NDC-NET-004 and NDC-NET-005 when the velero namespace has no NetworkPolicy', () => {
    const open = withPrerequisites(prod, 'north', (objects) => objects.filter((o) => !veleroPolicies([o]).length));
    expect(failures(govInternetApart, open)[0].message).toContain('gov-network > pod:north/velero/* > internet');
    expect(failures(reachExplained, open).map((r) => r.message).join('\n')).toContain('pod:north/velero/* -> internet: any');
  });

  it("explains velero's egress to a vault it writes to on the object-store port, as platform traffic", () => {
    const context = vaultHost(prod, [443]);
    const reach = reachOf(context);
    const hops = reach.hops.filter((h) => h.from === 'pod:north/velero/*' && h.to.includes('central') && h.to.includes('vault-gateway'));
    expect(hops.length).toBe(1);
    expect(hops[0].allows.map((a) => explanationOf(context, reach, hops[0], a))).toEqual(["Velero's backups to the backup vault of cluster central (tcp/443)"]);
    // What else the host admits (the internet) stays unexplained; nothing from velero does.
    const unexplained = failures(reachExplained, context).map((r) => r.message).join('\n');
    expect(unexplained).toContain('internet -> vm:central/prod-vault-gateway-0: tcp/443');
    expect(unexplained).not.toContain('pod:north/velero');
  });

  it('leaves any other egress of velero unexplained: another port to the vault, or the vault port elsewhere', () => {
    const hosts = vaultHost(prod, [443, 22]);
    // velero given tcp/22 to central's backup segment by hand: reaching the vault's host on 22 is not backup traffic.
    const otherPort = withPrerequisites(
      prod,
      'north',
      (objects) =>
        objects.map((o) => {
          if (o.kind !== 'NetworkPolicy' || o.metadata.name !== 'allow-backup-vault-central-egress') return o;
          const spec = o.spec as { egress: { ports: unknown[] }[] };
          return { ...o, spec: { ...spec, egress: [{ ...spec.egress[0], ports: [...spec.egress[0].ports, { protocol: 'TCP', port: 22 }] }] } };
        }),
      hosts,
    );
    const toVault = explained(otherPort, (to) => to.includes('vault-gateway'));
    expect(toVault).toEqual([
      ['tcp/22', undefined],
      ['tcp/443', "Velero's backups to the backup vault of cluster central (tcp/443)"],
    ]);
    // velero given tcp/443 anywhere by hand: the internet on the object-store port is not a vault.
    const elsewhere = withPrerequisites(prod, 'north', (objects) => [
      ...objects,
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'allow-https-egress', namespace: VELERO_NAMESPACE },
        spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [{ protocol: 'TCP', port: 443 }] }] },
      },
    ]);
    expect(explained(elsewhere, (to) => to === 'internet')).toEqual([['tcp/443', undefined]]);
    expect(failures(reachExplained, elsewhere).map((r) => r.message).join('\n')).toContain('pod:north/velero/* -> internet: tcp/443 by kubernetes/prerequisites/north.yaml: NetworkPolicy velero/allow-https-egress matches no flow');
  });
});
