import type { CloudFormationTemplate } from '../rule';
import { readCache, writeCache } from './cache';
import { joinPath, shown, type ValidationFinding } from './findings';

/**
 * CloudFormation templates against the resource specification (@aws-cdk/aws-service-spec, the database
 * the CDK itself is generated from): type exists, properties known, required present, primitive types
 * and allowed values; and every Ref / Fn::GetAtt naming a declared resource, parameter or attribute.
 */

export const CFN_CHECK = { property: 'NDC-VAL-020', required: 'NDC-VAL-021', value: 'NDC-VAL-022', reference: 'NDC-VAL-023' } as const;

export interface CloudFormationArtifact {
  readonly artifact: string;
  readonly template: CloudFormationTemplate;
}

type PropertyType =
  | { readonly type: 'string'; readonly allowedValues?: readonly string[] }
  | { readonly type: 'number' | 'integer' | 'boolean' | 'json' | 'date-time' | 'null' | 'tag' }
  | { readonly type: 'ref'; readonly reference: { readonly $ref: string } }
  | { readonly type: 'array' | 'map'; readonly element: PropertyType }
  | { readonly type: 'union'; readonly types: readonly PropertyType[] };

interface Property {
  readonly type: PropertyType;
  readonly required?: boolean;
}

interface SpecResource {
  readonly cloudFormationType: string;
  readonly properties: Readonly<Record<string, Property>>;
  readonly attributes: Readonly<Record<string, unknown>>;
}

interface SpecTypeDefinition {
  readonly name: string;
  readonly properties: Readonly<Record<string, Property>>;
}

interface SpecDatabase {
  lookup(entity: 'resource', index: 'cloudFormationType', how: 'equals', value: string): readonly SpecResource[];
  get(entity: 'typeDefinition', id: string): SpecTypeDefinition;
}

let database: SpecDatabase | undefined;

/** The full specification database (about 0.3 s to load): only on a cache miss. */
function spec(): SpecDatabase {
  if (!database) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { loadAwsServiceSpecSync } = require('@aws-cdk/aws-service-spec') as { loadAwsServiceSpecSync(): unknown };
    database = loadAwsServiceSpecSync() as SpecDatabase;
  }
  return database;
}

interface CachedSpec {
  readonly version: string;
  readonly resources: Record<string, { readonly cloudFormationType: string; readonly properties: Record<string, Property>; readonly attributes: Record<string, unknown> } | null>;
  readonly types: Record<string, SpecTypeDefinition>;
}

let cached: CachedSpec | undefined;
let dirty = false;

function specVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('@aws-cdk/aws-service-spec/package.json') as { version: string }).version;
}

/** The entries of the specification the templates use, copied exactly from the package's database, by package version. */
const cacheName = () => `aws-service-spec-${specVersion()}.json`;

function specCache(): CachedSpec {
  if (cached) return cached;
  const read = readCache<CachedSpec>(cacheName());
  if (read?.version === specVersion()) cached = read;
  cached ??= { version: specVersion(), resources: {}, types: {} };
  return cached;
}

function copyType(type: PropertyType, into: CachedSpec): void {
  if (type.type === 'ref') {
    const id = type.reference.$ref;
    if (into.types[id]) return;
    const definition = spec().get('typeDefinition', id);
    into.types[id] = { name: definition.name, properties: JSON.parse(JSON.stringify(definition.properties)) as Record<string, Property> };
    for (const property of Object.values(definition.properties)) copyType(property.type, into);
  } else if (type.type === 'array' || type.type === 'map') copyType(type.element, into);
  else if (type.type === 'union') for (const t of type.types) copyType(t, into);
}

