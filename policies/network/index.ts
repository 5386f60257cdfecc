import type { Manifest } from '../../stacks/manifest';
import type { ArtifactSet } from '../rule';
import { buildNetworkModel } from './model';
import { reachabilityOf, type Reachability } from './reachability';

export * from './addresses';
export * from './model';
export * from './reachability';
export * from './services';

export interface NetworkInputs {
  readonly artifacts: ArtifactSet;
  readonly manifest: Pick<Manifest, 'artifacts' | 'systems'>;
  /** The government network's CIDR (the environment's interconnect.govNetworkCidr). */
  readonly governmentNetwork: string;
}

const analysed = new WeakMap<ArtifactSet, Map<string, Reachability>>();

/** The model and one-hop reachability of an artifact set, computed once and shared by every NDC-NET rule. */
export function networkReachability(inputs: NetworkInputs): Reachability {
  const byGov = analysed.get(inputs.artifacts) ?? analysed.set(inputs.artifacts, new Map()).get(inputs.artifacts)!;
  const cached = byGov.get(inputs.governmentNetwork);
  if (cached) return cached;
  const model = buildNetworkModel({
    artifacts: inputs.artifacts,
    files: new Map(inputs.manifest.artifacts.filter((a) => a.engine !== 'cloudformation' || a.path.endsWith('.template.json')).map((a) => [a.stack, a.path])),
    governmentNetwork: inputs.governmentNetwork,
    systems: new Map(inputs.manifest.systems.map((s) => [s.id, { level: s.level, owner: s.owner }])),
  });
  const reach = reachabilityOf(model);
  byGov.set(inputs.governmentNetwork, reach);
  return reach;
}
