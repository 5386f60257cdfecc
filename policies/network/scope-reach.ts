import { PLATFORM_SYSTEM_ID } from '../../environments/schema';
import type { ReachInput } from '../../stacks/reach';
import { rememberRenderedReachability } from './index';
import { networkArtifactsOf } from './artifacts';
import { buildNetworkModel, type Endpoint } from './model';
import { reachabilityOf, shortestPaths } from './reachability';
import { showService } from './services';

/**
 * Each scope's reachability as lines (DESIGN.md: a change voids the approvals of the scopes whose
 * reachability it changes), computed from the artifacts like every NDC-NET rule:
 * - `in <peer> -> <endpoint> <services>`: what may open a connection to one of the scope's endpoints,
 *   the peer being an outside network (`internet`, `gov-network`, `external:...`), another scope
 *   (`scope:<id>`), or an endpoint of the scope itself;
 * - `out <endpoint> -> <peer> <services>`: where the scope's endpoints may connect outside the scope;
 * - `path <origin> -> <endpoint>`: an outside network reaches the endpoint over any number of hops.
 * Another scope's peers are named by scope, not by endpoint, so a system adding a tier that talks to
 * the platform's log collector, as its other tiers already do, changes only its own lines.
 */
export function scopeReachLines(input: ReachInput): Map<string, string[]> {
  const artifacts = networkArtifactsOf(input.artifacts);
  const model = buildNetworkModel({
    artifacts,
    files: new Map(input.artifacts.filter((a) => a.engine !== 'cloudformation' || a.path.endsWith('.template.json')).map((a) => [a.stack, a.path])),
    governmentNetwork: input.governmentNetwork,
    systems: new Map(input.systems.map((s) => [s.id, { level: s.level, owner: s.owner }])),
  });
  const reach = reachabilityOf(model);
  rememberRenderedReachability(input.artifacts, input, reach);
  const scopes = new Set(input.systems.map((s) => s.id));
  const lines = new Map<string, Set<string>>([...scopes].map((id) => [id, new Set<string>()]));
  const outside = (e: Endpoint) => e.kind === 'internet' || e.kind === 'gov-network' || e.kind === 'external';
  // An endpoint of a system this environment does not deploy (a tag edited by hand) is the platform's to answer for.
  const scopeOf = (e: Endpoint): string | undefined => (outside(e) ? undefined : e.system !== undefined && scopes.has(e.system) ? e.system : PLATFORM_SYSTEM_ID);
  const add = (scope: string, line: string) => lines.get(scope)!.add(line);
  for (const hop of reach.hops) {
    const from = model.byId.get(hop.from)!;
    const to = model.byId.get(hop.to)!;
    const services = [...new Set(hop.allows.map((a) => showService(a.service)))].sort().join(',');
    const source = scopeOf(from);
    const target = scopeOf(to);
    if (target !== undefined) add(target, `in ${source === undefined ? from.id : source === target ? from.id : `scope:${source}`} -> ${to.id} ${services}`);
    if (source !== undefined && source !== target) add(source, `out ${from.id} -> ${target === undefined ? to.id : `scope:${target}`} ${services}`);
  }
  for (const origin of model.endpoints.filter(outside)) {
    for (const reached of shortestPaths(reach, [origin.id]).keys()) {
      const e = model.byId.get(reached);
      const scope = e ? scopeOf(e) : undefined;
      if (scope !== undefined) add(scope, `path ${origin.id} -> ${reached}`);
    }
  }
  return new Map([...lines].map(([id, set]) => [id, [...set].sort(compare)]));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
