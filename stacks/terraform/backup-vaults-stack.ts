import type { Construct } from 'constructs';
import { TerraformStack } from 'cdktf';
import { lockRetention, type BackupVault, type InformationSystem, type NationalCloud } from '../../constructs';
import type { Environment } from '../../environments/schema';
import { PLATFORM_SCOPE } from '../scopes';
import { inScope } from './scope';
import { configureBackend } from './backend';
import { S3Bucket, S3BucketObjectLockConfiguration, S3BucketServerSideEncryption, S3BucketVersioning } from './providers/minio';
import { MinioProvider } from './providers/provider';
import { LOG_BUCKET_PURPOSE, logBucketName } from './security-agents';

export const BACKUP_VAULTS = 'backup-vaults';

/**
 * The backup vaults: for every backup copy of every system, a bucket in the vault of the cluster holding
 * the copy: versioned, encrypted with the vault's KMS key, and object-locked (compliance mode, for the
 * plan's retention) when the copy is immutable.
 */
export function backupVaultsStack(app: Construct, cloud: NationalCloud, env: Environment): TerraformStack {
  const stack = new TerraformStack(app, BACKUP_VAULTS);
  configureBackend(stack, env, BACKUP_VAULTS);
  const envName = cloud.envName;
  for (const cluster of cloud.clusters) {
    const vault = cluster.backupVault;
    const provider = new MinioProvider(stack, `minio-${cluster.id}`, { server: vault.endpoint, region: cluster.id, alias: cluster.id });
    const buckets: { id: string; name: string; immutable: boolean; retentionDays: number; encrypted: boolean; system?: string; purpose?: string }[] = [
      { id: `${cluster.id}-platform`, name: `ndc-${envName}-${cluster.id}-platform`, immutable: vault.objectLock, retentionDays: vault.lockDays, encrypted: true },
    ];
    for (const system of cloud.systems) {
      const plan = system.backup;
      if (!plan) continue;
      plan.copies.forEach((copy, i) => {
        if (copy.cluster !== cluster) return;
        buckets.push({
          id: `${system.id}-${cluster.id}-${i}`,
          name: `ndc-${envName}-${system.id}-${cluster.id}-${copy.medium}`,
          immutable: copy.immutable,
          retentionDays: plan.retentionDays,
          encrypted: plan.encrypted,
          system: system.id,
        });
      });
    }
    // A system's log bucket is the system's (its retention is the system's level); the rest per bucket's owner.
    for (const system of cloud.systems) {
      if (system.logArchive.cluster === cluster) inScope(stack, system.id, () => logBuckets(stack, provider, envName, vault, system));
    }
    for (const b of buckets) inScope(stack, b.system ?? PLATFORM_SCOPE, () => {
      const bucket = new S3Bucket(stack, `${b.id}-bucket`, {
        bucket: b.name,
        acl: 'private',
        object_locking: b.immutable,
        force_destroy: false,
        tags: { 'ndc-env': envName, 'ndc-cluster': cluster.id, ...(b.system ? { 'ndc-system': b.system } : {}), ...(b.purpose ? { 'ndc-purpose': b.purpose } : {}) },
      }, { provider });
      new S3BucketVersioning(stack, `${b.id}-versioning`, { bucket: bucket.attribute('bucket'), versioning_configuration: [{ status: 'Enabled' }] }, { provider });
      if (b.encrypted) {
        new S3BucketServerSideEncryption(stack, `${b.id}-encryption`, { bucket: bucket.attribute('bucket'), encryption_type: 'aws:kms', kms_key_id: vault.kmsKeyId }, { provider });
      }
      if (b.immutable) {
        new S3BucketObjectLockConfiguration(stack, `${b.id}-object-lock`, {
          bucket: bucket.attribute('bucket'),
          object_lock_enabled: 'Enabled',
          rule: [{ default_retention: [{ mode: 'COMPLIANCE', days: b.retentionDays }] }],
        }, { provider });
      }
    });
  }
  return stack;
}


/**
 * A system's log bucket in the vault of its primary cluster (the backup zone: apart from every system
 * zone): versioned, KMS-encrypted and, from level 2, object-locked by default for the system's log
 * retention, in governance mode at levels 2-3 and compliance mode (nobody can shorten or remove it) from
 * level 4. The collectors of every cluster the system runs in write to it.
 */
function logBuckets(stack: TerraformStack, provider: MinioProvider, envName: string, vault: BackupVault, system: InformationSystem): void {
  const id = `${system.id}-logs`;
  const archive = system.logArchive;
  const bucket = new S3Bucket(stack, `${id}-bucket`, {
    bucket: logBucketName(envName, system.id),
    acl: 'private',
    object_locking: archive.lockMode !== undefined,
    force_destroy: false,
    tags: { 'ndc-env': envName, 'ndc-cluster': archive.cluster.id, 'ndc-system': system.id, 'ndc-purpose': LOG_BUCKET_PURPOSE, 'ndc-retention-months': String(archive.retentionMonths) },
  }, { provider });
  new S3BucketVersioning(stack, `${id}-versioning`, { bucket: bucket.attribute('bucket'), versioning_configuration: [{ status: 'Enabled' }] }, { provider });
  new S3BucketServerSideEncryption(stack, `${id}-encryption`, { bucket: bucket.attribute('bucket'), encryption_type: 'aws:kms', kms_key_id: vault.kmsKeyId }, { provider });
  if (archive.lockMode) {
    new S3BucketObjectLockConfiguration(stack, `${id}-object-lock`, {
      bucket: bucket.attribute('bucket'),
      object_lock_enabled: 'Enabled',
      rule: [{ default_retention: [{ mode: archive.lockMode, ...lockRetention(archive.retentionMonths) }] }],
    }, { provider });
  }
}
