/* eslint-disable @typescript-eslint/no-explicit-any -- the fixtures edit synthesized template JSON in place */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { awsSolutionsRules, staleAcknowledgements, uncataloguedNagFindings } from '../../policies/rules/public-edge/aws-solutions';
import { bucketHardening } from '../../policies/rules/public-edge/bucket-hardening';
import { distributionHardening } from '../../policies/rules/public-edge/distribution-hardening';
import { edgeResidency } from '../../policies/rules/public-edge/edge-residency';
import { pack } from '../../policies/rules/public-edge';
import { webAclManagedRules } from '../../policies/rules/public-edge/web-acl-managed-rules';
import type { Rule, RuleResult } from '../../policies/rule';
import type { Artifact } from '../../stacks/manifest';
import { stableJson } from '../../core/canonical-json';
import { awsSolutionsCatalog, CATALOG_PATH } from '../../scripts/gen-edge-nag-catalog';
import { contextOf, editTemplate, environment, renderEdge, resourceOfType, ROOT, withSystem } from './fixtures';

const prod = environment('prod');
const rendered = renderEdge(prod);
const run = (rule: Rule, artifacts: readonly Artifact[] = rendered.artifacts, env = prod, cloud = rendered.cloud): RuleResult[] => rule.check(contextOf(env, cloud, artifacts));
const statuses = (results: RuleResult[]) => results.map((r) => r.status);
const awsRule = (id: string) => awsSolutionsRules.find((r) => r.id === id)!;

describe('public-edge pack', () => {
  test('ids are unique and every rule explains itself', () => {
    expect(new Set(pack.map((r) => r.id)).size).toBe(pack.length);
    for (const rule of pack) {
      expect(rule.family === 'public-edge' || rule.family === 'residency').toBe(true);
      expect(rule.explanation.length).toBeGreaterThan(40);
      expect(rule.remediation.length).toBeGreaterThan(20);
    }
    expect(pack.map((r) => r.id)).toEqual(expect.arrayContaining(['NDC-EDGE-001', 'NDC-EDGE-003', 'NDC-EDGE-004', 'NDC-EDGE-005', 'NDC-EDGE-010', 'NDC-EDGE-011', 'AwsSolutions-S1', 'AwsSolutions-CFR4']));
  });

  test('prod as shipped has no failing edge rule', () => {
    const failures = pack.flatMap((rule) => run(rule).filter((r) => r.status === 'fail').map((r) => `${rule.id} ${r.subject}: ${r.message}`));
    expect(failures).toEqual([]);
  });

  test('the AwsSolutions catalog is the one generated from the installed cdk-nag', () => {
    expect(readFileSync(join(ROOT, CATALOG_PATH), 'utf8')).toBe(stableJson(awsSolutionsCatalog(ROOT)));
  });
});