function resourceSpec(cloudFormationType: string): SpecResource | undefined {
  const cache = specCache();
  if (!(cloudFormationType in cache.resources)) {
    const found = spec().lookup('resource', 'cloudFormationType', 'equals', cloudFormationType)[0];
    cache.resources[cloudFormationType] = found ? { cloudFormationType, properties: JSON.parse(JSON.stringify(found.properties)) as Record<string, Property>, attributes: JSON.parse(JSON.stringify(found.attributes)) as Record<string, unknown> } : null;
    for (const property of Object.values(found?.properties ?? {})) copyType(property.type, cache);
    dirty = true;
  }
  return cache.resources[cloudFormationType] ?? undefined;
}

function typeDefinition(id: string): SpecTypeDefinition {
  return specCache().types[id] ?? spec().get('typeDefinition', id);
}

function saveCache(): void {
  if (!dirty || !cached) return;
  dirty = false;
  writeCache(cacheName(), cached);
}

/** Resource types CloudFormation handles itself, outside the registry the specification mirrors. */
const BUILTIN_TYPES = new Set(['AWS::CDK::Metadata', 'AWS::CloudFormation::CustomResource']);

const PSEUDO_PARAMETERS = new Set(['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix']);

function isIntrinsic(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0].startsWith('Fn::'));
}

export function validateCloudFormation(artifacts: readonly CloudFormationArtifact[]): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  for (const { artifact, template } of artifacts) {
    const resources = template.Resources ?? {};
    const parameters = new Set(Object.keys((template.Parameters ?? {}) as object));
    const specOf = new Map<string, SpecResource | undefined>();
    for (const [logicalId, resource] of Object.entries(resources)) {
      const report = (check: string, path: string, reason: string) => findings.push({ check, artifact, address: logicalId, path, reason });
      const type = resource?.Type;
      if (typeof type !== 'string') {
        report(CFN_CHECK.property, 'Type', 'is missing: every resource needs a Type');
        continue;
      }
      if (type.startsWith('Custom::') || BUILTIN_TYPES.has(type)) continue;
      const found = resourceSpec(type);
      specOf.set(logicalId, found);
      if (!found) {
        report(CFN_CHECK.property, 'Type', `${type} is not a resource type of the CloudFormation specification`);
        continue;
      }
      checkProperties(found.properties, (resource.Properties ?? {}) as Record<string, unknown>, 'Properties', type, report);
    }
    // References: Ref to a resource, parameter or pseudo parameter; GetAtt to a resource's attribute.
    const visit = (address: string, value: unknown, path: string) => {
      if (Array.isArray(value)) return value.forEach((v, i) => visit(address, v, joinPath(path, i)));
      if (value === null || typeof value !== 'object') return;
      for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
        const here = joinPath(path, key);
        if (key === 'Ref' && typeof child === 'string') {
          if (!(child in resources) && !parameters.has(child) && !PSEUDO_PARAMETERS.has(child)) {
            findings.push({ check: CFN_CHECK.reference, artifact, address, path: here, reason: `Ref ${JSON.stringify(child)} names no resource, parameter or pseudo parameter of the template` });
          }
        } else if (key === 'Fn::GetAtt') {
          const [target, attribute] = Array.isArray(child) ? (child as unknown[]) : typeof child === 'string' ? child.split(/\.(.*)/s) : [];
          if (typeof target === 'string' && !(target in resources)) {
            findings.push({ check: CFN_CHECK.reference, artifact, address, path: here, reason: `Fn::GetAtt names ${JSON.stringify(target)}, which is not a resource of the template` });
          } else if (typeof target === 'string' && typeof attribute === 'string') {
            const targetSpec = specOf.get(target);
            if (targetSpec && !(attribute in targetSpec.attributes) && !(attribute.split('.')[0] in targetSpec.attributes)) {
              findings.push({ check: CFN_CHECK.reference, artifact, address, path: here, reason: `${targetSpec.cloudFormationType} has no attribute ${attribute} (attributes: ${Object.keys(targetSpec.attributes).join(', ')})` });
            }
          }
        } else {
          visit(address, child, here);
        }
      }
    };
    for (const [logicalId, resource] of Object.entries(resources)) visit(logicalId, resource, '');
    for (const [name, output] of Object.entries((template.Outputs ?? {}) as Record<string, unknown>)) visit(`Outputs.${name}`, output, '');
  }
  saveCache();
  return findings;
}

