import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import type {} from 'cdktf/lib/testing/adapters/jest';
import { renderEnvironment } from '../stacks/synth';
import {
  ComputeInstanceV2,
  ComputeServergroupV2,
  NetworkingSecgroupRuleV2,
  NetworkingSecgroupV2,
  NetworkingSubnetV2,
} from '../stacks/terraform/providers/openstack';
import { S3Bucket, S3BucketObjectLockConfiguration, S3BucketServerSideEncryption } from '../stacks/terraform/providers/minio';
import { loadProviderSchema, PROVIDER_SCHEMA_FILES, schemaVersion, type SchemaAttribute } from '../stacks/terraform/providers/schemas';
import { REPO } from './helpers';

Testing.setupJest();

type Resources = Record<string, Record<string, Record<string, unknown>>>;

// The Terraform artifacts only (the kubernetes renderer adds kubernetes/<cluster>.yaml beside them).
const terraformOnly = (r: ReturnType<typeof renderEnvironment>) => ({ ...r, artifacts: r.artifacts.filter((a) => a.engine === 'terraform') });
const rendered = {
  dev: terraformOnly(renderEnvironment(REPO, 'dev')),
  staging: terraformOnly(renderEnvironment(REPO, 'staging')),
  prod: terraformOnly(renderEnvironment(REPO, 'prod')),
};

function stackJson(env: keyof typeof rendered, stack: string): string {
  const artifact = rendered[env].artifacts.find((a) => a.stack === stack);
  if (!artifact) throw new Error(`no stack ${stack} in ${env}`);
  return artifact.content;
}

function resources(env: keyof typeof rendered, stack: string): Resources {
  return (JSON.parse(stackJson(env, stack)) as { resource: Resources }).resource;
}

function all(env: keyof typeof rendered, type: string): [string, Record<string, unknown>][] {
  return rendered[env].artifacts.flatMap((a) => Object.entries((JSON.parse(a.content) as { resource?: Resources }).resource?.[type] ?? {}));
}

describe('each environment synthesizes its stacks', () => {
  it.each([
    ['dev', ['national-core', 'cluster-north', 'backup-vaults']],
    ['staging', ['national-core', 'cluster-north', 'cluster-central', 'cluster-south', 'backup-vaults']],
    ['prod', ['national-core', 'cluster-north', 'cluster-central', 'cluster-south', 'backup-vaults']],
  ] as const)('%s', (env, stacks) => {
    expect(rendered[env].artifacts.map((a) => a.stack)).toEqual(stacks);
    expect(rendered[env].artifacts.map((a) => a.path)).toEqual(stacks.map((s) => `terraform/${s}/cdk.tf.json`));
    for (const artifact of rendered[env].artifacts) expect(artifact.resources).toBeGreaterThan(0);
  });
});

