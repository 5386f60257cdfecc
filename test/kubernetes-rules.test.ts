/**
 * The kubernetes rule pack (NDC-K8S-001..005) on fixtures built directly: the renderer's output for a
 * small two-cluster cloud is the compliant fixture; each non-compliant fixture is that output with one
 * thing broken, or a model that cannot comply.
 */
import { join, resolve } from 'node:path';
import { mkdtempSync, symlinkSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { KubernetesObject, Rule, RuleResult } from '../policies/rule';
import { pack } from '../policies/rules/kubernetes';
import { allowWithinFlows } from '../policies/rules/kubernetes/allow-within-flows';
import { backupScheduleOffsite } from '../policies/rules/kubernetes/backup-schedule-offsite';
import { defaultDeny } from '../policies/rules/kubernetes/default-deny';
import { noAllNamespacesIngress } from '../policies/rules/kubernetes/no-all-namespaces-ingress';
import { podSecurityRestricted } from '../policies/rules/kubernetes/pod-security-restricted';
import { parseKubernetesYaml } from '../stacks/kubernetes/artifact';
import { renderEnvironment } from '../stacks/synth';
import { find, fixtureCloud, fixtureInput, fixtureObjects, ruleContext } from './kubernetes-fixtures';

const REPO = resolve(__dirname, '..');

function run(rule: Rule, mutate?: (objects: Map<string, KubernetesObject[]>) => void, input = fixtureInput()): RuleResult[] {
  const { cloud, env } = fixtureCloud(input);
  const objects = fixtureObjects(cloud);
  mutate?.(objects);
  return rule.check(ruleContext(cloud, env, objects));
}

const failures = (results: RuleResult[]) => results.filter((r) => r.status === 'fail');

type Mutable = Record<string, unknown> & { spec: Record<string, unknown>; metadata: { labels: Record<string, string> } };
const mutable = (o: KubernetesObject) => o as unknown as Mutable;

describe('the kubernetes pack', () => {
  it('has five rules with stable ids NDC-K8S-001..005, each explained, mandatory, with remediation', () => {
    expect(pack.map((r) => r.id)).toEqual(['NDC-K8S-001', 'NDC-K8S-002', 'NDC-K8S-003', 'NDC-K8S-004', 'NDC-K8S-005']);
    for (const rule of pack) {
      expect(rule.enforcement).toBe('mandatory');
      expect(rule.explanation.length).toBeGreaterThan(100);
      expect(rule.remediation.length).toBeGreaterThan(20);
    }
  });

  it('passes everything the renderer writes for the compliant fixture', () => {
    for (const rule of pack) {
      const results = run(rule);
      expect(results.length).toBeGreaterThan(0);
      expect(failures(results)).toEqual([]);
    }
  });

  it.each(['dev', 'staging', 'prod'])('on the synthesized %s environment: every rule passes except offsite backup where the model has no other cluster', (name) => {
    const root = mkdtempSync(join(tmpdir(), 'ndc-k8s-rules-'));
    cpSync(join(REPO, 'environments'), join(root, 'environments'), { recursive: true });
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
    const rendered = renderEnvironment(root, name);
    const kubernetes = new Map(rendered.artifacts.filter((a) => a.engine === 'kubernetes' && a.path.startsWith('kubernetes/')).map((a) => [a.stack, parseKubernetesYaml(a.content, a.path) as KubernetesObject[]]));
    const context = ruleContext(rendered.cloud, rendered.env, kubernetes);
    const failed = pack.flatMap((rule) => failures(rule.check(context)).map((r) => `${rule.id} ${r.subject}`));
    // dev has one cluster: its level-3 system's backups cannot leave it, which NDC-K8S-004 reports.
    expect(failed).toEqual(name === 'dev' ? ['NDC-K8S-004 kubernetes/north.yaml: Namespace e-document-exchange'] : []);
  });
});

describe('NDC-K8S-001 default deny', () => {
  it('fails a namespace whose default-deny-egress policy is gone', () => {
    const results = run(defaultDeny, (o) => o.set('north', o.get('north')!.filter((x) => !(x.metadata.name === 'default-deny-egress' && x.metadata.namespace === 'records'))));
    expect(failures(results).map((r) => r.message)).toEqual([expect.stringContaining('namespace records has no default-deny egress policy')]);
    expect(failures(results)[0].subject).toBe('kubernetes/north.yaml: Namespace records');
  });

  it('does not count a "deny" policy that allows something, or one that selects only some pods', () => {
    const results = run(defaultDeny, (o) => {
      mutable(find(o, 'north', 'NetworkPolicy', 'default-deny-ingress', 'records')).spec.ingress = [{}];
      mutable(find(o, 'north', 'NetworkPolicy', 'default-deny-egress', 'catalog')).spec.podSelector = { matchLabels: { 'ndc.gov.vn/tier': 'web' } };
    });
    expect(failures(results).map((r) => r.message).sort()).toEqual([
      expect.stringContaining('namespace catalog has no default-deny egress'),
      expect.stringContaining('namespace records has no default-deny ingress'),
    ]);
  });
});

describe('NDC-K8S-002 no traffic from all namespaces into level 3+', () => {
  it('fails a namespaceSelector {} peer into a level-3 namespace', () => {
    const results = run(noAllNamespacesIngress, (o) => {
      const policy = mutable(find(o, 'south', 'NetworkPolicy', 'allow-2-dmz-to-internal-server-ingress', 'records'));
      (policy.spec.ingress as { from: unknown[] }[])[0].from.push({ namespaceSelector: {} });
    });
    expect(failures(results)).toHaveLength(1);
    expect(failures(results)[0]).toMatchObject({ systemId: 'records', subject: 'kubernetes/south.yaml: NetworkPolicy records/allow-2-dmz-to-internal-server-ingress' });
    expect(failures(results)[0].message).toContain('ingress[0].from[1] has namespaceSelector {}: every namespace');
  });

  it('fails an ingress rule without sources into a level-3 namespace, even when the label claims level 1', () => {
    const results = run(noAllNamespacesIngress, (o) => {
      find(o, 'north', 'Namespace', 'records').metadata.labels!['ndc.gov.vn/security-level'] = '1';
      mutable(find(o, 'north', 'NetworkPolicy', 'allow-1-edge-to-dmz-ingress', 'records')).spec.ingress = [{ ports: [{ protocol: 'TCP', port: 443 }] }];
    });
    expect(failures(results).map((r) => r.message)).toEqual([expect.stringContaining('ingress[0] has no from: it admits every source')]);
  });

  it('does not apply to a level-2 namespace', () => {
    const results = run(noAllNamespacesIngress, (o) => {
      mutable(find(o, 'north', 'NetworkPolicy', 'allow-2-dmz-to-dmz-ingress', 'catalog')).spec.ingress = [{ from: [{ namespaceSelector: {} }] }];
    });
    expect(results.some((r) => r.subject.includes('catalog'))).toBe(false);
    expect(failures(results)).toEqual([]);
  });
});

describe('NDC-K8S-003 pods run restricted', () => {
  it('fails a namespace enforcing baseline, and one whose warn mode is privileged', () => {
    const results = run(podSecurityRestricted, (o) => {
      find(o, 'north', 'Namespace', 'catalog').metadata.labels!['pod-security.kubernetes.io/enforce'] = 'baseline';
      find(o, 'south', 'Namespace', 'records').metadata.labels!['pod-security.kubernetes.io/warn'] = 'privileged';
    });
    expect(failures(results).map((r) => r.message).sort()).toEqual([
      'namespace catalog: pod-security.kubernetes.io/enforce is "baseline" (must be "restricted")',
      'namespace records: pod-security.kubernetes.io/warn is "privileged" (must be "restricted")',
    ]);
  });

  it('fails a namespace without the enforce label', () => {
    const results = run(podSecurityRestricted, (o) => {
      delete find(o, 'north', 'Namespace', 'records').metadata.labels!['pod-security.kubernetes.io/enforce'];
    });
    expect(failures(results).map((r) => r.message)).toEqual(['namespace records: pod-security.kubernetes.io/enforce is not set (must be "restricted")']);
  });
});

describe('NDC-K8S-004 level 3+ backed up to another cluster', () => {
  it('reports where each level-3 namespace is backed up to', () => {
    const results = run(backupScheduleOffsite);
    expect(results.map((r) => r.message)).toEqual([
      'namespace records (level 3) is backed up to south (Schedule records-south-object, 0 2 * * *)',
      'namespace records (level 3) is backed up to north (Schedule records-north-disk, 0 2 * * *)',
    ]);
  });

  it('fails when the model keeps every copy in the cluster the namespace runs in (the recovery cluster here)', () => {
    const input = fixtureInput();
    input.systems![0].backup!.copies = [{ region: 'south', medium: 'object' }];
    const results = run(backupScheduleOffsite, undefined, input);
    expect(failures(results)).toEqual([expect.objectContaining({ subject: 'kubernetes/south.yaml: Namespace records', message: 'no active Velero Schedule includes namespace records (level 3)' })]);
  });

  it("fails a schedule whose location is this cluster's own vault, a paused schedule, and a store that is no vault", () => {
    const own = run(backupScheduleOffsite, (o) => {
      mutable(find(o, 'north', 'BackupStorageLocation', 'records-south-object')).spec.config = { s3Url: 'https://backup.north.fixture.cloud.gov.vn' };
    });
    expect(failures(own).map((r) => r.message)).toEqual(["namespace records (level 3) is backed up only to this cluster's own vault (north)"]);
    const paused = run(backupScheduleOffsite, (o) => {
      mutable(find(o, 'north', 'Schedule', 'records-south-object')).spec.paused = true;
    });
    expect(failures(paused).map((r) => r.message)).toEqual(['no active Velero Schedule includes namespace records (level 3)']);
    const elsewhere = run(backupScheduleOffsite, (o) => {
      mutable(find(o, 'south', 'BackupStorageLocation', 'records-north-disk')).spec.config = { s3Url: 'https://s3.example.com' };
    });
    expect(failures(elsewhere).map((r) => r.message)).toEqual(['namespace records (level 3) is backed up only to an object store that is no backup vault of the cloud (Schedule records-north-disk)']);
  });
});

describe("NDC-K8S-005 allow policies within the model's Flows", () => {
  const failing = (mutate: (o: Map<string, KubernetesObject[]>) => void) => failures(run(allowWithinFlows, mutate));
  const policy = (o: Map<string, KubernetesObject[]>, name: string, cluster = 'north', ns = 'records') => mutable(find(o, cluster, 'NetworkPolicy', name, ns));

  it('fails a port beyond the Flow (8443 widened to a range)', () => {
    const f = failing((o) => {
      ((policy(o, 'allow-2-dmz-to-internal-server-ingress').spec.ingress as { ports: unknown[] }[])[0]).ports = [{ protocol: 'TCP', port: 8443, endPort: 8444 }];
    });
    expect(f.map((r) => r.message)).toEqual(["allows more than the model's Flows: ingress[0].from[0]: tier web -> tier app on tcp/8443-8444 has no Flow"]);
  });

  it('fails a source the Flow does not name (web tier straight to the database, around its firewall)', () => {
    const f = failing((o) => {
      const p = policy(o, 'allow-4-database-to-database-ingress');
      (p.spec.ingress as { from: unknown[] }[])[0].from = [{ podSelector: { matchExpressions: [{ key: 'ndc.gov.vn/tier', operator: 'In', values: ['web'] }] } }];
    });
    expect(f.map((r) => r.message)).toEqual(["allows more than the model's Flows: ingress[0].from[0]: tier web -> tier db on tcp/5432 has no Flow"]);
  });

  it('fails an ipBlock wider than the Flow peer (the internet instead of the IPS hosts of the edge)', () => {
    const f = failing((o) => {
      (policy(o, 'allow-1-edge-to-dmz-ingress', 'south').spec.ingress as { from: unknown[] }[])[0].from = [{ ipBlock: { cidr: '0.0.0.0/0' } }];
    });
    expect(f.map((r) => r.message)).toEqual(["allows more than the model's Flows: ingress[0].from[0]: 0.0.0.0/0 -> tier web on tcp/443 has no Flow"]);
  });

  it('fails egress to a range outside the Flow target, to every port, and to other namespaces', () => {
    const f = failing((o) => {
      (policy(o, 'allow-5-internal-server-to-edge-egress').spec.egress as { to: unknown[] }[])[0].to = [{ ipBlock: { cidr: '10.10.0.0/16' } }];
      (policy(o, 'allow-2-dmz-to-internal-server-egress').spec.egress as { ports?: unknown }[])[0].ports = undefined;
      (policy(o, 'allow-dns-egress', 'north', 'catalog').spec.egress as { to: unknown[] }[])[0].to = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'records' } } }];
    });
    expect(f.map((r) => r.message).sort()).toEqual([
      "allows more than the model's Flows: egress[0] allows every port",
      "allows more than the model's Flows: egress[0].to[0] admits pods of other namespaces (namespaceSelector), which no Flow allows",
      "allows more than the model's Flows: egress[0].to[0]: tier app -> 10.10.0.0/16 on udp/5000-5010 has no Flow",
    ]);
  });

  it('allows DNS to kube-dns on port 53 only', () => {
    const f = failing((o) => {
      (policy(o, 'allow-dns-egress').spec.egress as { ports: unknown[] }[])[0].ports.push({ protocol: 'TCP', port: 443 });
    });
    expect(f.map((r) => r.message)).toEqual([expect.stringContaining('egress[0].to[0] (cluster DNS) allows tcp/443, only 53 is needed')]);
  });

  it('fails selectors it cannot map to tiers, and namespaces of no model system', () => {
    const f = failing((o) => {
      policy(o, 'allow-2-dmz-to-internal-server-ingress').spec.podSelector = { matchLabels: { app: 'anything' } };
      o.get('north')!.push({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'open', namespace: 'sandbox' },
        spec: { podSelector: {}, policyTypes: ['Ingress'], ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/8' } }], ports: [{ port: 80 }] }] },
      });
    });
    expect(f.map((r) => `${r.subject} | ${r.message}`).sort()).toEqual([
      "kubernetes/north.yaml: NetworkPolicy records/allow-2-dmz-to-internal-server-ingress | allows more than the model's Flows: podSelector selects pods by label app, not by ndc.gov.vn/tier",
      "kubernetes/north.yaml: NetworkPolicy sandbox/open | allows more than the model's Flows: namespace sandbox is no system of the model in cluster north, so no Flow allows anything here",
    ]);
  });

  it("checks ipBlocks against this cluster's segments, not another cluster's", () => {
    // The south placement's edge segment is 10.20.0.0/24; pointing north's egress there exceeds north's Flow.
    const f = failing((o) => {
      (policy(o, 'allow-5-internal-server-to-edge-egress').spec.egress as { to: unknown[] }[])[0].to = [{ ipBlock: { cidr: '10.20.0.0/24' } }];
    });
    expect(f).toHaveLength(1);
    expect(f[0].message).toContain('tier app -> 10.20.0.0/24 on udp/5000-5010 has no Flow');
  });
});

describe('artifact set keys', () => {
  it.each(['north', 'kubernetes/north.yaml', 'fixture-north'])('reads the cluster from the key %s', (key) => {
    const { cloud, env } = fixtureCloud();
    const objects = fixtureObjects(cloud);
    const context = ruleContext(cloud, env, new Map([[key, objects.get('north')!]]));
    const results = pack.flatMap((rule) => rule.check(context));
    expect(results.length).toBeGreaterThan(20);
    expect(failures(results)).toEqual([]);
    expect(new Set(results.map((r) => r.subject.split(':')[0]))).toEqual(new Set(['kubernetes/north.yaml']));
  });
});
