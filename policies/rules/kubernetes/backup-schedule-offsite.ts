import { clustersOf } from '../../cloud-index';
import type { RegionalCluster } from '../../../constructs';
import type { KubernetesObject, Rule, RuleContext, RuleResult } from '../../rule';
import { clusterObjects, isNamespace, levelOf, objectsIn, subjectOf, systemOf } from '../../artifacts/kubernetes';
import { vn2016 } from '../support';

/** NDC-K8S-004: every level 3+ namespace is backed up by a Velero Schedule to another cluster's vault. */
export const backupScheduleOffsite: Rule = {
  id: 'NDC-K8S-004',
  title: 'Every level 3+ namespace has a backup schedule to another cluster',
  family: 'backup',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Decree 85/2016/ND-CP and TCVN 11930:2017: central backup (3-2-1, encrypted) from level 3'),
  explanation:
    'A backup kept in the cluster it protects is lost with that cluster. Level 3 and higher systems need a central, encrypted backup with ' +
    'an offsite copy: in the Kubernetes layer, an active Velero Schedule that includes the namespace and writes to a BackupStorageLocation ' +
    "whose object store is the backup vault of another regional cluster of the cloud (matched by the vault's endpoint in the model).",
  remediation: 'Give the system a backup plan with a copy in another cluster (environments/<env>.ts: backup.copies) and synthesize again.',
  check(context) {
    const results: RuleResult[] = [];
    const all = clusterObjects(context);
    // Per cluster, once: its Velero Schedules (in artifact order) and BackupStorageLocations by namespace/name.
    // Schedules naming a namespace are indexed by it; the others (all namespaces) are checked for each.
    const veleroOf = new Map<string, { named: Map<string, number[]>; wildcard: number[]; schedules: KubernetesObject[]; locations: Map<string, KubernetesObject> }>();
    const velero = (cluster: string) => {
      let found = veleroOf.get(cluster);
      if (!found) {
        const objects = objectsIn(context, cluster).map((o) => o.object).filter((o) => o.apiVersion === 'velero.io/v1');
        const schedules = objects.filter((o) => o.kind === 'Schedule');
        const named = new Map<string, number[]>();
        const wildcard: number[] = [];
        schedules.forEach((schedule, i) => {
          const included = ((schedule.spec ?? {}) as ScheduleSpec).template?.includedNamespaces ?? ['*'];
          if (included.length === 0 || included.includes('*')) wildcard.push(i);
          else for (const ns of new Set(included)) named.set(ns, [...(named.get(ns) ?? []), i]);
        });
        found = {
          named,
          wildcard,
          schedules,
          locations: new Map(objects.filter((o) => o.kind === 'BackupStorageLocation').reverse().map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o])),
        };
        veleroOf.set(cluster, found);
      }
      return found;
    };
    for (const { cluster, object: namespace } of all.filter((o) => isNamespace(o.object))) {
      const level = levelOf(context, namespace);
      if (level === undefined || level < 3) continue;
      const name = namespace.metadata.name;
      const { named, wildcard, schedules: clusterSchedules, locations } = velero(cluster);
      const candidates = [...(named.get(name) ?? []), ...wildcard].sort((a, b) => a - b);
      const schedules = candidates.map((i) => clusterSchedules[i]).filter((o) => includes(o, name));
      const targets = schedules.map((s) => ({ schedule: s, vault: vaultOf(context, locations, s) }));
      const offsite = targets.filter((t) => t.vault !== undefined && t.vault.id !== cluster);
      let message: string;
      if (offsite.length > 0) {
        message = `namespace ${name} (level ${level}) is backed up to ${offsite.map((t) => `${t.vault!.id} (Schedule ${t.schedule.metadata.name}, ${String((t.schedule.spec as { schedule?: string }).schedule)})`).join(', ')}`;
      } else if (schedules.length === 0) {
        message = `no active Velero Schedule includes namespace ${name} (level ${level})`;
      } else {
        message = `namespace ${name} (level ${level}) is backed up only to ${targets.map((t) => (t.vault ? `this cluster's own vault (${t.vault.id})` : `an object store that is no backup vault of the cloud (Schedule ${t.schedule.metadata.name})`)).join(', ')}`;
      }
      results.push({ status: offsite.length > 0 ? 'pass' : 'fail', systemId: systemOf(context, namespace)?.id, subject: subjectOf(cluster, namespace), message });
    }
    return results;
  },
};

interface ScheduleSpec {
  readonly paused?: boolean;
  readonly template?: { readonly includedNamespaces?: readonly string[]; readonly excludedNamespaces?: readonly string[]; readonly storageLocation?: string };
}

function includes(schedule: KubernetesObject, namespace: string): boolean {
  const spec = (schedule.spec ?? {}) as ScheduleSpec;
  if (spec.paused === true) return false;
  const included = spec.template?.includedNamespaces ?? ['*'];
  const listed = included.length === 0 || included.includes('*') || included.includes(namespace);
  return listed && !(spec.template?.excludedNamespaces ?? []).includes(namespace);
}

/** The cluster whose backup vault the schedule's storage location writes to, matched on the endpoint. */
function vaultOf(context: RuleContext, locations: ReadonlyMap<string, KubernetesObject>, schedule: KubernetesObject): RegionalCluster | undefined {
  const locationName = ((schedule.spec ?? {}) as ScheduleSpec).template?.storageLocation;
  const location = locations.get(`${schedule.metadata.namespace}/${locationName}`);
  const url = ((location?.spec ?? {}) as { config?: { s3Url?: string } }).config?.s3Url;
  const host = hostOf(url);
  if (host === undefined) return undefined;
  return clustersOf(context.cloud).find((c) => hostOf(`https://${c.backupVault.endpoint}`) === host);
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}