describe('cluster stacks (cdktf matchers)', () => {
  it('every security group starts from default deny', () => {
    const json = stackJson('prod', 'cluster-north');
    expect(json).toHaveResourceWithProperties(NetworkingSecgroupV2, { name: 'prod-population-db-db', delete_default_rules: true });
    for (const [, group] of all('prod', NetworkingSecgroupV2.tfResourceType)) expect(group.delete_default_rules).toBe(true);
  });

  it('opens the internet only to the IPS hosts of the edge zone on 443', () => {
    const internet = all('prod', NetworkingSecgroupRuleV2.tfResourceType).filter(([, r]) => r.remote_ip_prefix === '0.0.0.0/0');
    expect(internet.length).toBeGreaterThan(0);
    for (const [name, rule] of internet) {
      expect(rule).toMatchObject({ direction: 'ingress', protocol: 'tcp', port_range_min: 443, port_range_max: 443 });
      expect(name).toMatch(/^(public-service-portal|open-data-portal)-ips-ingress-/);
    }
  });

  it('connects tiers of one system by security group, not by address range', () => {
    const json = stackJson('prod', 'cluster-north');
    expect(json).toHaveResourceWithProperties(NetworkingSecgroupRuleV2, {
      direction: 'ingress',
      protocol: 'tcp',
      port_range_min: 5432,
      security_group_id: '${openstack_networking_secgroup_v2.population-db-dbfw-secgroup.id}',
      remote_group_id: '${openstack_networking_secgroup_v2.population-db-api-secgroup.id}',
    });
    // The database tier itself admits PostgreSQL only from the database firewall.
    const dbIngress = Object.values(JSON.parse(json).resource.openstack_networking_secgroup_rule_v2 as Record<string, Record<string, unknown>>).filter((r) => r.security_group_id === '${openstack_networking_secgroup_v2.population-db-db-secgroup.id}' && r.port_range_min === 5432);
    expect(dbIngress.map((r) => r.remote_group_id)).toEqual(['${openstack_networking_secgroup_v2.population-db-dbfw-secgroup.id}']);
  });

  it('places level 4-5 systems on dedicated hosts and their own subnets, spread by anti-affinity', () => {
    const json = stackJson('prod', 'cluster-north');
    expect(json).toHaveResourceWithProperties(ComputeInstanceV2, {
      name: 'prod-population-db-db-north-0',
      flavor_name: 'm4.8xlarge.dedicated-population-db',
      availability_zone: 'north-a',
    });
    expect(json).toHaveResourceWithProperties(ComputeInstanceV2, { name: 'prod-population-db-db-north-1', availability_zone: 'north-b' });
    expect(json).toHaveResourceWithProperties(ComputeServergroupV2, { name: 'prod-population-db-db-north', policies: ['anti-affinity'] });
    expect(json).toHaveResourceWithProperties(NetworkingSubnetV2, { name: 'prod-north-population-db-database', cidr: '10.10.139.0/24' });
    const volumes = resources('prod', 'cluster-north').openstack_blockstorage_volume_v3;
    expect(volumes['population-db-db-0-data']).toMatchObject({ size: 8000, volume_type: 'dedicated-population-db' });
    expect(volumes['e-document-exchange-db-0-data']).toMatchObject({ volume_type: 'encrypted' });
  });

  it('level 3 systems share the cluster segments', () => {
    const instance = resources('prod', 'cluster-central').openstack_compute_instance_v2['e-document-exchange-db-0'];
    expect(instance.flavor_name).toBe('m4.2xlarge');
    expect(instance.network).toEqual([{ uuid: '${openstack_networking_network_v2.database-network.id}' }]);
  });

  it('attaches every cluster router to the backbone of the national core (cross-stack reference)', () => {
    const config = JSON.parse(stackJson('prod', 'cluster-south')) as { data: { terraform_remote_state: Record<string, { backend: string; config: Record<string, string> }> } };
    const remote = Object.values(config.data.terraform_remote_state);
    expect(remote).toEqual([expect.objectContaining({ backend: 'pg', config: { schema_name: 'ndc_prod_national_core' } })]);
    const south = resources('prod', 'cluster-south');
    expect(south.openstack_networking_router_interface_v2['core-backbone-interface']).toMatchObject({ router_id: '${openstack_networking_router_v2.core-router.id}', port_id: '${openstack_networking_port_v2.core-backbone-port.id}' });
    expect(south.openstack_networking_port_v2['core-backbone-port']).toMatchObject({
      network_id: expect.stringMatching(/^\$\{data\.terraform_remote_state\.national-core\.outputs\.backbone_network_south\}$/),
      fixed_ip: [{ subnet_id: expect.stringMatching(/^\$\{data\.terraform_remote_state\.national-core\.outputs\.backbone_subnet_south\}$/), ip_address: '10.0.2.4' }],
    });
  });
});

