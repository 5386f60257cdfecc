import { InputError } from '../../core/errors';
import { edgePlanOf } from '../../stacks/public-edge/config';
import { buildCloud } from '../../constructs';
import { environment, planOf, withSystem } from './fixtures';

function errorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('edge settings (environment `edge`)', () => {
  test('prod places the open-data portal on the edge in ap-southeast-1 with deterministic bucket names', () => {
    const { plan } = planOf(environment('prod'));
    expect(plan.config.region).toBe('ap-southeast-1');
    expect(plan.sites.map((s) => [s.system.id, s.config.domainName, s.contentBucketName])).toEqual([['open-data-portal', 'data.gov.vn', 'ndc-prod-open-data-portal-content']]);
    expect(plan.logBucketName).toBe('ndc-prod-edge-logs');
    expect(plan.config.acknowledgements.map((a) => a.rule)).toEqual(['AwsSolutions-CFR1']);
  });

  test('staging serves its own host name', () => {
    expect(planOf(environment('staging')).plan.sites[0].config.domainName).toBe('staging.data.gov.vn');
  });

  test('an explicit account goes into the default bucket prefix', () => {
    const { plan } = planOf(environment('prod', (e) => ({ ...e, edge: { ...e.edge, account: '210987654321' } })));
    expect(plan.logBucketName).toBe('ndc-prod-210987654321-edge-logs');
  });

  test.each([
    ['missing edge section', (e: ReturnType<typeof environment>) => ({ ...e, edge: undefined }), 'environments/prod.ts: edge: is required because open-data-portal is placed on the public edge'],
    ['bad region', (e: ReturnType<typeof environment>) => ({ ...e, edge: { ...e.edge, region: 'singapore' } }), 'environments/prod.ts: edge.region: "singapore": must be an AWS region name'],
    ['placeholder account', (e: ReturnType<typeof environment>) => ({ ...e, edge: { ...e.edge, account: '123456789012' } }), 'edge.account: "123456789012": is a documentation placeholder'],
    ['short acknowledgement reason', (e: ReturnType<typeof environment>) => ({ ...e, edge: { ...e.edge, acknowledgements: [{ rule: 'AwsSolutions-CFR1', scope: 'open-data-portal', reason: 'ok' }] } }), 'edge.acknowledgements[0].reason: "ok": must explain the acknowledgement in at least 20 characters'],
    ['acknowledgement of an unknown scope', (e: ReturnType<typeof environment>) => ({ ...e, edge: { ...e.edge, acknowledgements: [{ rule: 'AwsSolutions-CFR1', scope: 'portal', reason: 'a long enough reason for the test' }] } }), 'edge.acknowledgements[0].scope: "portal": must be an edge system (open-data-portal) or logs'],
    ['entry for a system not on the edge', (e: ReturnType<typeof environment>) => ({ ...e, edge: { ...e.edge, systems: { ...(e.edge as { systems: object }).systems, 'population-db': { domainName: 'pop.gov.vn' } } } }), 'edge.systems.population-db: system "population-db" is not placed on the public edge'],
    ['bucket name over 63 characters', (e: ReturnType<typeof environment>) => ({ ...e, edge: { ...e.edge, bucketPrefix: 'a-very-long-bucket-prefix-for-the-edge-xx' } }), 'is longer than S3\'s 63 characters'],
  ])('%s is a one-line InputError naming the field', (_name, edit, message) => {
    const env = environment('prod');
    const edited = edit(env) as typeof env;
    const error = errorOf(() => edgePlanOf(buildCloud(edited), edited));
    expect(error.message).toContain(message);
    expect(error.message).not.toContain('\n');
  });

  test('an edge system without an entry in edge.systems is refused', () => {
    const env = withSystem(environment('prod'), 'e-document-exchange', { publicEdge: true });
    expect(errorOf(() => edgePlanOf(buildCloud(env), env)).message).toBe(
      'environments/prod.ts: edge.systems: has no entry for "e-document-exchange", which sets publicEdge: true; add { domainName: ... } for it',
    );
  });
});
