import { Duration, Stack, Tags, Validations, type StackProps } from 'aws-cdk-lib';
import { Certificate, CertificateValidation } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  type PriceClass,
  ResponseHeadersPolicy,
  S3OriginAccessControl,
  SecurityPolicyProtocol,
  Signing,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { acknowledgementStack, CLOUDFRONT_REGION, servesSystem, SYSTEM_TAG, type EdgePlan, type EdgeSite } from './plan';
import { requireRegion } from './origin-stack';

export const DISTRIBUTION_STACK = 'public-edge-global';

/** AWS managed rule groups every open-data web ACL runs, in priority order. */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;

/**
 * CloudFront's side of the public edge, in us-east-1 where CloudFront-scoped web ACLs and viewer
 * certificates must be: per open-data system a WAFv2 web ACL, a certificate for its host name, an
 * Origin Access Control, a security-headers policy and the distribution (TLS 1.2 or later).
 */
export class PublicEdgeDistributionStack extends Stack {
  readonly sites: ReadonlyMap<string, OpenDataSite>;

  constructor(scope: Construct, plan: EdgePlan, props: StackProps) {
    super(scope, DISTRIBUTION_STACK, {
      ...props,
      description: `ndc ${plan.envName}: CloudFront distributions and WAF web ACLs of the open-data public edge (deploy to ${CLOUDFRONT_REGION})`,
    });
    requireRegion(this, CLOUDFRONT_REGION, plan.config.account);
    // The buckets live in the origin stack in another region: referenced by name, not by token.
    const logs = Bucket.fromBucketAttributes(this, 'logs', { bucketName: plan.logBucketName, region: plan.config.region });
    const sites = new Map<string, OpenDataSite>();
    for (const site of plan.sites) sites.set(site.system.id, new OpenDataSite(this, site.system.id, { site, region: plan.config.region, logs }));
    this.sites = sites;
    for (const ack of plan.config.acknowledgements) {
      const scope = ack.scope === 'logs' || acknowledgementStack(ack.rule) !== 'global' ? undefined : sites.get(ack.scope);
      if (scope) Validations.of(scope).acknowledge({ id: ack.rule, reason: ack.reason });
    }
  }
}

export interface OpenDataSiteProps {
  readonly site: EdgeSite;
  /** The commercial region of the origin bucket. */
  readonly region: string;
  readonly logs: ReturnType<typeof Bucket.fromBucketAttributes>;
}

/** One open-data system on the edge: web ACL, certificate, headers policy, OAC and distribution. */
export class OpenDataSite extends Construct {
  readonly webAcl: CfnWebACL;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: OpenDataSiteProps) {
    super(scope, id);
    const { site } = props;
    Tags.of(this).add(SYSTEM_TAG, site.system.id);
    servesSystem(this, site.system.id);
    const metric = (name: string) => `${site.system.id}-${name}`.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 128);

    this.webAcl = new CfnWebACL(this, 'web-acl', {
      name: `ndc-${site.system.id}`,
      description: `Public edge of ${site.system.displayName}: AWS managed rule groups and a per-IP rate limit`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: metric('web-acl') },
      rules: [
        ...MANAGED_RULE_GROUPS.map((name, i) => ({
          name,
          priority: i,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: metric(name) },
        })),
        {
          name: 'rate-limit-per-ip',
          priority: MANAGED_RULE_GROUPS.length,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: site.config.rateLimit, aggregateKeyType: 'IP' } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: metric('rate-limit') },
        },
      ],
    });

    const certificate = new Certificate(this, 'certificate', {
      domainName: site.config.domainName,
      // The gov.vn zone is not in Route 53: its operator publishes the validation record.
      validation: CertificateValidation.fromDns(),
    });

    const headers = new ResponseHeadersPolicy(this, 'security-headers', {
      responseHeadersPolicyName: `ndc-${site.system.id}-security-headers`,
      comment: `Security headers for ${site.config.domainName}`,
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(730), includeSubdomains: true, preload: true, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: site.config.contentSecurityPolicy, override: true },
      },
    });

    const originAccessControl = new S3OriginAccessControl(this, 'origin-access-control', {
      originAccessControlName: `ndc-${site.system.id}`,
      description: `CloudFront reads ${site.contentBucketName} with SigV4`,
      signing: Signing.SIGV4_ALWAYS,
    });
    const content = Bucket.fromBucketAttributes(this, 'content', {
      bucketName: site.contentBucketName,
      region: props.region,
      bucketRegionalDomainName: `${site.contentBucketName}.s3.${props.region}.amazonaws.com`,
    });

    this.distribution = new Distribution(this, 'distribution', {
      comment: `${site.system.displayName} (open data, level ${site.system.level})`,
      domainNames: [site.config.domainName],
      certificate,
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: site.config.priceClass as PriceClass,
      webAclId: this.webAcl.attrArn,
      defaultRootObject: 'index.html',
      enableLogging: true,
      logBucket: props.logs,
      logFilePrefix: `cloudfront/${site.system.id}/`,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(content, { originAccessControl }),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
      },
    });
  }
}
