import { canonicalJson } from '../../core/canonical-json';
import type { Artifact, Manifest } from '../../stacks/manifest';
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

/** Everything the model reads besides the artifacts' text: the government network and each system's level and owner. */
export interface RenderedFacts {
  readonly governmentNetwork: string;
  readonly systems: readonly { readonly id: string; readonly level: number; readonly owner: string }[];
}

/**
 * The reachability synthesis computed for the scope digests (scope-reach.ts), kept for the check that
 * follows in the same process (`ndc start`, plan). It is reused only for the very same inputs: every
 * artifact's path, stack, engine and text equal (the same strings, in that process), and the same facts.
 */
let lastRendered: { artifacts: readonly Pick<Artifact, 'path' | 'engine' | 'stack' | 'content'>[]; facts: string; reach: Reachability } | undefined;

const factsKey = (facts: RenderedFacts) => canonicalJson({ governmentNetwork: facts.governmentNetwork, systems: [...facts.systems].map((s) => [s.id, s.level, s.owner]).sort() });

export function rememberRenderedReachability(artifacts: readonly Pick<Artifact, 'path' | 'engine' | 'stack' | 'content'>[], facts: RenderedFacts, reach: Reachability): void {
  lastRendered = { artifacts, facts: factsKey(facts), reach };
}

function renderedReachabilityFor(inputs: NetworkInputs): Reachability | undefined {
  if (!lastRendered || lastRendered.facts !== factsKey({ governmentNetwork: inputs.governmentNetwork, systems: inputs.manifest.systems })) return undefined;
  const listed = inputs.manifest.artifacts;
  if (listed.length !== lastRendered.artifacts.length || inputs.artifacts.text.size !== listed.length) return undefined;
  const byPath = new Map(listed.map((a) => [a.path, a]));
  for (const a of lastRendered.artifacts) {
    const entry = byPath.get(a.path);
    if (!entry || entry.stack !== a.stack || entry.engine !== a.engine || inputs.artifacts.text.get(a.path) !== a.content) return undefined;
  }
  return lastRendered.reach;
}

/** The model and one-hop reachability of an artifact set, computed once and shared by every NDC-NET rule. */
export function networkReachability(inputs: NetworkInputs): Reachability {
  const byGov = analysed.get(inputs.artifacts) ?? analysed.set(inputs.artifacts, new Map()).get(inputs.artifacts)!;
  const cached = byGov.get(inputs.governmentNetwork);
  if (cached) return cached;
  const rendered = renderedReachabilityFor(inputs);
  if (rendered) {
    byGov.set(inputs.governmentNetwork, rendered);
    return rendered;
  }
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