describe('national core and backup vaults', () => {
  it('the national core has a backbone per cluster and shared services in the shared-services cluster', () => {
    const json = stackJson('prod', 'national-core');
    for (const [i, cluster] of ['north', 'central', 'south'].entries()) {
      expect(json).toHaveResourceWithProperties(NetworkingSubnetV2, { name: `prod-${cluster}-backbone`, cidr: `10.0.${i}.0/24` });
    }
    expect(json).toHaveResourceWithProperties(ComputeInstanceV2, { name: 'prod-siem-0' });
    // Logs are archived per system in the backup vaults' object-locked buckets, no longer in one national container.
    expect(Object.keys((JSON.parse(json) as { resource: Record<string, unknown> }).resource)).not.toContain('openstack_objectstorage_container_v1');
  });

  it('immutable backup copies are object-locked in compliance mode, all encrypted and versioned', () => {
    const json = stackJson('prod', 'backup-vaults');
    expect(json).toHaveResourceWithProperties(S3Bucket, { bucket: 'ndc-prod-population-db-central-object', object_locking: true });
    expect(json).toHaveResourceWithProperties(S3BucketObjectLockConfiguration, {
      object_lock_enabled: 'Enabled',
      rule: [{ default_retention: [{ mode: 'COMPLIANCE', days: 3650 }] }],
    });
    expect(json).toHaveResourceWithProperties(S3BucketServerSideEncryption, { encryption_type: 'aws:kms', kms_key_id: 'ndc-backup' });
    // Level 3 copies are not immutable unless asked: no object lock for them.
    const buckets = resources('prod', 'backup-vaults').minio_s3_bucket;
    expect(buckets['e-document-exchange-north-0-bucket'].object_locking).toBe(false);
    const versioning = resources('prod', 'backup-vaults').minio_s3_bucket_versioning;
    expect(Object.keys(versioning)).toHaveLength(Object.keys(buckets).length);
  });

  it('each cluster vault gets its own MinIO provider, credentials left to the environment', () => {
    const config = JSON.parse(stackJson('prod', 'backup-vaults')) as { provider: { minio: Record<string, unknown>[] } };
    expect(config.provider.minio.map((p) => p.alias)).toEqual(['north', 'central', 'south']);
    expect(config.provider.minio[0]).toEqual({ alias: 'north', minio_region: 'north', minio_server: 'backup.north.prod.cloud.gov.vn:443', minio_ssl: true });
  });

  it('in multi-region stacks every resource names its aliased provider', () => {
    for (const [stack, provider] of [['backup-vaults', 'minio'], ['national-core', 'openstack']] as const) {
      const bodies = Object.values(resources('prod', stack)).flatMap((byName) => Object.values(byName));
      expect(bodies.length).toBeGreaterThan(0);
      for (const body of bodies) expect(body.provider).toMatch(new RegExp(`^${provider}\\.(north|central|south)$`));
    }
    expect(resources('prod', 'backup-vaults').minio_s3_bucket['population-db-south-1-bucket'].provider).toBe('minio.south');
  });
});

describe('state backends', () => {
  it('shared environments use the pg backend without a connection string in the file', () => {
    for (const env of ['staging', 'prod'] as const) {
      for (const artifact of rendered[env].artifacts) {
        const backend = (JSON.parse(artifact.content) as { terraform: { backend: Record<string, Record<string, string>> } }).terraform.backend;
        expect(Object.keys(backend)).toEqual(['pg']);
        expect(backend.pg).toEqual({ schema_name: `ndc_${env}_${artifact.stack.replace(/-/g, '_')}` });
        expect(artifact.content).not.toMatch(/conn_str|postgres:\/\//);
      }
    }
  });

  it('dev keeps local state outside out/', () => {
    const backend = (JSON.parse(stackJson('dev', 'cluster-north')) as { terraform: { backend: unknown } }).terraform.backend;
    expect(backend).toEqual({ local: { path: '../../../../.ndc/state/dev/cluster-north.tfstate' } });
  });
});

const schemaFiles = Object.fromEntries(PROVIDER_SCHEMA_FILES.map((file) => [file.name, file]));
const schemas: Record<string, Readonly<Record<string, SchemaAttribute>>> = Object.assign({}, ...PROVIDER_SCHEMA_FILES.map((file) => loadProviderSchema(file).resources));

const META = new Set(['//', 'provider', 'depends_on', 'lifecycle', 'count', 'for_each']);

/** Problems of one resource body against its schema: unknown or read-only attributes, missing required ones. */
function schemaProblems(body: Record<string, unknown>, schema: Readonly<Record<string, SchemaAttribute>>, where: string): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (META.has(key)) continue;
    const attribute = schema[key];
    if (!attribute) problems.push(`${where}.${key}: not an attribute of the provider schema`);
    else if (!attribute.required && !attribute.optional) problems.push(`${where}.${key}: computed only, cannot be set`);
    else if (attribute.block) {
      const block = attribute.block;
      if (!Array.isArray(value)) problems.push(`${where}.${key}: a block must be a list`);
      else value.forEach((item, i) => problems.push(...schemaProblems(item as Record<string, unknown>, block, `${where}.${key}[${i}]`)));
    }
  }
  for (const [key, attribute] of Object.entries(schema)) {
    if (attribute.required && !(key in body)) problems.push(`${where}.${key}: required attribute not set`);
  }
  return problems;
}

