import type { Construct } from 'constructs';
import { TerraformProvider } from 'cdktf';
import { PROVIDER_SOURCE as MINIO_SOURCE, PROVIDER_VERSION as MINIO_VERSION } from './minio';
import { PROVIDER_SOURCE as OPENSTACK_SOURCE, PROVIDER_VERSION as OPENSTACK_VERSION } from './openstack';

/** cdktf's TerraformProvider declares `alias` but does not store it: each provider keeps its own. */
abstract class AliasedProvider extends TerraformProvider {
  private providerAlias?: string;

  override get alias(): string | undefined {
    return this.providerAlias;
  }

  override set alias(value: string | undefined) {
    this.providerAlias = value;
  }
}

/**
 * The OpenStack provider for one cluster's region. Credentials come only from the engine's own
 * configuration (clouds.yaml / OS_* variables), never from the synthesized file.
 */
export class OpenStackProvider extends AliasedProvider {
  private readonly region: string;

  constructor(scope: Construct, id: string, config: { region: string; alias?: string }) {
    super(scope, id, {
      terraformResourceType: 'openstack',
      terraformGeneratorMetadata: { providerName: 'openstack', providerVersionConstraint: OPENSTACK_VERSION },
      terraformProviderSource: OPENSTACK_SOURCE,
    });
    this.region = config.region;
    this.alias = config.alias;
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { region: this.region, alias: this.alias };
  }
}

/**
 * The MinIO provider for one cluster's backup vault (S3-compatible: MinIO or Ceph RGW). The access key
 * and secret come from MINIO_USER / MINIO_PASSWORD in the deploying environment.
 */
export class MinioProvider extends AliasedProvider {
  private readonly server: string;
  private readonly region: string;

  constructor(scope: Construct, id: string, config: { server: string; region: string; alias?: string }) {
    super(scope, id, {
      terraformResourceType: 'minio',
      terraformGeneratorMetadata: { providerName: 'minio', providerVersionConstraint: MINIO_VERSION },
      terraformProviderSource: MINIO_SOURCE,
    });
    this.server = config.server;
    this.region = config.region;
    this.alias = config.alias;
  }

  protected override synthesizeAttributes(): Record<string, unknown> {
    return { minio_server: this.server, minio_region: this.region, minio_ssl: true, alias: this.alias };
  }
}