describe('NDC-EDGE-001 residency of what the edge deploys', () => {
  /** Renders the edge with a changed system and runs the rule on those artifacts. */
  const residencyOf = (env: typeof prod) => {
    const { cloud, artifacts } = renderEdge(env);
    return run(edgeResidency, artifacts, env, cloud);
  };

  test('the public level-2 open-data portal passes on its bucket and distribution; the log bucket is not a system\'s data', () => {
    expect(run(edgeResidency)).toEqual([
      expect.objectContaining({ status: 'pass', systemId: 'open-data-portal', subject: expect.stringMatching(/^cloudformation\/public-edge-origin: AWS::S3::Bucket opendataportal/) }),
      expect.objectContaining({ status: 'pass', systemId: 'open-data-portal', subject: expect.stringMatching(/^cloudformation\/public-edge-global: AWS::CloudFront::Distribution opendataportaldistribution/) }),
    ]);
    expect(edgeResidency.enforcement).toBe('mandatory');
    expect(edgeResidency.family).toBe('residency');
  });

  test('a level-3 system placed on the edge is a mandatory failure on each resource that holds or serves it', () => {
    const results = residencyOf(withSystem(prod, 'open-data-portal', { level: 3 }));
    expect(statuses(results)).toEqual(['fail', 'fail']);
    expect(results[0].message).toBe('deploys open-data-portal to the public edge but it is security level 3 (level 3 and above stays in the national clusters)');
  });

  test('personal data on the edge fails even at level 1', () => {
    expect(residencyOf(withSystem(prod, 'open-data-portal', { level: 1, personalData: true }))[0]).toEqual(
      expect.objectContaining({ status: 'fail', message: 'deploys open-data-portal to the public edge but it holds personal data' }),
    );
  });

  test('information not classified public fails', () => {
    expect(residencyOf(withSystem(prod, 'open-data-portal', { classification: 'internal' }))[0].message).toBe('deploys open-data-portal to the public edge but it is classified internal, not public');
  });

  test('the level-4 public service portal placed on the edge fails for every reason, next to a passing open-data portal', () => {
    const env = withSystem(prod, 'public-service-portal', { publicEdge: true });
    const withEdge = { ...env, edge: { ...env.edge, systems: { ...(env.edge as { systems: object }).systems, 'public-service-portal': { domainName: 'dichvucong.gov.vn' } } } } as typeof env;
    const results = residencyOf(withEdge);
    expect(results.filter((r) => r.status === 'fail').map((r) => r.systemId)).toEqual(['public-service-portal', 'public-service-portal']);
    expect(results.find((r) => r.status === 'fail')!.message).toBe(
      'deploys public-service-portal to the public edge but it is security level 4 (level 3 and above stays in the national clusters) and it holds personal data and it is classified confidential, not public',
    );
    expect(results.filter((r) => r.status === 'pass').map((r) => r.systemId)).toEqual(['open-data-portal', 'open-data-portal']);
  });

  test('an edge resource tagged with a system the environment does not have fails', () => {
    const tampered = editTemplate(rendered.artifacts, 'public-edge-global', (t) => {
      const distribution = resourceOfType(t, 'AWS::CloudFront::Distribution');
      distribution.Properties.Tags = [{ Key: 'ndc:system', Value: 'population-registry' }];
    });
    expect(run(edgeResidency, tampered)).toContainEqual(expect.objectContaining({ status: 'fail', message: 'serves population-registry, which is not an information system of prod; run ndc synth again' }));
  });

  test('environments without an edge get no results', () => {
    expect(run(edgeResidency, [])).toEqual([]);
  });
});

describe('NDC-EDGE-003 distribution hardening', () => {
  test('the rendered distribution passes', () => {
    expect(run(distributionHardening)).toEqual([expect.objectContaining({ status: 'pass', systemId: 'open-data-portal' })]);
  });

  test('an old TLS policy, no web ACL, an OAI origin, plain HTTP and no logs each fail', () => {
    const weakened = editTemplate(rendered.artifacts, 'public-edge-global', (t) => {
      const config = resourceOfType(t, 'AWS::CloudFront::Distribution').Properties.DistributionConfig as Record<string, any>;
      config.ViewerCertificate.MinimumProtocolVersion = 'TLSv1';
      delete config.WebACLId;
      delete config.Origins[0].OriginAccessControlId;
      config.Origins[0].S3OriginConfig = { OriginAccessIdentity: 'origin-access-identity/cloudfront/E123' };
      config.DefaultCacheBehavior.ViewerProtocolPolicy = 'allow-all';
      delete config.Logging;
    });
    const [result] = run(distributionHardening, weakened);
    expect(result.status).toBe('fail');
    for (const problem of ['minimum protocol version is TLSv1', 'has no WAF web ACL', 'has no Origin Access Control', 'legacy Origin Access Identity', 'allows plain HTTP', 'access logging off']) {
      expect(result.message).toContain(problem);
    }
  });

  test('the default CloudFront certificate fails even with a modern policy name', () => {
    const weakened = editTemplate(rendered.artifacts, 'public-edge-global', (t) => {
      const config = resourceOfType(t, 'AWS::CloudFront::Distribution').Properties.DistributionConfig as Record<string, any>;
      config.ViewerCertificate = { CloudFrontDefaultCertificate: true, MinimumProtocolVersion: 'TLSv1.2_2021' };
    });
    expect(run(distributionHardening, weakened)[0].message).toBe('uses the default CloudFront certificate (TLS 1.0 allowed)');
  });
});

