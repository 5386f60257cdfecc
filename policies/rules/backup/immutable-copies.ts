import type { Rule } from '../../rule';
import { terraformIndex } from '../../artifacts/terraform';
import { vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

export const immutableCopies: Rule = {
  id: 'NDC-BAK-003',
  title: 'Backup copies of level 4-5 systems are immutable (object lock, compliance mode)',
  family: 'backup',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex, level 4 (backup protection); TCVN 11930:2017'),
  explanation: 'Ransomware and insiders delete backups first. From level 4 every copy is written once and locked for the retention period (S3 object lock in compliance mode), so nobody, not even an administrator, can delete or alter it before it expires.',
  remediation: 'Set immutable: true on each backup copy (the default for levels 4-5); the bucket then gets object locking and a compliance-mode default retention.',
  check: perSystem({
    fromLevel: 4,
    belowLevel: 'immutable copies are required from level 4',
    prepare: ({ artifacts }) => {
      const index = terraformIndex(artifacts);
      const locked = new Map<string, number>();
      for (const r of index.all) {
        if (r.type !== 'minio_s3_bucket_object_lock_configuration') continue;
        const rule = (r.config.rule as { default_retention?: { mode?: string; days?: number }[] }[] | undefined)?.[0]?.default_retention?.[0];
        if (r.config.object_lock_enabled === 'Enabled' && rule?.mode === 'COMPLIANCE') locked.set(`${r.stack}|${String(r.config.bucket)}`, rule.days ?? 0);
      }
      return { index, locked };
    },
    judge(system, { index, locked }) {
      if (!system.backup) return judged(['no backup plan'], '');
      const problems: string[] = [];
      system.backup.copies.forEach((copy, i) => {
        if (!copy.immutable) problems.push(`copy ${i + 1} in ${copy.cluster.id} (${copy.medium}) is not immutable`);
      });
      const buckets = index.bucketsBySystem.get(system.id) ?? [];
      for (const bucket of buckets) {
        const days = locked.get(`${bucket.stack}|\${minio_s3_bucket.${bucket.name}.bucket}`);
        if (bucket.config.object_locking !== true || days === undefined) problems.push(`bucket ${String(bucket.config.bucket)} has no compliance-mode object lock`);
      }
      return judged(problems, `${system.backup.copies.length} copies object-locked in compliance mode`);
    },
  }),
};
