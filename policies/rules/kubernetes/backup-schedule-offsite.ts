import type { RegionalCluster } from '../../../constructs';
import type { KubernetesObject, Rule, RuleContext, RuleResult } from '../../rule';
import { clusterObjects, isNamespace, levelOf, REGULATION_PROFILE, subjectOf, systemOf } from './objects';

/** NDC-K8S-004: every level 3+ namespace is backed up by a Velero Schedule to another cluster's vault. */
export const backupScheduleOffsite: Rule = {
  id: 'NDC-K8S-004',
  title: 'Every level 3+ namespace has a backup schedule to another cluster',
  family: 'backup',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: { profile: REGULATION_PROFILE, reference: 'Decree 85/2016/ND-CP and TCVN 11930:2017: central backup (3-2-1, encrypted) from level 3' },
  explanation:
    'A backup kept in the cluster it protects is lost with that cluster. Level 3 and higher systems need a central, encrypted backup with ' +
    'an offsite copy: in the Kubernetes layer, an active Velero Schedule that includes the namespace and writes to a BackupStorageLocation ' +
    "whose object store is the backup vault of another regional cluster of the cloud (matched by the vault's endpoint in the model).",
  remediation: 'Give the system a backup plan with a copy in another cluster (environments/<env>.ts: backup.copies) and synthesize again.',
  check(context) {
    const results: RuleResult[] = [];
    const all = clusterObjects(context);
    for (const { cluster, object: namespace } of all.filter((o) => isNamespace(o.object))) {
      const level = levelOf(context, namespace);
      if (level === undefined || level < 3) continue;
      const name = namespace.metadata.name;
      const objects = all.filter((o) => o.cluster === cluster).map((o) => o.object);
      const schedules = objects.filter((o) => o.apiVersion === 'velero.io/v1' && o.kind === 'Schedule' && includes(o, name));
      const targets = schedules.map((s) => ({ schedule: s, vault: vaultOf(context, objects, s) }));
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
function vaultOf(context: RuleContext, objects: readonly KubernetesObject[], schedule: KubernetesObject): RegionalCluster | undefined {
  const locationName = ((schedule.spec ?? {}) as ScheduleSpec).template?.storageLocation;
  const location = objects.find((o) => o.apiVersion === 'velero.io/v1' && o.kind === 'BackupStorageLocation' && o.metadata.name === locationName && o.metadata.namespace === schedule.metadata.namespace);
  const url = ((location?.spec ?? {}) as { config?: { s3Url?: string } }).config?.s3Url;
  const host = hostOf(url);
  if (host === undefined) return undefined;
  return context.cloud.clusters.find((c) => hostOf(`https://${c.backupVault.endpoint}`) === host);
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}
