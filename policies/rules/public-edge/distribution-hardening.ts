import type { Rule } from '../../rule';
import { list, props, record, refTarget, resourcesOfType, subjectOf, systemIdOf } from '../../artifacts/cloudformation';
import { vn2016 } from '../support';

/** CloudFront security policies that keep TLS 1.0/1.1 and weak ciphers off (TLSv1.2_2021 and newer). */
export const MODERN_TLS_POLICIES = ['TLSv1.2_2021', 'TLSv1.2_2025', 'TLSv1.3_2025'];

/** AWS's managed SecurityHeadersPolicy (HSTS, nosniff, frame options, referrer policy, XSS). */
const MANAGED_SECURITY_HEADERS_POLICY = '67f7725c-6f97-4210-82d7-5512b31e9d03';

/** NDC-EDGE-003: every distribution: modern TLS on its own certificate, WAF, OAC, HTTPS only, security headers, logs. */
export const distributionHardening: Rule = {
  id: 'NDC-EDGE-003',
  title: 'CloudFront distributions use TLS 1.2+, a web ACL, Origin Access Control, HTTPS only, security headers and access logs',
  family: 'public-edge',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT: encrypted transport, web application firewall and logging for internet-facing level-2 systems'),
  explanation:
    'The distribution is the only way citizens reach open data on the edge. It must refuse TLS below 1.2 (which needs a certificate of its own: the default *.cloudfront.net certificate allows TLS 1.0), pass every request through a CloudFront-scoped WAF web ACL, read its S3 origin through Origin Access Control so the bucket stays private, redirect HTTP to HTTPS, add the browser security headers, and log every request.',
  remediation:
    'Build the distribution with stacks/public-edge (OpenDataSite): minimumProtocolVersion TLS_V1_2_2021 with a certificate for the domain, webAclId of a CLOUDFRONT web ACL, S3BucketOrigin.withOriginAccessControl, ViewerProtocolPolicy.REDIRECT_TO_HTTPS, a ResponseHeadersPolicy with security headers, and enableLogging.',
  check({ artifacts }) {
    return resourcesOfType(artifacts, 'AWS::CloudFront::Distribution').map((located) => {
      const resources = located.template.Resources ?? {};
      const config = record(props(located.resource).DistributionConfig);
      const problems: string[] = [];

      const certificate = record(config.ViewerCertificate);
      if (certificate.CloudFrontDefaultCertificate === true || (certificate.AcmCertificateArn === undefined && certificate.IamCertificateId === undefined)) {
        problems.push('uses the default CloudFront certificate (TLS 1.0 allowed)');
      }
      if (!MODERN_TLS_POLICIES.includes(String(certificate.MinimumProtocolVersion))) {
        problems.push(`minimum protocol version is ${certificate.MinimumProtocolVersion === undefined ? 'not set' : String(certificate.MinimumProtocolVersion)} (need ${MODERN_TLS_POLICIES.join(' or ')})`);
      }

      const acl = refTarget(config.WebACLId);
      if (config.WebACLId === undefined) problems.push('has no WAF web ACL');
      else if (acl !== undefined && (resources[acl]?.Type !== 'AWS::WAFv2::WebACL' || props(resources[acl]).Scope !== 'CLOUDFRONT')) {
        problems.push(`WebACLId points at ${acl}, which is not a WAFv2 web ACL of scope CLOUDFRONT`);
      }

      list(config.Origins).forEach((origin, i) => {
        const o = record(origin);
        if (o.S3OriginConfig === undefined) return;
        if (o.OriginAccessControlId === undefined) problems.push(`S3 origin ${String(o.Id ?? i)} has no Origin Access Control`);
        const oai = record(o.S3OriginConfig).OriginAccessIdentity;
        if (typeof oai === 'string' ? oai !== '' : oai !== undefined) problems.push(`S3 origin ${String(o.Id ?? i)} uses a legacy Origin Access Identity`);
      });

      const behaviors = [{ name: 'default behavior', b: record(config.DefaultCacheBehavior) }, ...list(config.CacheBehaviors).map((b) => ({ name: `behavior ${String(record(b).PathPattern)}`, b: record(b) }))];
      for (const { name, b } of behaviors) {
        if (b.ViewerProtocolPolicy !== 'redirect-to-https' && b.ViewerProtocolPolicy !== 'https-only') problems.push(`${name} allows plain HTTP (ViewerProtocolPolicy ${String(b.ViewerProtocolPolicy ?? 'allow-all')})`);
        const policy = b.ResponseHeadersPolicyId;
        const target = refTarget(policy);
        if (policy === undefined) problems.push(`${name} has no response headers policy`);
        else if (target !== undefined) {
          const headers = record(record(props(resources[target]).ResponseHeadersPolicyConfig).SecurityHeadersConfig);
          const missing = ['StrictTransportSecurity', 'ContentTypeOptions', 'FrameOptions'].filter((h) => headers[h] === undefined);
          if (missing.length > 0) problems.push(`${name}: response headers policy ${target} lacks ${missing.join(', ')}`);
        } else if (policy !== MANAGED_SECURITY_HEADERS_POLICY) {
          problems.push(`${name}: response headers policy ${String(policy)} is not one ndc can verify (use a policy in the template or the managed SecurityHeadersPolicy)`);
        }
      }

      if (record(config.Logging).Bucket === undefined) problems.push('has access logging off');

      return problems.length === 0
        ? { status: 'pass' as const, systemId: systemIdOf(located), subject: subjectOf(located), message: `TLS ${String(certificate.MinimumProtocolVersion)}, web ACL, Origin Access Control, HTTPS only, security headers, access logs` }
        : { status: 'fail' as const, systemId: systemIdOf(located), subject: subjectOf(located), message: problems.join('; ') };
    });
  },
};
