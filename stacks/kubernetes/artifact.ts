import { parseAllDocuments } from 'yaml';
import { InputError } from '../../core/errors';
import type { ManifestObject } from './render';

/**
 * Parses a Kubernetes artifact (multi-document YAML) into objects. Every document must be a mapping with
 * apiVersion, kind and metadata.name; anything else is an InputError naming the file and document.
 */
export function parseKubernetesYaml(text: string, where: string): ManifestObject[] {
  const objects: ManifestObject[] = [];
  documentValues(text, where).forEach((value, i) => {
    const at = `${where}: document ${i + 1}`;
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

/**
 * The documents of a stream. Streams whose every document is one JSON object (JSON is YAML: the cluster
 * prerequisites are written so, their CRDs being large) are read with JSON.parse, several times faster
 * than the YAML parser; anything else goes through it.
 */
function documentValues(text: string, where: string): unknown[] {
  const [head, ...parts] = text.split(/^---[ \t]*$/m);
  const onlyComments = head.split('\n').every((line) => /^\s*(#.*)?$/.test(line));
  if (parts.length > 0 && onlyComments && !/^(%|\.\.\.)/m.test(text) && parts.every((p) => /^\s*\{/.test(p))) {
    try {
      return parts.map((p) => JSON.parse(p) as unknown);
    } catch {
      // not JSON after all: the YAML parser reads it and reports what is wrong
    }
  }
  return parseAllDocuments(text).map((doc, i) => {
    if (doc.errors.length > 0) throw new InputError(`${where}: document ${i + 1}`, `is not valid YAML (${doc.errors[0].message.split('\n')[0]})`);
    return doc.toJS() as unknown;
  });
}
