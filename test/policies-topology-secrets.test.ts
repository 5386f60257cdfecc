import { PROFILES } from '../policies/profiles';
import { pack as secretsPack } from '../policies/rules/secrets';
import { noPasswords } from '../policies/rules/secrets/passwords';
import { noPrivateKeys } from '../policies/rules/secrets/private-keys';
import { noTokens } from '../policies/rules/secrets/tokens';
import { pack as topologyPack } from '../policies/rules/topology-and-green';
import { clusterCount } from '../policies/rules/topology-and-green/cluster-count';
import { clusterDistance } from '../policies/rules/topology-and-green/cluster-distance';
import { energySource } from '../policies/rules/topology-and-green/energy-source';
import { powerUsageEffectiveness } from '../policies/rules/topology-and-green/pue';
import { recoveryCluster } from '../policies/rules/topology-and-green/recovery-cluster';
import { failures, variant, withText, type Fixture } from './policy-fixtures';

let prod: Fixture;
beforeAll(() => {
  prod = variant('prod', () => undefined);
});

describe('topology-and-green pack', () => {
  it('has stable ids and every rule passes on prod as shipped', () => {
    expect(topologyPack.map((r) => r.id)).toEqual(['NDC-TOP-001', 'NDC-TOP-002', 'NDC-TOP-003', 'NDC-GRN-001', 'NDC-GRN-002']);
    for (const rule of topologyPack) expect([rule.id, failures(rule, prod.context)]).toEqual([rule.id, []]);
  });

  it('NDC-TOP-001 fails for the single-cluster dev cloud', () => {
    const dev = variant('dev', () => undefined, { render: false });
    expect(failures(clusterCount, dev.context).map((r) => r.message)).toEqual(['1 national cluster (north), at least 3 required']);
  });

  it('NDC-TOP-001 fails a two-cluster production cloud, as a mandatory rule, against its minClusters parameter', () => {
    const two = variant('prod', (input) => {
      input.regions = input.regions.slice(0, 2);
      input.systems = [];
      input.interconnect.links = [];
    }, { render: false });
    expect(clusterCount.enforcement).toBe('mandatory');
    expect(failures(clusterCount, two.context).map((r) => r.message)).toEqual(['2 national clusters (north, central), at least 3 required']);
    const relaxed = { ...two.context, profile: { ...PROFILES['vn-2016'], parameters: { ...PROFILES['vn-2016'].parameters, minClusters: 2 } } };
    expect(failures(clusterCount, relaxed)).toEqual([]);
  });

  it('NDC-TOP-001 counts national clusters only: prod with Central declared not national fails', () => {
    const oneForeign = variant('prod', (input) => {
      input.regions[1].national = false;
      // The systems that live in Central would fail residency; this rule is about the count alone.
      input.systems = [];
    }, { render: false });
    expect(oneForeign.context.cloud.clusters).toHaveLength(3);
    expect(failures(clusterCount, oneForeign.context).map((r) => r.message)).toEqual(['2 national clusters (north, south; not national, so not counted: central), at least 3 required']);
  });

  it('NDC-TOP-002 measures great-circle distances against the (configurable) minimum', () => {
    const results = clusterDistance.check(prod.context);
    expect(results.map((r) => r.message)).toEqual(['north-central: 619 km (at least 100)', 'north-south: 1139 km (at least 100)', 'central-south: 606 km (at least 100)']);
    const near = variant('prod', (input) => {
      input.regions[1].location = { lat: 21.3, lon: 105.9 };
    }, { render: false });
    expect(failures(clusterDistance, near.context).map((r) => r.subject)).toEqual(['prod/north<->central']);
    const strict = { ...prod.context, profile: { ...PROFILES['vn-2016'], parameters: { ...PROFILES['vn-2016'].parameters, minClusterDistanceKm: 700 } } };
    expect(failures(clusterDistance, strict).map((r) => r.subject)).toEqual(['prod/north<->central', 'prod/central<->south']);
    expect(failures(clusterDistance, strict)[0].message).toMatch(/^north-central: 619\.\d km, less than 700 km$/);
  });

  it('NDC-TOP-003 fails for a level-4 system with no other cluster to recover in', () => {
    const dev = variant('dev', (input) => {
      input.systems!.push({ ...structuredClone(input.systems![1]), id: 'tax-core', name: 'Tax core', level: 4 });
    }, { render: false });
    expect(failures(recoveryCluster, dev.context).map((r) => [r.systemId, r.message])).toEqual([['tax-core', 'no recovery cluster (primary north)']]);
  });

  it('NDC-GRN-001 fails above the target, and a looser target does not help', () => {
    const hot = variant('prod', (input) => {
      input.regions[1].green.pue = 1.45;
      input.regions[2].green = { pue: 1.5, pueTarget: 1.6, energySource: 'grid' };
    }, { render: false });
    expect(failures(powerUsageEffectiveness, hot.context).map((r) => r.message)).toEqual([
      'central: PUE 1.45 above target 1.40',
      "south: PUE 1.50 above target 1.40 (declared target 1.60 is looser than the profile's 1.40)",
    ]);
  });

  it('NDC-GRN-002 fails for an undeclared energy source', () => {
    const f = variant('prod', (input) => {
      input.regions[0].green.energySource = 'unknown';
    }, { render: false });
    expect(failures(energySource, f.context).map((r) => r.subject)).toEqual(['prod/north']);
  });
});

