import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, CfnResource, Stack, Validations, type IPolicyValidationPluginBeta1 } from 'aws-cdk-lib';
import { CfnDistribution } from 'aws-cdk-lib/aws-cloudfront';
import { CfnRole } from 'aws-cdk-lib/aws-iam';
import { CfnKey } from 'aws-cdk-lib/aws-kms';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnBucket, CfnBucketPolicy } from 'aws-cdk-lib/aws-s3';
import { CfnQueue } from 'aws-cdk-lib/aws-sqs';
import { CfnWebACL } from 'aws-cdk-lib/aws-wafv2';
import { AwsSolutionsChecks, type NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { stableJson } from '../../core/canonical-json';
import { awsSolutionsPack, PACK_PATH } from '../../scripts/gen-edge-nag-catalog';
import { buildPublicEdgeApp } from '../../stacks/public-edge/app';
import { EdgeAwsSolutionsChecks } from '../../stacks/public-edge/nag-pack';
import { environment, planOf, ROOT, withSystem } from './fixtures';

/** A pack's violations on a construct tree, in a stable order (the packs apply rules in different orders). */
function violationsOf(pack: NagPack, scope: IConstruct): string[] {
  const report = (pack as unknown as IPolicyValidationPluginBeta1 & { validateScope(s: IConstruct): { violations: { ruleName: string; description: string; severity?: string; violatingResources: { constructPath?: string }[] }[] } }).validateScope(scope);
  return report.violations
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${v.severity} ${r.constructPath}: ${v.description}`))
    .sort();
}

describe('the edge AwsSolutions pack (rules narrowed by resource type)', () => {
  test('aws-solutions-pack.json is the one generated from the installed cdk-nag', () => {
    expect(readFileSync(join(ROOT, PACK_PATH), 'utf8')).toBe(stableJson(awsSolutionsPack(ROOT)));
  });

  test('on the edge of every environment that has one, it reports exactly what AwsSolutionsChecks reports', () => {
    const envs = [environment('prod'), environment('staging'), environment('prod', (e) => withSystem(e, 'open-data-portal', { level: 3 }))];
    for (const env of envs) {
      const { app } = buildPublicEdgeApp(planOf(env).plan);
      expect(violationsOf(new EdgeAwsSolutionsChecks(), app)).toEqual(violationsOf(new AwsSolutionsChecks(undefined, { verbose: true }), app));
    }
  });

  test('on resources that break rules of many services, it reports exactly what AwsSolutionsChecks reports', () => {
    const stack = new Stack(new App(), 'nag-probe');
    new CfnBucket(stack, 'plain-bucket');
    new CfnBucketPolicy(stack, 'open-policy', { bucket: 'x', policyDocument: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: '*' }] } });
    new CfnDistribution(stack, 'bare-distribution', { distributionConfig: { enabled: true, defaultCacheBehavior: { targetOriginId: 'o', viewerProtocolPolicy: 'allow-all' }, origins: [{ id: 'o', domainName: 'example.org', customOriginConfig: { originProtocolPolicy: 'http-only' } }] } });
    new CfnRole(stack, 'wildcard-role', { assumeRolePolicyDocument: {}, managedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'], policies: [{ policyName: 'p', policyDocument: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }] });
    new CfnKey(stack, 'key-without-rotation', { keyPolicy: {} });
    new CfnFunction(stack, 'old-runtime', { code: { zipFile: 'x' }, role: 'arn:aws:iam::123456789012:role/r', runtime: 'nodejs12.x' });
    new CfnQueue(stack, 'plain-queue');
    new CfnWebACL(stack, 'acl', { defaultAction: { allow: {} }, scope: 'REGIONAL', visibilityConfig: { cloudWatchMetricsEnabled: false, metricName: 'm', sampledRequestsEnabled: false } });
    new CfnResource(stack, 'custom', { type: 'Custom::Thing' });
    Validations.of(stack).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'acknowledged findings stay out of both reports' });
    const expected = violationsOf(new AwsSolutionsChecks(undefined, { verbose: true }), stack);
    // The fixture breaks rules of S3, CloudFront, IAM, KMS, Lambda and SQS, so the comparison is not of two empty lists.
    for (const prefix of ['AwsSolutions-S1 ', 'AwsSolutions-CFR', 'AwsSolutions-IAM4', 'AwsSolutions-IAM5', 'AwsSolutions-KMS5', 'AwsSolutions-L1', 'AwsSolutions-SQS4']) {
      expect(expected.some((v) => v.startsWith(prefix))).toBe(true);
    }
    expect(expected.some((v) => v.startsWith('AwsSolutions-SQS3 '))).toBe(false);
    expect(violationsOf(new EdgeAwsSolutionsChecks(), stack)).toEqual(expected);
  });

  test('rendering the edge loads neither cdk-nag\'s index nor the model, the environment schema or zod (what the worker thread loads)', () => {
    // A fresh process: jest's module registry is not Node's, and this asks what Node loaded.
    const script = `
      const plan = JSON.parse(process.argv[1]);
      const { synthesizePublicEdge } = require('./stacks/public-edge/app');
      synthesizePublicEdge(plan);
      // Packages as node_modules/<package>/... wherever node_modules is (a checkout may link it), the rest relative.
      const shown = (f) => (f.includes('/node_modules/') ? 'node_modules/' + f.split('/node_modules/').pop() : require('node:path').relative(process.cwd(), f));
      console.log(JSON.stringify(Object.keys(require.cache).map(shown)));
    `;
    const plan = planOf(environment('prod')).plan;
    const loaded = JSON.parse(execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script, JSON.stringify(plan)], { cwd: ROOT, encoding: 'utf8' })) as string[];
    expect(loaded).toContain('node_modules/cdk-nag/lib/nag-pack.js');
    expect(loaded).toContain('node_modules/cdk-nag/lib/rules/s3/S3BucketLoggingEnabled.js');
    const unwanted = loaded.filter((f) => /^node_modules\/(zod|cdk-nag\/lib\/(index|packs\/)|aws-cdk-lib\/aws-(quicksight|sagemaker|rds)\/)|^(constructs|environments)\//.test(f));
    expect(unwanted).toEqual([]);
  });
});
