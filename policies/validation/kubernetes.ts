import { VELERO_RELEASE, veleroCrds } from '../../stacks/kubernetes/prerequisites';
import type { KubernetesObject } from '../rule';
import { joinPath, shown, type ValidationFinding } from './findings';

/**
 * Kubernetes objects as the API server would admit them: core kinds against the Kubernetes OpenAPI schema
 * (kubernetes-models' compiled AJV validators), custom resources against the structural schema of their
 * CRD (the vendored Velero CRDs), unknown fields rejected as strict field validation does.
 */

export const K8S_CHECK = { core: 'NDC-VAL-010', custom: 'NDC-VAL-011' } as const;

/** Where the vendored CRDs are shown in findings (the release is pinned once, in stacks/kubernetes/prerequisites.ts). */
const CRD_DIR_SHOWN = `stacks/kubernetes/crds/velero-${VELERO_RELEASE}`;

export interface KubernetesArtifact {
  readonly artifact: string;
  readonly objects: readonly KubernetesObject[];
}

/** `velero/Schedule/name`, or `Namespace/name` for cluster-scoped objects. */
export function objectAddress(object: KubernetesObject): string {
  const ns = object.metadata?.namespace;
  return `${ns ? `${ns}/` : ''}${object.kind}/${object.metadata?.name}`;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

interface AjvError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}

/**
 * The kinds ndc's Kubernetes renderer writes (stacks/kubernetes/), as [apiVersion, kind]; a test holds
 * this to what prod renders. Only a head start: a kind missing here is loaded when first validated.
 */