type Report = (check: string, path: string, reason: string) => void;

function checkProperties(properties: Readonly<Record<string, Property>>, body: Record<string, unknown>, path: string, owner: string, report: Report): void {
  for (const [key, value] of Object.entries(body)) {
    const property = properties[key];
    if (!property) {
      report(CFN_CHECK.property, joinPath(path, key), `is not a property of ${owner} (properties: ${Object.keys(properties).sort().join(', ')})`);
      continue;
    }
    checkValue(property.type, value, joinPath(path, key), report);
  }
  for (const [key, property] of Object.entries(properties)) {
    if (property.required && body[key] === undefined) report(CFN_CHECK.required, joinPath(path, key), `is required by ${owner} and missing`);
  }
}

/** Why a value does not fit a type, or undefined; intrinsic functions are resolved only at deploy time. */
function mismatch(type: PropertyType, value: unknown): string | undefined {
  if (isIntrinsic(value)) return undefined;
  switch (type.type) {
    case 'string':
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return `must be a string, got ${shown(value)}`;
      if (type.allowedValues && type.allowedValues.length > 0 && !type.allowedValues.includes(String(value))) return `must be one of ${type.allowedValues.join(', ')}, got ${shown(value)}`;
      return undefined;
    case 'number':
    case 'integer': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      if (!Number.isFinite(n) || (type.type === 'integer' && !Number.isInteger(n))) return `must be ${type.type === 'integer' ? 'an integer' : 'a number'}, got ${shown(value)}`;
      return undefined;
    }
    case 'boolean':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? undefined : `must be a boolean, got ${shown(value)}`;
    case 'date-time':
      return typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? undefined : `must be a date-time, got ${shown(value)}`;
    case 'json':
      return typeof value === 'object' || typeof value === 'string' ? undefined : `must be a JSON object, got ${shown(value)}`;
    case 'null':
      return value === null ? undefined : `must be null, got ${shown(value)}`;
    case 'tag':
      return value !== null && typeof value === 'object' && !Array.isArray(value) && 'Key' in value && 'Value' in value ? undefined : `must be a tag {Key, Value}, got ${shown(value)}`;
    case 'ref':
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? undefined : `must be an object (${typeDefinition(type.reference.$ref).name}), got ${shown(value)}`;
    case 'array':
      return Array.isArray(value) ? undefined : `must be a list, got ${shown(value)}`;
    case 'map':
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? undefined : `must be a map, got ${shown(value)}`;
    case 'union':
      return type.types.some((t) => mismatch(t, value) === undefined) ? undefined : `fits none of its types (${type.types.map((t) => t.type).join(' | ')}), got ${shown(value)}`;
    default:
      return undefined;
  }
}

function checkValue(type: PropertyType, value: unknown, path: string, report: Report): void {
  if (isIntrinsic(value)) return;
  if (type.type === 'union') {
    // Descend into the first member the value fits, so nested errors are reported against it.
    const fitting = type.types.find((t) => mismatch(t, value) === undefined);
    if (!fitting) return report(CFN_CHECK.value, path, mismatch(type, value)!);
    return checkValue(fitting, value, path, report);
  }
  const error = mismatch(type, value);
  if (error) return report(CFN_CHECK.value, path, error);
  if (type.type === 'ref') {
    const definition = typeDefinition(type.reference.$ref);
    checkProperties(definition.properties, value as Record<string, unknown>, path, definition.name, report);
  } else if (type.type === 'array') {
    (value as unknown[]).forEach((item, i) => checkValue(type.element, item, joinPath(path, i), report));
  } else if (type.type === 'map') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) checkValue(type.element, v, joinPath(path, k), report);
  }
}
