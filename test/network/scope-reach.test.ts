import { PLATFORM_SYSTEM_ID } from '../../environments/schema';
import { artifactSetOf } from '../../policies/artifacts';
import { networkReachability } from '../../policies/network';
import { scopeReachLines } from '../../policies/network/scope-reach';
import { reachDigest } from '../../stacks/reach';
import { manifestOfRender } from '../../stacks/synth';
import { environmentInput } from '../helpers';
import { fixture } from '../policy-fixtures';

/** Scope reachability (stacks/reach.ts): what each scope digest covers besides the scope's own resources. */
const dev = fixture(environmentInput('dev'));
const facts = { governmentNetwork: dev.context.cloud.govNetwork.text, systems: dev.context.manifest.systems };

describe('scope reachability lines', () => {
  it('lists, for every scope, who reaches it, where it connects and what outside networks reach over several hops; other scopes by name only', () => {
    const lines = scopeReachLines({ artifacts: dev.artifacts, ...facts });
    expect([...lines.keys()].sort()).toEqual(dev.context.manifest.systems.map((s) => s.id).sort());
    const portal = lines.get('open-data-portal')!;
    expect(portal).toContain('in internet -> vm:north/open-data-portal/ips tcp/443');
    expect(portal).toContain('path internet -> vm:north/open-data-portal/web');
    expect(portal).toContain(`out vm:north/open-data-portal/web -> scope:${PLATFORM_SYSTEM_ID} tcp/24224`);
    expect(lines.get(PLATFORM_SYSTEM_ID)).toContain('in scope:open-data-portal -> vm:north/log-collector tcp/24224');
    // Another scope's endpoints never appear in a scope's lines: only `scope:<id>` does.
    for (const [id, list] of lines) {
      for (const line of list) {
        const ends = line.split(' ').filter((word) => /^(vm|pod|cdn|bucket|zone):/.test(word));
        for (const end of ends) expect([id, end]).toEqual([id, expect.not.stringMatching(new RegExp(`^(vm|pod):[a-z]+/(?!${id}/)(${dev.context.manifest.systems.map((s) => s.id).filter((s) => s !== id).join('|')})/`))]);
      }
      expect([...list].sort()).toEqual(list);
    }
    // The digests the manifest records are those of these lines.
    for (const scope of dev.context.manifest.scopes) expect([scope.id, scope.reach]).toEqual([scope.id, reachDigest(lines.get(scope.id) ?? [])]);
  });

  it('the check reuses the reachability synthesis computed, for the same texts only', () => {
    const { manifest } = manifestOfRender(dev.context.cloud, dev.context.env, dev.artifacts);
    const inputs = (artifacts: typeof dev.artifacts) => ({ artifacts: artifactSetOf(artifacts), manifest, governmentNetwork: facts.governmentNetwork });
    const same = networkReachability(inputs(dev.artifacts));
    expect(networkReachability(inputs(dev.artifacts))).toBe(same);
    // One artifact's text differs (as an edit of out/ would make it): computed afresh, and it shows the edit.
    const edited = dev.artifacts.map((a) => (a.stack === 'cluster-north' && a.engine === 'terraform' ? { ...a, content: a.content.replace('"remote_ip_prefix": "10.200.6.0/24"', '"remote_ip_prefix": "0.0.0.0/0"') } : a));
    expect(edited.find((a) => a.stack === 'cluster-north')!.content).not.toBe(dev.artifacts.find((a) => a.stack === 'cluster-north')!.content);
    const other = networkReachability(inputs(edited));
    expect(other).not.toBe(same);
    expect(other.hops.some((h) => h.from === 'vm:north/log-collector' && h.to === 'vm:north/open-data-portal/ips')).toBe(true);
    expect(same.hops.some((h) => h.from === 'vm:north/log-collector' && h.to === 'vm:north/open-data-portal/ips')).toBe(false);
  });
});
