import { clusterWithId } from '../../cloud-index';
import type { CollectionService, Flow } from '../../../constructs';
import { INTERNET, overlaps } from '../../network/addresses';
import { networkReachability } from '../../network';
import type { Endpoint } from '../../network/model';
import { admits, type Allowance, type Hop, type Reachability } from '../../network/reachability';
import { serviceOf, showRule, showService, within, type Service } from '../../network/services';
import type { RuleContext } from '../../rule';
import { VELERO_NAMESPACE } from '../../../stacks/kubernetes/labels';
import { urlPort } from '../../../stacks/kubernetes/prerequisites';
import { backupVaultS3Url } from '../../../stacks/kubernetes/render';

/** What the NDC-NET rules share: the reachability of the artifacts, and how a hop is explained by the model's flows. */

export const reachOf = (context: RuleContext): Reachability =>
  networkReachability({ artifacts: context.artifacts, manifest: context.manifest, governmentNetwork: context.cloud.govNetwork.text });

const flowIndexes = new WeakMap<RuleContext['cloud'], Map<string, Flow[]>>();

/** The flows of each system's placement, by `system|cluster`. */
function flowsOf(context: RuleContext, system: string | undefined, cluster: string | undefined): Flow[] {
  let index = flowIndexes.get(context.cloud);
  if (!index) {
    index = new Map();
    for (const s of context.cloud.systems) for (const p of s.placements) index.set(`${s.id}|${p.cluster.id}`, p.flows);
    flowIndexes.set(context.cloud, index);
  }
  return index.get(`${system}|${cluster}`) ?? [];
}

const vaultIndexes = new WeakMap<RuleContext['cloud'], Map<string, Map<string, number>>>();

/**
 * The backup vaults Velero on a cluster writes to (a copy of a system placed there, held in another
 * cluster's vault), with the port of each vault's object store, by the vault's cluster: what the
 * renderer opens in the velero namespace's egress policies.
 */
function veleroVaultsOf(context: RuleContext, cluster: string | undefined): ReadonlyMap<string, number> {
  let index = vaultIndexes.get(context.cloud);
  if (!index) {
    index = new Map();
    for (const s of context.cloud.systems) {
      for (const p of s.placements) {
        for (const copy of s.backup?.copies ?? []) {
          if (copy.cluster === p.cluster) continue;
          const vaults = index.get(p.cluster.id) ?? index.set(p.cluster.id, new Map()).get(p.cluster.id)!;
          vaults.set(copy.cluster.id, urlPort(backupVaultS3Url(copy.cluster.backupVault), `${copy.cluster.backupVault.node.path}: endpoint`));
        }
      }
    }
    vaultIndexes.set(context.cloud, index);
  }
  return index.get(cluster ?? '') ?? new Map();
}

/** True for the pods of the velero namespace (the platform's backup agent). */
const isVelero = (e: Endpoint): boolean => e.kind === 'platform-pods' && e.members.length > 0 && e.members.every((m) => m.startsWith(`${VELERO_NAMESPACE}/`));

const portOf = (flow: Flow): Service => serviceOf(flow.port.protocol, flow.port.from, flow.port.to);

