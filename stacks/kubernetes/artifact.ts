import { parseAllDocuments } from 'yaml';
import { InputError } from '../../core/errors';
import type { ManifestObject } from './render';

/**
 * Parses a Kubernetes artifact (multi-document YAML) into objects. Every document must be a mapping with
 * apiVersion, kind and metadata.name; anything else is an InputError naming the file and document.
 */
export function parseKubernetesYaml(text: string, where: string): ManifestObject[] {
  const objects: ManifestObject[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    const at = `${where}: document ${i + 1}`;
    if (doc.errors.length > 0) throw new InputError(at, `is not valid YAML (${doc.errors[0].message.split('\n')[0]})`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) throw new InputError(at, 'is not a Kubernetes object (expected a mapping)');
    const o = value as Record<string, unknown>;
    const metadata = o.metadata as Record<string, unknown> | undefined;
    if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || typeof metadata !== 'object' || metadata === null || typeof metadata.name !== 'string') {
      throw new InputError(at, 'is not a Kubernetes object (needs apiVersion, kind and metadata.name)');
    }
    objects.push(o as unknown as ManifestObject);
  });
  return objects;
}
