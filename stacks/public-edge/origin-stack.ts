import { Aws, CfnRule, Duration, Fn, RemovalPolicy, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledgementStack, servesSystem, SYSTEM_TAG, type EdgePlan } from './plan';

/** Stack names: the CDK CLI deploys them by these names (`cdk deploy --exclusively <name>`). */
export const ORIGIN_STACK = 'public-edge-origin';

/**
 * The origin of the public edge in the commercial region: one content bucket per open-data system and
 * the shared access-log bucket (S3 server access logs and CloudFront standard logs).
 *
 * The distributions live in the us-east-1 stack (their web ACLs and certificates must), so the bucket
 * policy cannot name a distribution id that does not exist yet: it admits CloudFront (through Origin
 * Access Control) for distributions of this same account only, and the edge account holds nothing else.
 */
export class PublicEdgeOriginStack extends Stack {
  readonly logs: Bucket;
  readonly contentBuckets: ReadonlyMap<string, Bucket>;

  constructor(scope: Construct, plan: EdgePlan, props: StackProps) {
    super(scope, ORIGIN_STACK, {
      ...props,
      description: `ndc ${plan.envName}: open-data origin buckets of the public edge (deploy to ${plan.config.region})`,
    });
    requireRegion(this, plan.config.region, plan.config.account);

    this.logs = new Bucket(this, 'logs', {
      bucketName: plan.logBucketName,
      // CloudFront standard logging writes with ACLs and supports SSE-S3 only.
      encryption: BucketEncryption.S3_MANAGED,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(plan.config.logRetentionDays), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // No AwsSolutions-S1 acknowledgement needed: cdk-nag exempts a bucket that receives other buckets' access logs.

    const buckets = new Map<string, Bucket>();
    for (const site of plan.sites) {
      const bucket = new Bucket(this, site.system.id, {
        bucketName: site.contentBucketName,
        encryption: BucketEncryption.S3_MANAGED,
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
        enforceSSL: true,
        minimumTLSVersion: 1.2,
        versioned: true,
        serverAccessLogsBucket: this.logs,
        serverAccessLogsPrefix: `s3/${site.system.id}/`,
        lifecycleRules: [{ id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(90) }],
        removalPolicy: RemovalPolicy.RETAIN,
      });
      bucket.addToResourcePolicy(
        new PolicyStatement({
          sid: 'CloudFrontOriginAccessControlRead',
          effect: Effect.ALLOW,
          principals: [new ServicePrincipal('cloudfront.amazonaws.com')],
          actions: ['s3:GetObject'],
          resources: [bucket.arnForObjects('*')],
          conditions: {
            StringEquals: { 'AWS:SourceAccount': Aws.ACCOUNT_ID },
            ArnLike: { 'AWS:SourceArn': `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/*` },
          },
        }),
      );
      Tags.of(bucket).add(SYSTEM_TAG, site.system.id);
      servesSystem(bucket, site.system.id);
      buckets.set(site.system.id, bucket);
    }
    this.contentBuckets = buckets;
    for (const ack of plan.config.acknowledgements) {
      if (ack.scope !== 'logs' && acknowledgementStack(ack.rule) !== 'origin') continue;
      const target = ack.scope === 'logs' ? this.logs : buckets.get(ack.scope);
      if (target) Validations.of(target).acknowledge({ id: ack.rule, reason: ack.reason });
    }
  }
}

/**
 * CloudFormation Rules that stop a deployment to the wrong region or account before anything is created
 * (the templates are environment-agnostic unless the environment names an account).
 */
export function requireRegion(stack: Stack, region: string, account: string | undefined): void {
  new CfnRule(stack, 'DeployTarget', {
    assertions: [
      { assert: Fn.conditionEquals(Aws.REGION, region), assertDescription: `${stack.stackName} must be deployed to ${region}` },
      ...(account ? [{ assert: Fn.conditionEquals(Aws.ACCOUNT_ID, account), assertDescription: `${stack.stackName} must be deployed to account ${account}` }] : []),
    ],
  });
}