describe('secrets pack', () => {
  const tf = (content: string) => [{ path: 'terraform/extra/cdk.tf.json', engine: 'terraform' as const, stack: 'extra', content }];

  it('has stable ids and finds nothing in prod\'s artifacts', () => {
    expect(secretsPack.map((r) => r.id)).toEqual(['NDC-SEC-001', 'NDC-SEC-002', 'NDC-SEC-003']);
    for (const rule of secretsPack) expect([rule.id, failures(rule, prod.context)]).toEqual([rule.id, []]);
    expect(noPrivateKeys.check(prod.context).length).toBe(prod.artifacts.length);
  });

  it('NDC-SEC-001 finds a PEM private key without echoing it', () => {
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\\nb3BlbnNzaC1rZXktdjEAAAAA\\n-----END OPENSSH PRIVATE KEY-----';
    const context = withText(prod, tf(`{\n  "resource": {\n    "openstack_compute_keypair_v2": {\n      "k": { "private_key_pem": "${key}" }\n    }\n  }\n}\n`));
    const failed = failures(noPrivateKeys, context);
    expect(failed.map((r) => [r.subject, r.message])).toEqual([['terraform/extra/cdk.tf.json', 'line 4: PEM private key block']]);
    expect(failed[0].message).not.toContain('b3BlbnNzaC1rZXktdjEAAAAA');
  });

  it('NDC-SEC-002 fails for literal passwords in JSON and YAML and for Kubernetes Secret data, not for references', () => {
    const literal = withText(prod, [
      ...tf('{"resource":{"openstack_db_user_v1":{"u":{"name":"app","password":"Hunter2-Hunter2"}}}}'),
      { path: 'kubernetes/north.yaml', engine: 'kubernetes', stack: 'north', content: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: portal\ndata:\n  url: cG9zdGdyZXM=\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  db_password: s3cr3t-value\n' },
    ]);
    expect(failures(noPasswords, literal).map((r) => [r.subject, r.message])).toEqual([
      ['kubernetes/north.yaml', 'line 14: literal value for "db_password"'],
      ['terraform/extra/cdk.tf.json', 'line 1: literal value for "password"'],
      ['kubernetes/north', 'Secret portal/db carries literal data'],
    ]);
    const referenced = withText(prod, tf('{"resource":{"openstack_db_user_v1":{"u":{"password":"${var.db_password}","conn_str_env":""}}}}'));
    expect(failures(noPasswords, referenced)).toEqual([]);
  });

  it('NDC-SEC-003 recognises token formats and literal token fields', () => {
    const context = withText(prod, tf('{"provider":{"aws":{"access_key":"AKIAIOSFODNN7EXAMPLE"}},"locals":{"gh":"ghp_0123456789abcdefghijABCDEFGHIJ012345"}}'));
    expect(failures(noTokens, context).map((r) => r.message)).toEqual(['line 1: AWS access key id; line 1: GitHub token; line 1: literal value for "access_key"']);
  });
});