describe('NDC-EDGE-004 bucket hardening', () => {
  test('the content and log buckets pass', () => {
    expect(statuses(run(bucketHardening))).toEqual(['pass', 'pass']);
  });

  test('an open, unversioned, unlogged bucket without a TLS-only policy fails', () => {
    const weakened = editTemplate(rendered.artifacts, 'public-edge-origin', (t) => {
      const content = Object.values(t.Resources).find((r) => r.Type === 'AWS::S3::Bucket' && r.Properties.BucketName === 'ndc-prod-open-data-portal-content')!;
      content.Properties.PublicAccessBlockConfiguration = { BlockPublicAcls: true };
      delete content.Properties.VersioningConfiguration;
      delete content.Properties.LoggingConfiguration;
      for (const policy of Object.values(t.Resources).filter((r) => r.Type === 'AWS::S3::BucketPolicy')) {
        const doc = policy.Properties.PolicyDocument as { Statement: { Effect: string }[] };
        doc.Statement = doc.Statement.filter((s) => s.Effect !== 'Deny');
      }
    });
    const results = run(bucketHardening, weakened);
    const content = results.find((r) => r.systemId === 'open-data-portal')!;
    expect(content.status).toBe('fail');
    expect(content.message).toBe(
      'public access not fully blocked (BlockPublicPolicy, IgnorePublicAcls, RestrictPublicBuckets not true); versioning not enabled; no bucket policy denying requests without TLS (aws:SecureTransport false); server access logging off',
    );
  });
});

describe('NDC-EDGE-005 web ACL', () => {
  test('the rendered web ACL passes', () => {
    expect(statuses(run(webAclManagedRules))).toEqual(['pass']);
  });

  test('a managed group in Count mode, a missing group and no rate limit fail', () => {
    const weakened = editTemplate(rendered.artifacts, 'public-edge-global', (t) => {
      const acl = resourceOfType(t, 'AWS::WAFv2::WebACL').Properties as { Rules: Record<string, any>[] };
      acl.Rules[1].OverrideAction = { Count: {} };
      acl.Rules = acl.Rules.filter((r) => r.Name !== 'AWSManagedRulesKnownBadInputsRuleSet' && !r.Statement.RateBasedStatement);
    });
    expect(run(webAclManagedRules, weakened)[0].message).toBe('AWSManagedRulesCommonRuleSet only counts (OverrideAction Count); AWSManagedRulesKnownBadInputsRuleSet missing; no blocking rate-based rule');
  });
});

