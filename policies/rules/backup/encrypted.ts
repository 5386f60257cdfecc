import type { Rule } from '../../rule';
import { terraformIndex } from '../../artifacts/terraform';
import { vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

export const backupEncrypted: Rule = {
  id: 'NDC-BAK-002',
  title: 'Backups of level 3+ systems are encrypted (plan and every backup bucket in the artifacts)',
  family: 'backup',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex, level 3 (central backup, encrypted)'),
  explanation: 'Backup copies leave the system\'s own protections and travel to other clusters; they must be encrypted at rest with the vault\'s KMS key. The rule checks the plan and that each of the system\'s buckets has a server-side encryption configuration.',
  remediation: 'Leave backup.encrypted at its default (true); the backup-vaults stack then adds server-side encryption to every bucket.',
  check: perSystem({
    fromLevel: 3,
    prepare: ({ artifacts }) => {
      const index = terraformIndex(artifacts);
      const encryptedBuckets = new Set(
        index.all.filter((r) => r.type === 'minio_s3_bucket_server_side_encryption').map((r) => `${r.stack}|${String(r.config.bucket)}`),
      );
      return { index, encryptedBuckets };
    },
    judge(system, { index, encryptedBuckets }) {
      if (!system.backup) return judged(['no backup plan'], '');
      const problems: string[] = [];
      if (!system.backup.encrypted) problems.push('backup.encrypted is false');
      const buckets = index.bucketsBySystem.get(system.id) ?? [];
      if (buckets.length < system.backup.copies.length) problems.push(`${buckets.length} backup buckets in the artifacts for ${system.backup.copies.length} copies`);
      for (const bucket of buckets) {
        if (!encryptedBuckets.has(`${bucket.stack}|\${minio_s3_bucket.${bucket.name}.bucket}`)) problems.push(`bucket ${String(bucket.config.bucket)} has no server-side encryption`);
      }
      return judged(problems, `${buckets.length} backup buckets, all encrypted`);
    },
  }),
};