describe('every emitted resource matches the provider schema of the pinned release', () => {
  it.each(['dev', 'staging', 'prod'] as const)('%s', (env) => {
    let checked = 0;
    const problems: string[] = [];
    for (const artifact of rendered[env].artifacts) {
      const config = JSON.parse(artifact.content) as { resource: Resources };
      for (const [type, byName] of Object.entries(config.resource)) {
        const provider = schemaFiles[type.split('_')[0]];
        if (!provider || !loadProviderSchema(provider).resourceTypes.includes(type)) {
          problems.push(`${artifact.stack}: ${type}: not a resource type of the pinned provider release`);
          continue;
        }
        for (const [name, body] of Object.entries(byName)) {
          problems.push(...schemaProblems(body, schemas[type], `${artifact.stack}: ${type}.${name}`));
          checked++;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(10);
  });

  it('required_providers pins each provider to exactly the release its schema describes', () => {
    for (const env of ['dev', 'staging', 'prod'] as const) {
      for (const artifact of rendered[env].artifacts) {
        const required = (JSON.parse(artifact.content) as { terraform: { required_providers: Record<string, { source: string; version: string }> } }).terraform.required_providers;
        expect(Object.keys(required).length).toBeGreaterThan(0);
        for (const [name, pin] of Object.entries(required)) {
          const file = schemaFiles[name];
          expect(file).toBeDefined();
          expect(pin).toEqual({ source: file.source, version: schemaVersion(file) });
        }
      }
    }
    expect(PROVIDER_SCHEMA_FILES.map(schemaVersion)).toEqual(['3.4.0', '3.40.1']);
  });

  it('the bindings were generated from the schema files as they are', () => {
    for (const file of PROVIDER_SCHEMA_FILES) {
      const generated = readFileSync(join(REPO, 'stacks/terraform/providers', `${file.name}.ts`), 'utf8');
      expect(generated).toContain(`from schema/${file.file}:`);
      const types = [...generated.matchAll(/static readonly tfResourceType = "([a-z0-9_]+)"/g)].map((m) => m[1]);
      expect(types.length).toBeGreaterThan(0);
      for (const type of types) expect(loadProviderSchema(file).resourceTypes).toContain(type);
    }
  });

  it('the check itself catches an unknown, a computed-only and a missing required attribute', () => {
    const schema = schemas.openstack_networking_secgroup_rule_v2;
    expect(schemaProblems({ direction: 'ingress', ethertype: 'IPv4', security_group_id: 'x', port: 22 }, schema, 'r')).toEqual(['r.port: not an attribute of the provider schema']);
    expect(schemaProblems({ direction: 'ingress', security_group_id: 'x' }, schema, 'r')).toEqual(['r.ethertype: required attribute not set']);
    expect(schemaProblems({ name: 'n', members: ['a'] }, schemas.openstack_compute_servergroup_v2, 'g')).toEqual(['g.members: computed only, cannot be set']);
    expect(schemaProblems({ name: 'i', network: [{ mac: 'aa' }] }, schemas.openstack_compute_instance_v2, 'i')).toEqual(['i.network[0].mac: computed only, cannot be set']);
    expect(schemas.minio_s3_bucket_server_side_encryption_configuration).toBeUndefined();
  });
});

describe('memory across stacks', () => {
  it("drops the tokens of each serialized stack from cdktf's process-wide token map", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { TokenMap } = require('cdktf/lib/tokens/private/token-map') as typeof import('cdktf/lib/tokens/private/token-map');
    const map = TokenMap.instance() as unknown as { stringTokenMap: Map<string, unknown> };
    const before = map.stringTokenMap.size;
    const again = renderEnvironment(REPO, 'prod');
    expect(again.manifest.digest).toBe(rendered.prod.manifest.digest);
    expect(map.stringTokenMap.size).toBe(before);
  });
});
