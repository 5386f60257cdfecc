import type { Rule } from '../../rule';
import { list, props, record, refTarget, resourcesOfType, subjectOf, systemIdOf } from '../../artifacts/cloudformation';
import { vn2016 } from '../support';

/** NDC-EDGE-004: every edge bucket is private, encrypted, versioned, TLS-only and logged. */
export const bucketHardening: Rule = {
  id: 'NDC-EDGE-004',
  title: 'Edge S3 buckets block public access, are encrypted and versioned, accept TLS only and log access',
  family: 'public-edge',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT: access control, encryption in transit and at rest, logging'),
  explanation:
    'Open data is public, but its origin bucket is not: citizens read it only through CloudFront, so the published copy cannot be altered or served around the WAF. Block Public Access stops an ACL or policy from opening the bucket, versioning keeps every published version recoverable, the bucket policy refuses requests without TLS, and access logs record who read or changed what (the log bucket itself is the exception: it cannot log into itself).',
  remediation:
    'Create the bucket as stacks/public-edge does: blockPublicAccess BLOCK_ALL, encryption S3_MANAGED or KMS, versioned, enforceSSL (with minimumTLSVersion 1.2), serverAccessLogsBucket the edge log bucket.',
  check({ artifacts }) {
    const policies = resourcesOfType(artifacts, 'AWS::S3::BucketPolicy');
    const buckets = resourcesOfType(artifacts, 'AWS::S3::Bucket');
    return buckets.map((located) => {
      const p = props(located.resource);
      const problems: string[] = [];
      const block = record(p.PublicAccessBlockConfiguration);
      const open = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'].filter((k) => block[k] !== true);
      if (open.length > 0) problems.push(`public access not fully blocked (${open.join(', ')} not true)`);
      if (list(record(p.BucketEncryption).ServerSideEncryptionConfiguration).length === 0) problems.push('no default encryption');
      if (record(p.VersioningConfiguration).Status !== 'Enabled') problems.push('versioning not enabled');

      const tlsOnly = policies.some((policy) => {
        if (policy.stack !== located.stack || refTarget(props(policy.resource).Bucket) !== located.logicalId) return false;
        return list(record(props(policy.resource).PolicyDocument).Statement).some((s) => {
          const statement = record(s);
          return statement.Effect === 'Deny' && String(record(record(statement.Condition).Bool)['aws:SecureTransport']) === 'false';
        });
      });
      if (!tlsOnly) problems.push('no bucket policy denying requests without TLS (aws:SecureTransport false)');

      const isLogTarget = buckets.some((other) => other.stack === located.stack && refTarget(record(props(other.resource).LoggingConfiguration).DestinationBucketName) === located.logicalId);
      if (p.LoggingConfiguration === undefined && !isLogTarget) problems.push('server access logging off');

      return problems.length === 0
        ? { status: 'pass' as const, systemId: systemIdOf(located), subject: subjectOf(located), message: `private, encrypted, versioned, TLS only, ${isLogTarget ? 'the access-log bucket' : 'access logged'}` }
        : { status: 'fail' as const, systemId: systemIdOf(located), subject: subjectOf(located), message: problems.join('; ') };
    });
  },
};
