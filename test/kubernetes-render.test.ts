/**
 * The Kubernetes renderer: determinism, what each system gets, and that its NetworkPolicies and the
 * Terraform security groups come from the same Flows.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../core/errors';
import type { KubernetesObject } from '../policies/rule';
import { parseKubernetesYaml } from '../stacks/kubernetes/artifact';
import { isPrerequisitesStack } from '../stacks/kubernetes/prerequisites';
import { labelSlug } from '../stacks/kubernetes/labels';
import { renderEnvironment } from '../stacks/synth';
import { RENDERED_KINDS } from '../policies/validation/kubernetes';
import { find, fixtureCloud, fixtureObjects } from './kubernetes-fixtures';
import { installReachIn } from './helpers';

const REPO = resolve(__dirname, '..');

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'ndc-k8s-render-'));
  cpSync(join(REPO, 'environments'), join(root, 'environments'), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

// The system objects (each cluster's prerequisites have their own tests).
const kubernetesArtifacts = (root: string, env: string) => renderEnvironment(root, env).artifacts.filter((a) => a.engine === 'kubernetes' && !isPrerequisitesStack(a.stack) && a.path.startsWith('kubernetes/'));

describe('kubernetes renderer', () => {
  it('writes one artifact per cluster hosting a system, byte-identical across runs and project roots', () => {
    const first = kubernetesArtifacts(tempRoot(), 'prod');
    const second = kubernetesArtifacts(tempRoot(), 'prod');
    expect(first.map((a) => [a.path, a.stack])).toEqual([
      ['kubernetes/north.yaml', 'prod-north'],
      ['kubernetes/central.yaml', 'prod-central'],
      ['kubernetes/south.yaml', 'prod-south'],
    ]);
    expect(second.map((a) => a.content)).toEqual(first.map((a) => a.content));
    for (const artifact of first) {
      expect(artifact.content).not.toMatch(/\/tmp\/|\d{4}-\d{2}-\d{2}T/);
      expect(artifact.resources).toBe(parseKubernetesYaml(artifact.content, artifact.path).length);
    }
  });

  it('writes keys sorted at every level and objects grouped by system, namespace first', () => {
    const [north] = kubernetesArtifacts(tempRoot(), 'prod');
    const objects = parseKubernetesYaml(north.content, north.path);
    const sorted = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(sorted);
      else if (value && typeof value === 'object') {
        const keys = Object.keys(value);
        expect(keys).toEqual([...keys].sort());
        Object.values(value).forEach(sorted);
      }
    };
    objects.forEach(sorted);
    const systems = objects.map((o) => o.metadata.labels?.['ndc.gov.vn/system']);
    expect(systems).toEqual([...systems].sort());
    for (const id of new Set(systems)) expect(objects.find((o) => o.metadata.labels?.['ndc.gov.vn/system'] === id)!.kind).toBe('Namespace');
  });

  it('labels the namespace with system, agency, level and restricted Pod Security', () => {
    const { cloud } = fixtureCloud();
    const ns = find(fixtureObjects(cloud), 'south', 'Namespace', 'records');
    expect(ns.metadata.labels).toEqual({
      'ndc.gov.vn/env': 'fixture',
      'ndc.gov.vn/cluster': 'south',
      'ndc.gov.vn/system': 'records',
      'ndc.gov.vn/agency': 'bo-tu-phap',
      'ndc.gov.vn/security-level': '3',
      'ndc.gov.vn/classification': 'confidential',
      'ndc.gov.vn/role': 'recovery',
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    expect(ns.metadata.annotations).toEqual({ 'ndc.gov.vn/agency-name': 'Bộ Tư pháp', 'ndc.gov.vn/system-name': 'Civil Records' });
  });

  it('sizes the quota from the tiers (instances x cpu / memory, one surge instance per tier; the recovery standby at half size)', () => {
    const { cloud } = fixtureCloud();
    const objects = fixtureObjects(cloud);
    // north: web 2 x (1 cpu, 2 GiB), app 3 x (2, 4), db 2 x (4, 16.5, 100 GB volume); +1 instance per tier.
    expect(find(objects, 'north', 'ResourceQuota', 'tiers', 'records').spec).toEqual({
      hard: { pods: '10', 'requests.cpu': '23', 'limits.cpu': '23', 'requests.memory': '73216Mi', 'limits.memory': '73216Mi', persistentvolumeclaims: '3', 'requests.storage': '300Gi' },
    });
    // south (recovery): web 1, app 2, db 1; +1 per tier.
    expect(find(objects, 'south', 'ResourceQuota', 'tiers', 'records').spec).toEqual({
      hard: { pods: '7', 'requests.cpu': '16', 'limits.cpu': '16', 'requests.memory': '49Gi', 'limits.memory': '49Gi', persistentvolumeclaims: '2', 'requests.storage': '200Gi' },
    });
    expect(find(objects, 'north', 'LimitRange', 'tiers', 'records').spec).toEqual({
      limits: [
        { type: 'Container', max: { cpu: '4', memory: '16896Mi' }, default: { cpu: '1', memory: '2Gi' }, defaultRequest: { cpu: '1', memory: '2Gi' } },
        { type: 'Pod', max: { cpu: '4', memory: '16896Mi' } },
        { type: 'PersistentVolumeClaim', max: { storage: '100Gi' } },
      ],
    });
  });

  it("points Velero at the backup vault bucket of every other cluster holding a copy, under this cluster's prefix", () => {
    const { cloud } = fixtureCloud();
    const objects = fixtureObjects(cloud);
    const velero = (cluster: string) => objects.get(cluster)!.filter((o) => o.apiVersion === 'velero.io/v1').map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
    expect(velero('north')).toEqual(['BackupStorageLocation velero/records-south-object', 'Schedule velero/records-south-object']);
    expect(velero('south')).toEqual(['BackupStorageLocation velero/records-north-disk', 'Schedule velero/records-north-disk']);
    const location = find(objects, 'north', 'BackupStorageLocation', 'records-south-object');
    expect(location.spec).toMatchObject({
      provider: 'aws',
      // Named as stacks/terraform/backup-vaults-stack.ts names the copy's bucket.
      objectStorage: { bucket: 'ndc-fixture-records-south-object', prefix: 'north' },
      config: { s3Url: 'https://backup.south.fixture.cloud.gov.vn:443', region: 'south', serverSideEncryption: 'aws:kms', kmsKeyId: 'ndc-backup' },
      credential: { name: 'ndc-backup-south', key: 'cloud' },
    });
    expect(find(objects, 'north', 'Schedule', 'records-south-object').spec).toEqual({
      schedule: '0 2 * * *',
      useOwnerReferencesInBackup: false,
      template: {
        includedNamespaces: ['records'],
        includeClusterResources: false,
        storageLocation: 'records-south-object',
        ttl: '2160h0m0s',
        snapshotVolumes: false,
        defaultVolumesToFsBackup: true,
        metadata: { labels: location.metadata.labels },
      },
    });
    // The level-2 system has no backup plan: no Velero objects.
    expect(objects.get('north')!.some((o) => o.metadata.labels?.['ndc.gov.vn/system'] === 'catalog' && o.apiVersion === 'velero.io/v1')).toBe(false);
  });

  it("the validation's list of rendered kinds (loaded ahead of the checks) names every built-in kind prod renders", () => {
    const rendered = renderEnvironment(tempRoot(), 'prod');
    const kinds = new Set(
      rendered.artifacts
        .filter((a) => a.engine === 'kubernetes' && a.path.endsWith('.yaml'))
        .flatMap((a) => parseKubernetesYaml(a.content, a.path))
        // Custom resources (velero.io) are validated against their vendored CRDs, not an object model.
        .filter((o) => !o.apiVersion.includes('velero.io'))
        .map((o) => `${o.apiVersion} ${o.kind}`),
    );
    expect(kinds.size).toBeGreaterThan(5);
    expect([...kinds].sort()).toEqual(RENDERED_KINDS.map(([apiVersion, kind]) => `${apiVersion} ${kind}`).sort());
  });

  it('every bucket a BackupStorageLocation names is created by the backup-vaults Terraform stack', () => {
    const rendered = renderEnvironment(tempRoot(), 'prod');
    const vaults = JSON.parse(rendered.artifacts.find((a) => a.stack === 'backup-vaults')!.content) as { resource: { minio_s3_bucket: Record<string, { bucket: string }> } };
    const buckets = new Set(Object.values(vaults.resource.minio_s3_bucket).map((b) => b.bucket));
    const named = rendered.artifacts
      .filter((a) => a.engine === 'kubernetes' && a.path.startsWith('kubernetes/'))
      .flatMap((a) => parseKubernetesYaml(a.content, a.path))
      .filter((o) => o.kind === 'BackupStorageLocation')
      .map((o) => (o.spec as { objectStorage: { bucket: string } }).objectStorage.bucket);
    expect(named.length).toBeGreaterThan(10);
    expect(named.filter((b) => !buckets.has(b))).toEqual([]);
  });

  it('the NetworkPolicies allow exactly what the Terraform security groups allow, tier for tier (same Flows); the security services are hosts, reached by their segment', () => {
    const rendered = renderEnvironment(tempRoot(), 'prod');
    for (const cluster of ['north', 'central', 'south']) {
      const tf = JSON.parse(rendered.artifacts.find((a) => a.stack === `cluster-${cluster}`)!.content) as { resource: Record<string, Record<string, Record<string, unknown>>> };
      const groups = tf.resource.openstack_networking_secgroup_v2;
      const groupTier = (ref: string) => {
        const id = /openstack_networking_secgroup_v2\.([^.]+)\.id/.exec(ref)![1];
        const tags = groups[id].tags as string[];
        return { system: tags.find((t) => t.startsWith('ndc:system='))!.slice(11), tier: tags.find((t) => t.startsWith('ndc:tier='))!.slice(9), service: tags.some((t) => t.startsWith('ndc:security-service=')) };
      };
      // A security service's hosts (IPS, WAF, database firewall, jump hosts) are no pods: pods see them as their segment's range.
      const instances = Object.values(tf.resource.openstack_compute_instance_v2);
      const subnets = Object.values(tf.resource.openstack_networking_subnet_v2);
      const segmentOf = (system: string, tier: string) => {
        const host = instances.find((i) => (i.metadata as Record<string, string>)['ndc:system'] === system && (i.metadata as Record<string, string>)['ndc:tier'] === tier)!;
        const network = (host.network as { uuid: string }[])[0].uuid.replace(/\.id\}$/, '');
        return String(subnets.find((n) => String(n.network_id).replace(/\.id\}$/, '') === network)!.cidr);
      };
      // The collection services' groups and the tiers' flows to them are VM-only: pods' logs go through the node agent.
      const vmOnly = (r: Record<string, unknown>) => (groups[/openstack_networking_secgroup_v2\.([^.]+)\.id/.exec(r.security_group_id as string)![1]].tags as string[]).some((t) => t.startsWith('ndc:service=')) || /: (logs to the cluster's log collectors|updates and anti-malware signatures from the cluster's patch mirror)$/.test(String(r.description));
      const fromTerraform = Object.values(tf.resource.openstack_networking_secgroup_rule_v2).filter((r) => !vmOnly(r)).flatMap((r) => {
        const own = groupTier(r.security_group_id as string);
        if (own.service) return [];
        const remote = r.remote_group_id ? groupTier(r.remote_group_id as string) : undefined;
        const peer = remote ? (remote.service ? segmentOf(remote.system, remote.tier) : `tier ${remote.tier}`) : String(r.remote_ip_prefix);
        return [`${own.system} ${r.direction} ${own.tier} ${peer} ${r.protocol}/${r.port_range_min}-${r.port_range_max}`];
      });
      const objects = parseKubernetesYaml(rendered.artifacts.find((a) => a.path === `kubernetes/${cluster}.yaml`)!.content, cluster);
      const fromKubernetes = objects
        .filter((o) => o.kind === 'NetworkPolicy' && o.metadata.annotations?.['ndc.gov.vn/flow'])
        .flatMap((o) => tuples(o));
      expect(fromKubernetes.length).toBeGreaterThan(20);
      expect([...new Set(fromKubernetes)].sort()).toEqual([...new Set(fromTerraform)].sort());
    }
  });

  it('parses artifacts strictly: bad YAML and non-objects are one-line input errors naming the document', () => {
    expect(() => parseKubernetesYaml('---\nkind: [\n', 'out/x/kubernetes/north.yaml')).toThrow(InputError);
    expect(() => parseKubernetesYaml('---\n- a\n', 'f.yaml')).toThrow('f.yaml: document 1: is not a Kubernetes object (expected a mapping)');
    expect(() => parseKubernetesYaml('---\napiVersion: v1\nkind: Namespace\n---\napiVersion: v1\nkind: Namespace\nmetadata: {}\n', 'f.yaml')).toThrow('f.yaml: document 1: is not a Kubernetes object (needs apiVersion, kind and metadata.name)');
  });

  it('synthesis never loads Pulumi: the renderer writes plain objects', () => {
    const root = tempRoot();
    const probe = join(root, 'probe.ts');
    writeFileSync(
      probe,
      `${installReachIn(REPO)}\n` +
        `const { synthEnvironment } = require(${JSON.stringify(join(REPO, 'stacks/synth.ts'))});\n` +
        `const result = synthEnvironment(${JSON.stringify(root)}, 'prod');\n` +
        `const pulumi = Object.keys(require.cache).filter((k) => k.includes('@pulumi'));\n` +
        `console.log(JSON.stringify({ kubernetes: result.artifacts.filter((a) => a.engine === 'kubernetes' && a.path.startsWith('kubernetes/')).length, pulumi: pulumi.length }));\n`,
    );
    const child = spawnSync(process.execPath, [join(REPO, 'bin/run-ts.js'), probe], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    // Per cluster: its system objects and its prerequisites.
    expect(JSON.parse(child.stdout.trim())).toEqual({ kubernetes: 6, pulumi: 0 });
  });

  it('slugifies agency names into label values', () => {
    expect(labelSlug('Bộ Công an')).toBe('bo-cong-an');
    expect(labelSlug('Ủy ban Dân tộc')).toBe('uy-ban-dan-toc');
    expect(labelSlug('Đài Truyền hình Việt Nam')).toBe('dai-truyen-hinh-viet-nam');
    expect(labelSlug('  ')).toBe('unassigned');
    expect(labelSlug('x'.repeat(70) + ' y')).toHaveLength(63);
  });
});

/** `system direction tier peer proto/min-max` for every connection an allow policy opens. */
function tuples(policy: KubernetesObject): string[] {
  const spec = policy.spec as {
    podSelector: { matchExpressions: { values: string[] }[] };
    ingress?: { from: Peer[]; ports: Port[] }[];
    egress?: { to: Peer[]; ports: Port[] }[];
  };
  type Peer = { podSelector?: { matchExpressions: { values: string[] }[] }; ipBlock?: { cidr: string } };
  type Port = { protocol: string; port: number; endPort?: number };
  const system = policy.metadata.namespace!;
  const own = spec.podSelector.matchExpressions[0].values;
  const out: string[] = [];
  const rules = [...(spec.ingress ?? []).map((r) => ({ d: 'ingress', peers: r.from, ports: r.ports })), ...(spec.egress ?? []).map((r) => ({ d: 'egress', peers: r.to, ports: r.ports }))];
  for (const { d, peers, ports } of rules) {
    for (const tier of own) {
      for (const peer of peers) {
        const names = peer.podSelector ? peer.podSelector.matchExpressions[0].values.map((t) => `tier ${t}`) : [peer.ipBlock!.cidr];
        for (const name of names) for (const p of ports) out.push(`${system} ${d} ${tier} ${name} ${p.protocol.toLowerCase()}/${p.port}-${p.endPort ?? p.port}`);
      }
    }
  }
  return out;
}
