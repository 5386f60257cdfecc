import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TerraformConfig } from '../../policies/rule';
import { findingLine } from '../../policies/validation/findings';
import { validateAddresses } from '../../policies/validation/semantics';
import { validateTerraform, type TerraformArtifact } from '../../policies/validation/terraform';

/** Terraform JSON against the pinned provider schemas: one failing fixture per check, and today's defects. */

const PINS = {
  required_providers: {
    openstack: { source: 'terraform-provider-openstack/openstack', version: '3.4.0' },
    minio: { source: 'aminueza/minio', version: '3.40.1' },
  },
};

type Resources = Record<string, Record<string, Record<string, unknown>>>;

function stack(resource: Resources, extra: Record<string, unknown> = {}, name = 'cluster-north'): TerraformArtifact {
  return { stack: name, artifact: `terraform/${name}/cdk.tf.json`, config: { terraform: structuredClone(PINS), resource, ...extra } as TerraformConfig };
}

/** A valid security group and rule, the base every fixture below breaks in one way. */
function base(): Resources {
  return {
    openstack_networking_secgroup_v2: { web: { name: 'prod-web', delete_default_rules: true } },
    openstack_networking_secgroup_rule_v2: {
      https: { direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: 443, port_range_max: 443, remote_ip_prefix: '10.0.0.0/8', security_group_id: '${openstack_networking_secgroup_v2.web.id}' },
    },
  };
}

const ruleOf = (r: Resources) => r.openstack_networking_secgroup_rule_v2.https;

function rejections(...artifacts: TerraformArtifact[]): { check: string; line: string }[] {
  return validateTerraform(artifacts).map((f) => ({ check: f.check, line: findingLine(f, 'prod') }));
}

