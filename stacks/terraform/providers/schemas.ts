/**
 * The provider schemas the artifacts are generated from and checked against, one file per provider at
 * the released version the artifacts pin (the version is read from the file name, so pin and schema
 * cannot disagree). No engine library here: policies and validators load this too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SOURCE_ROOT } from '../../../core/source-root';

export interface SchemaAttribute {
  readonly type: 'TypeString' | 'TypeInt' | 'TypeFloat' | 'TypeBool' | 'TypeMap' | 'TypeList' | 'TypeSet';
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly forceNew?: boolean;
  readonly sensitive?: boolean;
  readonly deprecated?: string;
  readonly maxItems?: number;
  readonly minItems?: number;
  readonly elemType?: SchemaAttribute['type'];
  readonly conflictsWith?: readonly string[];
  readonly exactlyOneOf?: readonly string[];
  readonly atLeastOneOf?: readonly string[];
  readonly requiredWith?: readonly string[];
  readonly validate?: readonly { readonly func: string; readonly args?: readonly unknown[] }[];
  readonly block?: Readonly<Record<string, SchemaAttribute>> | null;
}

export interface ProviderSchema {
  readonly provider: Readonly<Record<string, SchemaAttribute>>;
  readonly resourceTypes: readonly string[];
  readonly resources: Readonly<Record<string, Readonly<Record<string, SchemaAttribute>>>>;
}

export interface ProviderSchemaFile {
  /** Local provider name in `required_providers`. */
  readonly name: 'openstack' | 'minio';
  /** Registry source address. */
  readonly source: string;
  /** File under stacks/terraform/providers/schema/, named `<name>-v<version>.json`. */
  readonly file: string;
}

export const SCHEMA_DIR = join(SOURCE_ROOT, 'stacks', 'terraform', 'providers', 'schema');

export const PROVIDER_SCHEMA_FILES: readonly ProviderSchemaFile[] = [
  { name: 'openstack', source: 'terraform-provider-openstack/openstack', file: 'openstack-v3.4.0.json' },
  { name: 'minio', source: 'aminueza/minio', file: 'minio-v3.40.1.json' },
];

/** The exact release a schema file describes, from its name (`minio-v3.40.1.json` -> `3.40.1`). */
export function schemaVersion(file: ProviderSchemaFile): string {
  const match = new RegExp(`^${file.name}-v(\\d+\\.\\d+\\.\\d+)\\.json$`).exec(file.file);
  if (!match) throw new Error(`stacks/terraform/providers/schema/${file.file}: name must be ${file.name}-v<major.minor.patch>.json`);
  return match[1];
}

const loaded = new Map<string, ProviderSchema>();

export function loadProviderSchema(file: ProviderSchemaFile): ProviderSchema {
  let schema = loaded.get(file.file);
  if (!schema) {
    schema = JSON.parse(readFileSync(join(SCHEMA_DIR, file.file), 'utf8')) as ProviderSchema;
    loaded.set(file.file, schema);
  }
  return schema;
}