export const RENDERED_KINDS: readonly (readonly [string, string])[] = [
  ['v1', 'Namespace'],
  ['v1', 'ServiceAccount'],
  ['v1', 'ConfigMap'],
  ['v1', 'Secret'],
  ['v1', 'ResourceQuota'],
  ['v1', 'LimitRange'],
  ['apps/v1', 'DaemonSet'],
  ['networking.k8s.io/v1', 'NetworkPolicy'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
];

/**
 * Loads the object models of the kinds ndc renders, and the structural schemas of the custom resources
 * it validates, ahead of validation (cli/main.ts does while the environment is evaluated elsewhere).
 */
export function loadModelsAhead(): void {
  for (const [apiVersion, kind] of RENDERED_KINDS) modelOf(apiVersion, kind);
  crdFileIndex();
}

/** The kubernetes-models module of an apiVersion (`v1`, `networking.k8s.io/v1`), or undefined if it has none. */
function modelOf(apiVersion: string, kind: string): ModelClass | undefined {
  if (!/^([a-z0-9.-]+\/)?v\d+([a-z]+\d+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, unknown>;
    return module[kind] as ModelClass | undefined;
  } catch {
    return undefined;
  }
}

interface StructuralSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, StructuralSchema>>;
  readonly required?: readonly string[];
  readonly items?: StructuralSchema;
  readonly additionalProperties?: StructuralSchema | boolean;
  readonly enum?: readonly unknown[];
  readonly nullable?: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-int-or-string'?: boolean;
}

interface CrdVersion {
  readonly kind: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly schema: StructuralSchema;
  readonly served: boolean;
}

const crds = new Map<string, CrdVersion | null>();
let crdIndex: Map<string, ParsedCrd> | undefined;

/** `group kind` -> the vendored CRD defining it (stacks/kubernetes/prerequisites.ts reads them once, as JSON). */
function crdFileIndex(): Map<string, ParsedCrd> {
  if (crdIndex) return crdIndex;
  crdIndex = new Map();
  for (const object of veleroCrds()) {
    const crd = object as unknown as ParsedCrd;
    crdIndex.set(`${crd.spec.group} ${crd.spec.names.kind}`, crd);
  }
  return crdIndex;
}

interface ParsedCrd {
  readonly spec: {
    readonly group: string;
    readonly scope: 'Namespaced' | 'Cluster';
    readonly names: { readonly kind: string; readonly plural: string };
    readonly versions: readonly { readonly name: string; readonly served: boolean; readonly schema?: { readonly openAPIV3Schema?: StructuralSchema } }[];
  };
}

/** The CRD version serving `group/version kind` (only the kinds the artifacts contain). */
function crdOf(apiVersion: string, kind: string): CrdVersion | undefined {
  const key = `${apiVersion} ${kind}`;
  const cached = crds.get(key);
  if (cached !== undefined) return cached ?? undefined;
  const [group, version] = apiVersion.split('/');
  const crd = crdFileIndex().get(`${group} ${kind}`);
  const v = crd?.spec.versions.find((x) => x.name === version);
  const found: CrdVersion | null = crd && v ? { kind: crd.spec.names.kind, scope: crd.spec.scope, schema: v.schema?.openAPIV3Schema ?? {}, served: v.served } : null;
  crds.set(key, found);
  return found ?? undefined;
}

/** The name of the CustomResourceDefinition a custom kind needs (`schedules.velero.io`), when a vendored CRD defines it. */
export function crdNameOf(apiVersion: string, kind: string): string | undefined {
  const crd = crdFileIndex().get(`${apiVersion.split('/')[0]} ${kind}`);
  return crd ? `${crd.spec.names.plural}.${crd.spec.group}` : undefined;
}

/** The groups whose kinds the vendored CRDs define (objects of other non-core groups have no schema here). */
function crdGroups(): Set<string> {
  return new Set([...crdFileIndex().keys()].map((k) => k.split(' ')[0]));
}

export function validateKubernetes(artifacts: readonly KubernetesArtifact[]): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  for (const a of artifacts) {
    for (const object of a.objects) {
      const address = objectAddress(object);
      const report = (check: string, path: string, reason: string) => findings.push({ check, artifact: a.artifact, address, path, reason });
      const group = object.apiVersion.includes('/') ? object.apiVersion.split('/')[0] : '';
      if (group !== '' && crdGroups().has(group)) {
        checkCustom(object, report);
        continue;
      }
      const Model = modelOf(object.apiVersion, object.kind);
      if (!Model) {
        report(K8S_CHECK.core, 'kind', `${object.apiVersion} ${object.kind} is neither a Kubernetes kind nor defined by a vendored CRD: the API server answers "no matches for kind"`);
        continue;
      }
      try {
        new Model(object).validate();
      } catch (error) {
        const errors = (error as { errors?: readonly AjvError[] }).errors;
        if (!errors) throw error;
        for (const e of errors) report(K8S_CHECK.core, pointerPath(e.instancePath), ajvReason(e));
      }
    }
  }
  return findings;
}

function pointerPath(pointer: string): string {
  let path = '';
  for (const part of pointer.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    path = /^\d+$/.test(key) ? joinPath(path, Number(key)) : joinPath(path, key);
  }
  return path;
}

function ajvReason(e: AjvError): string {
  const params = e.params ?? {};
  if (e.keyword === 'required') return `${String(params.missingProperty)} is required (Kubernetes OpenAPI schema)`;
  if (e.keyword === 'enum') return `${e.message ?? 'is not allowed'}: ${(params.allowedValues as unknown[] | undefined)?.map((v) => JSON.stringify(v)).join(', ') ?? ''} (Kubernetes OpenAPI schema)`;
  return `${e.message ?? e.keyword} (Kubernetes OpenAPI schema)`;
}

