import type { ArtifactSet, CloudFormationTemplate } from '../rule';

/** Reading CloudFormation templates for the edge rules: resources by type, references resolved to logical ids. */

export type CfnResource = NonNullable<CloudFormationTemplate['Resources']>[string];

export interface Located {
  readonly stack: string;
  readonly logicalId: string;
  readonly resource: CfnResource;
  readonly template: CloudFormationTemplate;
}

/** Every resource of the given type in the CloudFormation templates, in stack then logical-id order. */
export function resourcesOfType(artifacts: ArtifactSet, type: string): Located[] {
  const out: Located[] = [];
  for (const [stack, template] of [...artifacts.cloudformation].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (resource.Type === type) out.push({ stack, logicalId, resource, template });
    }
  }
  return out;
}

/** The logical id a `Ref` or `Fn::GetAtt` points at; undefined for literals and other intrinsics. */
export function refTarget(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

export function subjectOf(located: Located): string {
  return `cloudformation/${located.stack}: ${located.resource.Type} ${located.logicalId}`;
}

export function props(resource: CfnResource | undefined): Record<string, unknown> {
  return (resource?.Properties ?? {}) as Record<string, unknown>;
}

export function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The information system a resource serves: its `ndc:system` tag (set by stacks/public-edge). */
export function systemIdOf(located: Located): string | undefined {
  const tags = props(located.resource).Tags;
  const entries = Array.isArray(tags) ? tags.map(record) : Object.entries(record(tags)).map(([Key, Value]) => ({ Key, Value }));
  const tag = entries.find((t) => t.Key === 'ndc:system');
  return typeof tag?.Value === 'string' ? tag.Value : undefined;
}