describe('cdk-nag findings reach ndc check under their own ids', () => {
  test('an acknowledged finding passes, names the resource cdk-nag would flag and carries its reason', () => {
    expect(run(awsRule('AwsSolutions-CFR1'))).toEqual([
      expect.objectContaining({
        status: 'pass',
        systemId: 'open-data-portal',
        subject: expect.stringMatching(/^cloudformation\/public-edge-global: public-edge-global\/open-data-portal\/distribution\/Resource \(opendataportaldistribution[0-9A-F]+\)$/),
        message: 'AwsSolutions-CFR1 acknowledged: Open data is published for everyone (Decision 2629/QD-TTg); no country is to be blocked from it.',
      }),
    ]);
    expect(statuses(run(staleAcknowledgements))).toEqual(['pass']);
  });

  test('a clean stack passes each catalogued rule (the log bucket needs no S1 acknowledgement: cdk-nag exempts log targets)', () => {
    expect(run(awsRule('AwsSolutions-S1'))).toEqual([
      expect.objectContaining({ status: 'pass', subject: 'cloudformation/public-edge-global', message: 'no AwsSolutions-S1 finding' }),
      expect.objectContaining({ status: 'pass', subject: 'cloudformation/public-edge-origin', message: 'no AwsSolutions-S1 finding' }),
    ]);
  });

  test('an acknowledgement that covers no finding is reported stale by NDC-EDGE-011, not as a pass of its rule', () => {
    const stale = { rule: 'AwsSolutions-S2', scope: 'open-data-portal', reason: 'accepted before Block Public Access was turned on' };
    const env = environment('prod', (e) => ({ ...e, edge: { ...e.edge, acknowledgements: [...(e.edge as { acknowledgements: object[] }).acknowledgements, stale] } }));
    const { cloud, artifacts } = renderEdge(env);
    expect(run(staleAcknowledgements, artifacts, env, cloud)).toContainEqual(
      expect.objectContaining({
        status: 'fail',
        systemId: 'open-data-portal',
        message: 'AwsSolutions-S2 is acknowledged on public-edge-origin/open-data-portal ("accepted before Block Public Access was turned on") but nothing under it has this finding any more',
      }),
    );
    expect(staleAcknowledgements.enforcement).toBe('advisory');
    expect(run(awsRule('AwsSolutions-S2'), artifacts, env, cloud).every((r) => r.status === 'pass' && r.message === 'no AwsSolutions-S2 finding')).toBe(true);
  });

  test('without the acknowledgement, cdk-nag\'s CFR1 finding becomes a failing AwsSolutions-CFR1 result', () => {
    const env = environment('prod', (e) => ({ ...e, edge: { ...e.edge, acknowledgements: [] } }));
    const { cloud, artifacts } = renderEdge(env);
    const report = JSON.parse(artifacts.find((a) => a.path === 'cloudformation/public-edge-global.nag.json')!.content);
    expect(report.findings).toEqual([
      expect.objectContaining({ rule: 'AwsSolutions-CFR1', level: 'warning', resource: 'public-edge-global/open-data-portal/distribution/Resource', logicalId: expect.stringMatching(/^opendataportaldistribution/) }),
    ]);
    const rule = awsRule('AwsSolutions-CFR1');
    expect(rule.enforcement).toBe('advisory');
    expect(run(rule, artifacts, env, cloud)).toEqual([
      expect.objectContaining({ status: 'fail', systemId: 'open-data-portal', message: 'AwsSolutions-CFR1: The CloudFront distribution may require Geo restrictions.' }),
    ]);
  });

  test('an error-level finding (a distribution on the default certificate) is a mandatory AwsSolutions-CFR4 failure', () => {
    // cdk-nag runs on the CDK tree at synth time; this fixture is the report it writes for such a distribution.
    const report = {
      version: 1,
      stack: 'public-edge-global',
      pack: 'AwsSolutions',
      cdkNag: '3.0.2',
      findings: [{ rule: 'AwsSolutions-CFR4', level: 'error', description: 'The CloudFront distribution allows for SSLv3 or TLSv1 for HTTPS viewer connections.', resource: 'public-edge-global/open-data-portal/distribution/Resource' }],
    };
    const artifacts = rendered.artifacts.map((a) => (a.path === 'cloudformation/public-edge-global.nag.json' ? { ...a, content: JSON.stringify(report) } : a));
    const rule = awsRule('AwsSolutions-CFR4');
    expect(rule.enforcement).toBe('mandatory');
    expect(statuses(run(rule, artifacts))).toEqual(['fail']);
  });

  test('a finding of a rule outside the catalog is reported by NDC-EDGE-010 with cdk-nag\'s id', () => {
    const report = {
      version: 1,
      stack: 'public-edge-global',
      pack: 'AwsSolutions',
      cdkNag: '3.0.2',
      findings: [{ rule: 'AwsSolutions-IAM5[Resource::*]', level: 'error', description: 'The IAM entity contains wildcard permissions.', resource: 'public-edge-global/open-data-portal/role/Resource' }],
    };
    const artifacts = rendered.artifacts.map((a) => (a.path === 'cloudformation/public-edge-global.nag.json' ? { ...a, content: JSON.stringify(report) } : a));
    expect(run(uncataloguedNagFindings, artifacts)).toEqual([
      expect.objectContaining({ status: 'fail', systemId: 'open-data-portal', message: 'AwsSolutions-IAM5[Resource::*]: The IAM entity contains wildcard permissions.' }),
    ]);
    expect(run(uncataloguedNagFindings)).toEqual([]);
  });

  test('environments without an edge get no cdk-nag results', () => {
    expect(run(awsRule('AwsSolutions-S1'), [])).toEqual([]);
  });
});