describe('Terraform validation against the pinned provider schemas', () => {
  it('accepts a valid configuration', () => {
    expect(rejections(stack(base()))).toEqual([]);
  });

  it('NDC-VAL-001: rejects a resource type the provider does not have, naming the nearest real one', () => {
    const r = base();
    r.openstack_networking_secgroup_rules_v2 = { x: { direction: 'ingress' } };
    expect(rejections(stack(r))).toEqual([
      { check: 'NDC-VAL-001', line: expect.stringMatching(/^out\/prod\/terraform\/cluster-north\/cdk\.tf\.json: openstack_networking_secgroup_rules_v2\.x: resource type .* does not exist in terraform-provider-openstack\/openstack v3\.4\.0/) },
    ]);
  });

  it('NDC-VAL-002: rejects a provider version range and a missing pin', () => {
    const ranged = stack(base());
    (ranged.config.terraform as { required_providers: { openstack: { version: string } } }).required_providers.openstack.version = '~> 3.0';
    expect(rejections(ranged).map((r) => r.line)).toEqual([expect.stringContaining('terraform: required_providers.openstack.version: is "~> 3.0": pin exactly "3.4.0"')]);
    const unpinned = { ...stack(base()), config: { resource: base() } as TerraformConfig };
    expect(rejections(unpinned).map((r) => r.check)).toEqual(['NDC-VAL-002']);
  });

  it('NDC-VAL-003: rejects an unknown argument and an argument only the provider computes', () => {
    const r = base();
    ruleOf(r).port = 443;
    r.openstack_networking_secgroup_v2.web.all_tags = ['a'];
    const found = rejections(stack(r));
    expect(found.map((f) => f.check)).toEqual(['NDC-VAL-003', 'NDC-VAL-003']);
    expect(found.map((f) => f.line).join('\n')).toMatch(/openstack_networking_secgroup_rule_v2\.https: port: is not an argument of this resource/);
    expect(found.map((f) => f.line).join('\n')).toMatch(/openstack_networking_secgroup_v2\.web: all_tags: is computed by the provider and cannot be set/);
  });

  it('NDC-VAL-004: rejects a missing required argument, also inside a nested block', () => {
    const r = base();
    delete ruleOf(r).direction;
    r.minio_s3_bucket_versioning = { v: { bucket: 'b', versioning_configuration: [{}] } };
    const found = rejections(stack(r));
    expect(found).toEqual([
      { check: 'NDC-VAL-004', line: expect.stringContaining('openstack_networking_secgroup_rule_v2.https: direction: is required and not set') },
      { check: 'NDC-VAL-004', line: expect.stringContaining('minio_s3_bucket_versioning.v: versioning_configuration[0].status: is required and not set') },
    ]);
  });

  it('NDC-VAL-005: rejects values outside validators (IntBetween, IntInSlice, StringInSlice, IsCIDR, provider functions), wrong types and too many items', () => {
    const r = base();
    ruleOf(r).port_range_max = 70000;
    ruleOf(r).direction = 'sideways';
    r.openstack_networking_subnet_v2 = { s: { network_id: 'n', cidr: '10.0.0.0/33', ip_version: 5, enable_dhcp: 'maybe' } };
    r.minio_s3_bucket_versioning = { v: { bucket: 'b', versioning_configuration: [{ status: 'On' }, { status: 'Enabled' }] } };
    const lines = rejections(stack(r));
    expect(lines.every((l) => l.check === 'NDC-VAL-005')).toBe(true);
    const text = lines.map((l) => l.line).join('\n');
    expect(text).toContain('port_range_max: expected to be in the range (0 - 65535) (validation.IntBetween), got 70000');
    expect(text).toContain('direction: unknown direction "sideways"');
    expect(text).toContain('cidr: expected a CIDR block (validation.IsCIDR), got "10.0.0.0/33"');
    expect(text).toContain('ip_version: expected one of 4, 6 (validation.IntInSlice), got 5');
    expect(text).toContain('enable_dhcp: must be a bool, got "maybe"');
    expect(text).toContain('versioning_configuration: allows at most 1 item(s) (MaxItems), has 2');
    expect(text).toContain('versioning_configuration[0].status: expected one of "Enabled", "Suspended" (validation.StringInSlice), got "On"');
    expect(lines).toHaveLength(7);
  });

  it('NDC-VAL-005: leaves values known only at apply (interpolations) to the engine', () => {
    const r = base();
    ruleOf(r).port_range_max = '${openstack_networking_secgroup_v2.web.id}';
    expect(rejections(stack(r))).toEqual([]);
  });

  it('NDC-VAL-006: rejects ConflictsWith, RequiredWith, ExactlyOneOf and AtLeastOneOf violations', () => {
    const r = base();
    ruleOf(r).remote_group_id = '${openstack_networking_secgroup_v2.web.id}';
    delete ruleOf(r).port_range_max;
    r.openstack_lb_pool_v2 = { p: { lb_method: 'ROUND_ROBIN', protocol: 'HTTP', loadbalancer_id: 'a', listener_id: 'b' } };
    r.openstack_lb_loadbalancer_v2 = { lb: { name: 'x' } };
    const text = rejections(stack(r)).map((l) => `${l.check} ${l.line}`).join('\n');
    expect(text).toMatch(/NDC-VAL-006 .*secgroup_rule_v2\.https: remote_group_id: conflicts with remote_ip_prefix \(ConflictsWith\)/);
    expect(text).toMatch(/NDC-VAL-006 .*secgroup_rule_v2\.https: remote_ip_prefix: conflicts with remote_group_id \(ConflictsWith\)/);
    expect(text).toMatch(/NDC-VAL-006 .*secgroup_rule_v2\.https: port_range_min: requires port_range_max to be set too \(RequiredWith\)/);
    expect(text).toMatch(/NDC-VAL-006 .*openstack_lb_pool_v2\.p: loadbalancer_id: exactly one of loadbalancer_id, listener_id must be set \(ExactlyOneOf\), loadbalancer_id, listener_id are/);
    expect(text).toMatch(/NDC-VAL-006 .*openstack_lb_loadbalancer_v2\.lb: vip_network_id: at least one of vip_network_id, vip_subnet_id, vip_port_id must be set \(AtLeastOneOf\)/);
  });

  it('NDC-VAL-007: rejects references to undeclared resources, attributes, provider aliases and remote-state outputs', () => {
    const r = base();
    ruleOf(r).security_group_id = '${openstack_networking_secgroup_v2.missing.id}';
    r.openstack_networking_secgroup_v2.web.description = '${openstack_networking_secgroup_v2.web.colour}';
    r.openstack_networking_secgroup_v2.web.provider = 'openstack.mars';
    r.openstack_networking_router_interface_v2 = { i: { router_id: 'r', subnet_id: '${data.terraform_remote_state.national-core.outputs.no_such_output}' } };
    const reader = stack(r, { data: { terraform_remote_state: { 'national-core': { backend: 'pg', config: { schema_name: 'ndc_prod_national_core' } } } } });
    const core = stack({}, { terraform: { backend: { pg: { schema_name: 'ndc_prod_national_core' } } }, output: { backbone: { value: 'x' } } }, 'national-core');
    const text = rejections(reader, core).map((l) => `${l.check} ${l.line}`).join('\n');
    expect(text).toContain('NDC-VAL-007 out/prod/terraform/cluster-north/cdk.tf.json: openstack_networking_secgroup_rule_v2.https: security_group_id: refers to openstack_networking_secgroup_v2.missing, which this configuration does not declare');
    expect(text).toContain('openstack_networking_secgroup_v2.web: description: refers to openstack_networking_secgroup_v2.web.colour, an attribute openstack_networking_secgroup_v2 does not have');
    expect(text).toContain('openstack_networking_secgroup_v2.web: provider: refers to provider openstack.mars, which this configuration does not configure');
    expect(text).toContain('openstack_networking_router_interface_v2.i: subnet_id: reads output no_such_output of stack national-core, which declares no such output');
    expect(text.split('\n')).toHaveLength(4);
  });

  it('NDC-VAL-007: rejects a cdktf token that was never resolved', () => {
    const r = base();
    r.openstack_networking_secgroup_v2.web.description = 'group ${TfToken[TOKEN.42]}';
    expect(rejections(stack(r))).toEqual([
      { check: 'NDC-VAL-007', line: 'out/prod/terraform/cluster-north/cdk.tf.json: openstack_networking_secgroup_v2.web: description: ${TfToken[TOKEN.42]} is an unresolved cdktf token, not a Terraform expression' },
    ]);
  });
});

