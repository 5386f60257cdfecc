import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildPublicEdgeApp } from '../../stacks/public-edge/app';
import { MANAGED_RULE_GROUPS } from '../../stacks/public-edge/distribution-stack';
import { environment, planOf } from './fixtures';

// Template.fromStack synthesizes the stacks of the real edge app built from environments/prod.ts.
const { plan } = planOf(environment('prod'));
const { origin, distribution } = buildPublicEdgeApp(plan);
const originTemplate = Template.fromStack(origin);
const globalTemplate = Template.fromStack(distribution);

describe('public-edge-origin (commercial region)', () => {
  test('the content bucket is versioned, encrypted, private and logs to the log bucket', () => {
    originTemplate.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'ndc-prod-open-data-portal-content',
      VersioningConfiguration: { Status: 'Enabled' },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^logs') }, LogFilePrefix: 's3/open-data-portal/' },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
    });
  });

  test('the log bucket accepts CloudFront logs and expires them after the configured days', () => {
    originTemplate.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: 'ndc-prod-edge-logs',
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 365, Status: 'Enabled' })]) },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    originTemplate.resourceCountIs('AWS::S3::Bucket', 2);
  });

  test('every bucket policy denies requests without TLS 1.2', () => {
    originTemplate.resourceCountIs('AWS::S3::BucketPolicy', 2);
    for (const policy of Object.values(originTemplate.findResources('AWS::S3::BucketPolicy'))) {
      const statements = policy.Properties.PolicyDocument.Statement as { Effect: string; Condition?: Record<string, Record<string, unknown>> }[];
      expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
      expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }));
    }
  });

  test('CloudFront reads the content bucket through OAC, only for distributions of the same account', () => {
    originTemplate.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'CloudFrontOriginAccessControlRead',
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'AWS:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnLike: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  test('a CloudFormation rule refuses deployment outside the configured region', () => {
    expect(originTemplate.toJSON().Rules.DeployTarget.Assertions).toEqual([
      { Assert: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'ap-southeast-1'] }, AssertDescription: 'public-edge-origin must be deployed to ap-southeast-1' },
    ]);
  });
});

describe('public-edge-global (us-east-1)', () => {
  test('the distribution uses the certificate, TLSv1.2_2021, the web ACL, OAC, HTTPS redirect, security headers and logging', () => {
    globalTemplate.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['data.gov.vn'],
        ViewerCertificate: { AcmCertificateArn: { Ref: Match.stringLikeRegexp('certificate') }, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' },
        WebACLId: { 'Fn::GetAtt': [Match.stringLikeRegexp('webacl'), 'Arn'] },
        Origins: [
          Match.objectLike({
            DomainName: 'ndc-prod-open-data-portal-content.s3.ap-southeast-1.amazonaws.com',
            OriginAccessControlId: { 'Fn::GetAtt': [Match.stringLikeRegexp('originaccesscontrol'), 'Id'] },
            S3OriginConfig: { OriginAccessIdentity: '' },
          }),
        ],
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          ResponseHeadersPolicyId: { Ref: Match.stringLikeRegexp('securityheaders') },
          AllowedMethods: ['GET', 'HEAD'],
        }),
        Logging: { Bucket: 'ndc-prod-edge-logs.s3.ap-southeast-1.amazonaws.com', Prefix: 'cloudfront/open-data-portal/' },
        PriceClass: 'PriceClass_200',
      }),
    });
  });

  test('the web ACL is CloudFront-scoped with the AWS managed rule groups enforced and a rate limit', () => {
    globalTemplate.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      DefaultAction: { Allow: {} },
      Rules: [
        ...MANAGED_RULE_GROUPS.map((name, i) => Match.objectLike({ Name: name, Priority: i, OverrideAction: { None: {} }, Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: name } } })),
        Match.objectLike({ Action: { Block: {} }, Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } } }),
      ],
    });
  });

  test('the response headers policy sets HSTS, nosniff, frame denial, referrer policy and CSP', () => {
    globalTemplate.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Preload: true, Override: true },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin', Override: true },
          ContentSecurityPolicy: { ContentSecurityPolicy: "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'", Override: true },
        }),
      }),
    });
  });

  test('the origin access control signs every request with SigV4', () => {
    globalTemplate.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4', Name: 'ndc-open-data-portal', Description: Match.anyValue() },
    });
  });

  test('the certificate is validated by DNS and every resource is tagged with its system', () => {
    globalTemplate.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'data.gov.vn', ValidationMethod: 'DNS' });
    for (const type of ['AWS::WAFv2::WebACL', 'AWS::CloudFront::Distribution', 'AWS::CertificateManager::Certificate']) {
      globalTemplate.hasResourceProperties(type, { Tags: Match.arrayWith([{ Key: 'ndc:system', Value: 'open-data-portal' }]) });
    }
  });

  test('no bootstrap-version parameter, no CDK metadata resource: the template is what ndc pins', () => {
    const json = globalTemplate.toJSON();
    expect(json.Parameters).toBeUndefined();
    globalTemplate.resourceCountIs('AWS::CDK::Metadata', 0);
    expect(json.Rules.DeployTarget.Assertions[0].Assert).toEqual({ 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] });
  });

  test('an explicit account adds an account assertion to both stacks', () => {
    const env = environment('prod', (e) => ({ ...e, edge: { ...e.edge, account: '210987654321' } }));
    const built = buildPublicEdgeApp(planOf(env).plan);
    for (const stack of [built.origin, built.distribution]) {
      expect(Template.fromStack(stack).toJSON().Rules.DeployTarget.Assertions[1]).toEqual({
        Assert: { 'Fn::Equals': [{ Ref: 'AWS::AccountId' }, '210987654321'] },
        AssertDescription: `${stack.stackName} must be deployed to account 210987654321`,
      });
    }
  });
});