/** The declared flow (or platform duty) that explains one allowance of a hop, undefined when nothing does. */
export function explanationOf(context: RuleContext, reach: Reachability, hop: Hop, allowance: Allowance): string | undefined {
  const a = reach.model.byId.get(hop.from)!;
  const b = reach.model.byId.get(hop.to)!;
  const s = allowance.service;
  if (b.kind === 'platform-pods') return `the cluster's own services (${b.members.join(', ')})`;
  // Velero writes backups to the shared backup segment of each vault its locations name, on the object store's port only.
  if (isVelero(a) && b.zoneKind === 'backup' && b.system === undefined && b.cluster !== undefined && (b.kind === 'hosts' || b.kind === 'zone-addresses')) {
    const port = veleroVaultsOf(context, a.cluster).get(b.cluster);
    if (port !== undefined && within(s, serviceOf('tcp', port, port))) return `Velero's backups to the backup vault of cluster ${b.cluster} (tcp/${port})`;
  }
  const edgeSystem = (e: Endpoint) => context.cloud.systems.find((x) => x.id === e.system && x.publicEdge);
  if (b.kind === 'distribution' && a.kind === 'internet' && edgeSystem(b)) return `public edge of ${b.system}`;
  if (b.kind === 'bucket' && a.kind === 'distribution' && a.system === b.system && edgeSystem(b)) return `origin of the public edge of ${b.system}`;
  if (b.service !== undefined && b.system === undefined && b.zoneKind === 'management' && a.zoneKind === 'management') return `shared service ${b.service} admits the management zones`;
  // A cluster's collection services (log collectors, patch mirror) admit the tiers whose system declares a flow to them, on its port.
  if (b.service !== undefined && b.system === undefined && a.system !== undefined && a.cluster === b.cluster) {
    const outbound = flowsOf(context, a.system, a.cluster).find((f) => f.collection === b.service && f.fromZone === a.zoneKind && within(s, portOf(f)));
    if (outbound) return `flow ${outbound.node.path}`;
  }
  const flows = flowsOf(context, b.system, b.cluster);
  // The ingress side: which peer kinds the destination's admitting rules stand for.
  const admitting = (reach.model.ingress.get(b.id) ?? []).filter((p) => admits(p.peer, a));
  const kinds = new Set<string>();
  if (a.kind === 'internet' || a.kind === 'gov-network') kinds.add(a.kind);
  else if (a.system === b.system || (a.system === undefined && a.cluster === b.cluster) || (a.system === undefined && a.zoneKind === 'management' && a.service !== undefined)) kinds.add(a.zoneKind);
  for (const p of admitting) {
    if (p.peer.kind !== 'addresses') continue;
    if (overlaps(p.peer.set, INTERNET)) kinds.add('internet');
    if (overlaps(p.peer.set, reach.model.governmentNetwork)) kinds.add('gov-network');
  }
  const inbound = flows.find((f) => kinds.has(f.fromZone) && f.to.zone === b.zoneKind && within(s, portOf(f)));
  if (!inbound) return undefined;
  // The egress side: the sender's own system must declare the flow too (outside peers and undeclared addresses have no egress rules here).
  if (a.kind === 'internet' || a.kind === 'gov-network' || a.kind === 'external' || a.kind === 'zone-addresses') return `flow ${inbound.node.path}`;
  if (a.system === undefined) return a.zoneKind === 'management' && a.service !== undefined && inbound.fromZone === 'management' ? `flow ${inbound.node.path}` : undefined;
  if (a.system !== b.system) return undefined;
  const outbound = flowsOf(context, a.system, a.cluster).find((f) => f.fromZone === a.zoneKind && f.to.zone === b.zoneKind && within(s, portOf(f)));
  return outbound ? `flow ${outbound.node.path}` : undefined;
}

/** The collection service (log collector, patch mirror) an endpoint is, with its port, when it is one. */
export function collectionServiceOf(context: RuleContext, e: Endpoint): CollectionService | undefined {
  if (e.service === undefined || e.system !== undefined) return undefined;
  return clusterWithId(context.cloud, e.cluster)?.collectionServices.find((s) => s.name === e.service);
}

/** True when every allowance of the hop is explained by a declared flow. */
export const declared = (context: RuleContext, reach: Reachability, hop: Hop): boolean => hop.allows.every((a) => explanationOf(context, reach, hop, a) !== undefined);

export const describeAllowance = (a: Allowance): string => `${showService(a.service)} by ${a.rules.map(showRule).join(' + ')}`;

export const describe = (hop: Hop): string => `${hop.from} -> ${hop.to} (${hop.allows.map(describeAllowance).join('; ')})`;

export const pathText = (hops: readonly Hop[]): string => [hops[0]?.from, ...hops.map((h) => h.to)].join(' > ');

/** Problems grouped by the system they concern ('' for the platform), shortened for the report. */
export class ProblemsBySystem {
  private readonly bySystem = new Map<string, string[]>();
  note(system: string | undefined, problem: string): void {
    const key = system ?? '';
    (this.bySystem.get(key) ?? this.bySystem.set(key, []).get(key)!).push(problem);
  }
  of(system: string | undefined): string[] {
    const found = this.bySystem.get(system ?? '') ?? [];
    return found.length > 4 ? [...found.slice(0, 4), `and ${found.length - 4} more`] : found;
  }
}
