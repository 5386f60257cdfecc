import type { InformationSystem } from '../../constructs';
import { resourcesOfType, tagsOf, terraformIndex, type TerraformResource } from '../artifacts/terraform';
import type { ArtifactSet, RuleContext } from '../rule';
import type { ControlDetector } from './control';

/**
 * Central backup from level 3, read from the backup vaults' Terraform: the system has backup buckets (not
 * its log bucket) in at least two clusters' vaults, each versioned and encrypted (3-2-1: copies apart from
 * the primary, encrypted). NDC-BAK-* judge the plan itself (schedule, retention, media, immutability).
 */
export const centralBackup: ControlDetector = {
  id: 'centralBackup',
  name: 'central backup (buckets in the backup vaults of two clusters, versioned and encrypted)',
  requiredFromLevel: 3,
  citation: 'Circular 12/2022/TT-BTTTT, Annex, level 3 (central backup)',
  check: (system, context) => {
    const buckets = (terraformIndex(context.artifacts).bucketsBySystem.get(system.id) ?? []).filter((b) => ((b.config.tags ?? {}) as Record<string, string>)['ndc-purpose'] === undefined);
    if (buckets.length === 0) return [`no backup buckets for ${system.id} in terraform/backup-vaults (minio_s3_bucket tagged ndc-system=${system.id})`];
    const problems: string[] = [];
    const clusters = new Set(buckets.map((b) => ((b.config.tags ?? {}) as Record<string, string>)['ndc-cluster']));
    if (clusters.size < 2) problems.push(`backup buckets in ${clusters.size} cluster (${[...clusters].join(', ')}); a central backup keeps copies in at least two clusters`);
    const bucketRef = (b: { type: string; name: string }) => `\${${b.type}.${b.name}.bucket}`;
    const { encrypted, versioned } = bucketSettingsOf(context);
    for (const b of buckets) {
      if (!encrypted.has(`${b.stack}|${bucketRef(b)}`)) problems.push(`backup bucket ${String(b.config.bucket)} is not encrypted`);
      if (!versioned.has(`${b.stack}|${bucketRef(b)}`)) problems.push(`backup bucket ${String(b.config.bucket)} is not versioned`);
    }
    return problems;
  },
};

/**
 * High availability from level 3, read from the cluster Terraform: in the primary cluster every tier of the
 * system runs at least two instances (the compute pools spread them over availability zones and server
 * groups), so losing one host does not stop the service.
 */
export const highAvailability: ControlDetector = {
  id: 'highAvailability',
  name: 'high availability (at least two instances of every tier in the primary cluster)',
  requiredFromLevel: 3,
  citation: 'Circular 12/2022/TT-BTTTT, Annex, level 3 (high availability)',
  check: (system, context) => instancesPerTierProblems(context, system),
};

const bucketSettings = new WeakMap<ArtifactSet, { encrypted: ReadonlySet<string>; versioned: ReadonlySet<string> }>();

/** `stack|bucket reference` of the buckets with server-side encryption and with versioning, once per artifact set. */
function bucketSettingsOf(context: RuleContext): { encrypted: ReadonlySet<string>; versioned: ReadonlySet<string> } {
  const cached = bucketSettings.get(context.artifacts);
  if (cached) return cached;
  const keys = (type: string) => new Set(resourcesOfType(context.artifacts, type).map((e) => `${e.stack}|${String(e.config.bucket)}`));
  const built = { encrypted: keys('minio_s3_bucket_server_side_encryption'), versioned: keys('minio_s3_bucket_versioning') };
  bucketSettings.set(context.artifacts, built);
  return built;
}

const instancesByTaggedSystem = new WeakMap<ArtifactSet, ReadonlyMap<string, readonly TerraformResource[]>>();

/** The compute instances by their `ndc:system` tag, once per artifact set. */
function instancesTaggedWith(context: RuleContext, system: string): readonly TerraformResource[] {
  let bySystem = instancesByTaggedSystem.get(context.artifacts);
  if (!bySystem) {
    const grouped = new Map<string, TerraformResource[]>();
    for (const instance of resourcesOfType(context.artifacts, 'openstack_compute_instance_v2')) {
      const tagged = tagsOf(instance).system;
      if (tagged === undefined) continue;
      (grouped.get(tagged) ?? grouped.set(tagged, []).get(tagged)!).push(instance);
    }
    bySystem = grouped;
    instancesByTaggedSystem.set(context.artifacts, bySystem);
  }
  return bySystem.get(system) ?? [];
}

function instancesPerTierProblems(context: RuleContext, system: InformationSystem): string[] {
  const primary = system.primary.id;
  const count = new Map<string, number>();
  for (const instance of instancesTaggedWith(context, system.id)) {
    const tags = tagsOf(instance);
    if (tags.system !== system.id || tags.cluster !== primary || tags.role !== 'primary' || !tags.tier) continue;
    count.set(tags.tier, (count.get(tags.tier) ?? 0) + 1);
  }
  return system.tiers
    .filter((tier) => (count.get(tier.name) ?? 0) < 2)
    .map((tier) => `tier ${tier.name} runs ${count.get(tier.name) ?? 0} instance(s) in ${primary}; high availability needs at least two`);
}