describe('Terraform template sequences in strings (JSON strings are templates)', () => {
  const lines = (description: string) => {
    const r = base();
    r.openstack_networking_secgroup_v2.web.description = description;
    return rejections(stack(r)).map((l) => l.line.replace('out/prod/terraform/cluster-north/cdk.tf.json: openstack_networking_secgroup_v2.web: description: ', ''));
  };

  it('accepts escaped text ($${x}, %%{x}) and real references, as terraform validate does', () => {
    expect(lines('Unattended-Upgrade::Origins-Pattern { "origin=$${distro_id},codename=$${distro_codename}"; }; 100%%{done}')).toEqual([]);
    expect(lines('group of ${openstack_networking_secgroup_v2.web.name} and ${true}')).toEqual([]);
  });

  it('NDC-VAL-007: rejects a bare name, an unescaped directive and a sequence never closed', () => {
    expect(lines('origin=${distro_id}')).toEqual([
      'has ${distro_id}, which Terraform reads as a reference to distro_id, not text; write $${distro_id} for the literal',
    ]);
    expect(lines('printf "%{http_code}"')).toEqual(['has %{http_code}, which Terraform reads as a template directive; write %%{ for a literal %{']);
    expect(lines('echo ${HOME')).toEqual(['has a template sequence that is never closed (${HOME); write $${ for a literal ${']);
  });

  it('NDC-VAL-007: names where in the resource a bad sequence sits, inside maps and lists, and skips the comment property', () => {
    const resources = base();
    Object.assign(ruleOf(resources), {
      description: 'fine text without braces',
      '//': { note: 'a comment: ${ignored}' },
    });
    resources.openstack_networking_secgroup_v2.web.tags = ['plain', 'echo ${HOME'];
    resources.openstack_networking_secgroup_v2.web.metadata = { script: { lines: ['ok', 'origin=${distro_id}'] } };
    const found = validateTerraform([stack(resources)]).filter((f) => f.check === 'NDC-VAL-007').map((f) => `${f.address} ${f.path}`);
    expect(found).toEqual(['openstack_networking_secgroup_v2.web tags[1]', 'openstack_networking_secgroup_v2.web metadata.script.lines[1]']);
  });
});

describe("today's Terraform output (before issue 13's fixes) is rejected", () => {
  const today = (name: string): TerraformArtifact => ({
    stack: name,
    artifact: `terraform/${name}/cdk.tf.json`,
    config: JSON.parse(readFileSync(join(__dirname, 'today', `${name}.json`), 'utf8')) as TerraformConfig,
  });

  it('the backup vaults use a MinIO type that does not exist and pin a version range', () => {
    const found = validateTerraform([today('backup-vaults')]);
    expect(found.map((f) => `${f.check} ${f.address} ${f.path}`)).toEqual([
      'NDC-VAL-002 terraform required_providers.minio.version',
      'NDC-VAL-001 minio_s3_bucket_server_side_encryption_configuration.north-platform-encryption ',
    ]);
    expect(found[1].reason).toContain('(did you mean minio_s3_bucket_server_side_encryption?)');
  });

  it('routers attached by subnet_id to the shared backbone all take its one gateway address', () => {
    const stacks = [today('national-core'), today('cluster-north')];
    // The schema and references are fine: only the apply-time check sees the clash.
    expect(validateTerraform(stacks).filter((f) => f.check !== 'NDC-VAL-002')).toEqual([]);
    const clashes = validateAddresses(stacks);
    expect(clashes.map((f) => `${f.check} ${f.artifact} ${f.address} ${f.path}`)).toEqual([
      'NDC-VAL-030 terraform/cluster-north/cdk.tf.json openstack_networking_router_interface_v2.population-db-backbone-interface subnet_id',
      'NDC-VAL-030 terraform/national-core/cdk.tf.json openstack_networking_router_interface_v2.north-backbone-interface subnet_id',
    ]);
    expect(clashes[0].reason).toContain('takes the gateway address 10.0.0.1 of subnet openstack_networking_subnet_v2.north-backbone-subnet of national-core');
  });
});
