/** The environment's `kubernetes` block: pod networks, their validation, and what they change. */
import { cpSync, existsSync, mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { main } from '../cli/main';
import type { KubernetesObject } from '../policies/rule';
import { pack } from '../policies/rules/kubernetes';
import { noAllNamespacesIngress } from '../policies/rules/kubernetes/no-all-namespaces-ingress';
import { renderClusterObjects } from '../stacks/kubernetes/render';
import { kubernetesSettings } from '../stacks/kubernetes/settings';
import { find, fixtureCloud, fixtureInput, ruleContext } from './kubernetes-fixtures';

const REPO = resolve(__dirname, '..');

function withPods(podNetworks: Record<string, string>) {
  const input = { ...fixtureInput(), kubernetes: { podNetworks } };
  const { cloud, env } = fixtureCloud(input);
  const settings = kubernetesSettings(env, cloud);
  const objects = new Map(cloud.clusters.map((c) => [c.id, structuredClone(renderClusterObjects(cloud, c, settings.podNetworks.get(c.id))) as KubernetesObject[]]));
  return { cloud, env, objects };
}

describe('kubernetes.podNetworks', () => {
  it('no ipBlock of a system admits the pod network: outside traffic reaches the IPS hosts, not pods; the pack still passes', () => {
    const { cloud, env, objects } = withPods({ north: '100.64.0.0/16', south: '100.65.0.0/16' });
    const blocks = [...objects.values()].flat().filter((o) => o.kind === 'NetworkPolicy' && o.metadata.name.startsWith('allow-') && /^\d/.test(o.metadata.name.slice(6)))
      .flatMap((o) => JSON.stringify(o.spec).match(/"cidr":"[^"]+"(,"except":\[[^\]]*\])?/g) ?? []);
    expect(blocks.length).toBeGreaterThan(0);
    // The internet and the government network enter at the IPS hosts (edge), which pods admit by the edge segment's range.
    expect(blocks.filter((b) => b.includes('0.0.0.0/0') || b.includes('172.16.0.0/12'))).toEqual([]);
    expect(blocks).toContain('"cidr":"10.10.0.0/24"');
    expect(blocks.filter((b) => b.includes('except'))).toEqual([]);
    const context = ruleContext(cloud, env, objects);
    expect(pack.flatMap((r) => r.check(context)).filter((r) => r.status === 'fail')).toEqual([]);
  });

  it('NDC-K8S-002 fails an ipBlock into a level-3 namespace that covers the pod network without excepting it', () => {
    const { cloud, env, objects } = withPods({ north: '100.64.0.0/16' });
    const policy = find(objects, 'north', 'NetworkPolicy', 'allow-1-edge-to-dmz-ingress', 'records');
    (policy.spec as { ingress: { from: unknown[] }[] }).ingress[0].from = [{ ipBlock: { cidr: '0.0.0.0/0' } }];
    const failed = noAllNamespacesIngress.check(ruleContext(cloud, env, objects)).filter((r) => r.status === 'fail');
    expect(failed.map((r) => r.message)).toEqual([
      'level-3 namespace records: ingress[0].from[0] ipBlock 0.0.0.0/0 covers the pod network 100.64.0.0/16: every pod of the cluster, all namespaces included',
    ]);
    (policy.spec as { ingress: { from: unknown[] }[] }).ingress[0].from = [{ ipBlock: { cidr: '0.0.0.0/0', except: ['100.0.0.0/8'] } }];
    expect(noAllNamespacesIngress.check(ruleContext(cloud, env, objects)).filter((r) => r.status === 'fail')).toEqual([]);
  });

  it.each([
    [{ podNetworks: { east: '100.64.0.0/16' } }, 'environments/fixture.ts: kubernetes.podNetworks.east: "east": is not a region of this environment (regions: north, south)'],
    [{ podNetworks: { north: '100.64.0.1/16' } }, 'environments/fixture.ts: kubernetes.podNetworks.north: "100.64.0.1/16": has host bits set'],
    [{ podNetworks: { north: '100.064.0.0/16' } }, 'environments/fixture.ts: kubernetes.podNetworks.north: "100.064.0.0/16": has a leading zero'],
    [{ podNetworks: { north: '10.10.128.0/17' } }, 'environments/fixture.ts: kubernetes.podNetworks.north: "10.10.128.0/17": overlaps regions[0].addressPlan.cidr (10.10.0.0/16); each cluster\'s pods need a range of their own'],
    [{ podNetworks: { north: '172.20.0.0/16' } }, 'environments/fixture.ts: kubernetes.podNetworks.north: "172.20.0.0/16": overlaps interconnect.govNetworkCidr (172.16.0.0/12)'],
    // Another cluster's range, and another cluster's pods: accepted before, though routes and policies then match both.
    [{ podNetworks: { north: '10.20.0.0/16' } }, 'environments/fixture.ts: kubernetes.podNetworks.north: "10.20.0.0/16": overlaps regions[1].addressPlan.cidr (10.20.0.0/16)'],
    [{ podNetworks: { north: '100.64.0.0/16', south: '100.64.0.0/16' } }, 'environments/fixture.ts: kubernetes.podNetworks.south: "100.64.0.0/16": overlaps kubernetes.podNetworks.north (100.64.0.0/16)'],
    [{ podNetworks: { north: '100.64.0.0/10', south: '100.65.0.0/16' } }, 'environments/fixture.ts: kubernetes.podNetworks.south: "100.65.0.0/16": overlaps kubernetes.podNetworks.north (100.64.0.0/10)'],
  ])('rejects %j at load with one line naming the field', (kubernetes, message) => {
    expect(() => fixtureCloud({ ...fixtureInput(), kubernetes })).toThrow(message);
  });

  it('rejects an unknown field of the kubernetes block where the layer reads it', () => {
    const { cloud, env } = fixtureCloud({ ...fixtureInput(), kubernetes: { pods: {} } });
    expect(() => kubernetesSettings(env, cloud)).toThrow('environments/fixture.ts: kubernetes: unknown field "pods" (known: podNetworks)');
  });

  it('ndc synth exits 2 on a bad pod network and leaves out/ as it was', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ndc-k8s-settings-'));
    mkdirSync(join(root, 'environments'));
    cpSync(join(REPO, 'environments', 'schema.ts'), join(root, 'environments', 'schema.ts'));
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
    writeFileSync(join(root, 'environments', 'fixture.json'), JSON.stringify({ ...fixtureInput(), kubernetes: { podNetworks: { north: '10.10.0.0/24' } } }));
    const err: string[] = [];
    const io = { root, json: false, out: () => undefined, err: (l: string) => err.push(l), now: () => new Date('2026-11-27T00:00:00Z') };
    expect(await main(['synth', '--env', 'fixture'], io)).toBe(2);
    expect(err).toEqual([expect.stringMatching(/^ndc synth: environments\/fixture\.json: kubernetes\.podNetworks\.north: "10\.10\.0\.0\/24": overlaps regions\[0\]\.addressPlan\.cidr \(10\.10\.0\.0\/16\)/)]);
    expect(existsSync(join(root, 'out', 'fixture'))).toBe(false);
  });
});