function checkCustom(object: KubernetesObject, report: (check: string, path: string, reason: string) => void): void {
  const crd = crdOf(object.apiVersion, object.kind);
  if (!crd) {
    const group = object.apiVersion.split('/')[0];
    const kinds = [...crdFileIndex().keys()].filter((k) => k.startsWith(`${group} `)).map((k) => k.split(' ')[1]);
    report(K8S_CHECK.custom, 'kind', `${object.apiVersion} ${object.kind} is not defined by the vendored CRDs (${CRD_DIR_SHOWN}${kinds.length > 0 ? `: ${group} has ${kinds.join(', ')}` : ''})`);
    return;
  }
  if (!crd.served) report(K8S_CHECK.custom, 'apiVersion', `${object.apiVersion} of ${object.kind} is not served by the CRD`);
  if (crd.scope === 'Namespaced' && !object.metadata.namespace) report(K8S_CHECK.custom, 'metadata.namespace', `${object.kind} is namespaced: metadata.namespace is required`);
  if (crd.scope === 'Cluster' && object.metadata.namespace) report(K8S_CHECK.custom, 'metadata.namespace', `${object.kind} is cluster-scoped and takes no namespace`);
  const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = object;
  const schema = crd.schema;
  for (const [key, value] of Object.entries(rest)) {
    const property = schema.properties?.[key];
    if (!property) report(K8S_CHECK.custom, key, `is not a field of ${object.kind} (CRD schema; strict field validation rejects it)`);
    else walk(property, value, key, object.kind, report);
  }
  for (const key of schema.required ?? []) if (!['apiVersion', 'kind', 'metadata'].includes(key) && rest[key] === undefined) report(K8S_CHECK.custom, key, `is required by the ${object.kind} CRD schema`);
}

const reasonOf = (kind: string, text: string) => `${text} (${kind} CRD schema)`;

function walk(schema: StructuralSchema, value: unknown, path: string, kind: string, report: (check: string, path: string, reason: string) => void): void {
  const fail = (text: string) => report(K8S_CHECK.custom, path, reasonOf(kind, text));
  if (value === null) {
    if (!schema.nullable) fail('must not be null');
    return;
  }
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && !Number.isInteger(value)) fail(`must be an integer or a string, got ${shown(value)}`);
    return;
  }
  switch (schema.type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return fail(`must be an object, got ${shown(value)}`);
      const body = value as Record<string, unknown>;
      for (const key of schema.required ?? []) if (body[key] === undefined) report(K8S_CHECK.custom, joinPath(path, key), reasonOf(kind, 'is required'));
      for (const [key, child] of Object.entries(body)) {
        const property = schema.properties?.[key];
        if (property) walk(property, child, joinPath(path, key), kind, report);
        else if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, child, joinPath(path, key), kind, report);
        else if (!schema['x-kubernetes-preserve-unknown-fields'] && schema.additionalProperties !== true) {
          report(K8S_CHECK.custom, joinPath(path, key), reasonOf(kind, 'is not a known field (strict field validation rejects it)'));
        }
      }
      return;
    }
    case 'array': {
      if (!Array.isArray(value)) return fail(`must be a list, got ${shown(value)}`);
      if (schema.minItems !== undefined && value.length < schema.minItems) fail(`needs at least ${schema.minItems} item(s)`);
      if (schema.maxItems !== undefined && value.length > schema.maxItems) fail(`allows at most ${schema.maxItems} item(s)`);
      if (schema.items) value.forEach((item, i) => walk(schema.items!, item, joinPath(path, i), kind, report));
      return;
    }
    case 'string':
      if (typeof value !== 'string') return fail(`must be a string, got ${shown(value)}`);
      if (schema.minLength !== undefined && value.length < schema.minLength) fail(`must be at least ${schema.minLength} character(s)`);
      if (schema.maxLength !== undefined && value.length > schema.maxLength) fail(`must be at most ${schema.maxLength} characters`);
      if (schema.pattern !== undefined && !safeRegExp(schema.pattern)?.test(value)) fail(`must match ${schema.pattern}`);
      if (schema.format === 'date-time' && Number.isNaN(Date.parse(value))) fail(`must be a date-time, got ${shown(value)}`);
      break;
    case 'integer':
      if (!Number.isInteger(value)) return fail(`must be an integer, got ${shown(value)}`);
      break;
    case 'number':
      if (typeof value !== 'number') return fail(`must be a number, got ${shown(value)}`);
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return fail(`must be a boolean, got ${shown(value)}`);
      return;
    default:
      return;
  }
  if (schema.enum && !schema.enum.includes(value)) fail(`must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(', ')}, got ${shown(value)}`);
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) fail(`must be at least ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) fail(`must be at most ${schema.maximum}`);
  }
}

function safeRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}
