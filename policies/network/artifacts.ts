import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { InputError } from '../../core/errors';
import type { Artifact, Manifest } from '../../stacks/manifest';
import type { ArtifactSet, CloudFormationTemplate, KubernetesObject, TerraformConfig } from '../rule';

/**
 * The artifact set `ndc reach` needs, read fast: Terraform and CloudFormation JSON, and of the Kubernetes
 * YAML only the Namespaces and NetworkPolicies. The renderer's YAML is a small block subset (sorted keys,
 * plain or JSON-quoted scalars), read here by a strict reader about twenty times faster than a general YAML
 * library; a document it does not recognise (an edit by hand, a comment, a flow collection) goes to the
 * general parser, so nothing is misread.
 */

type Source = Pick<Artifact, 'path' | 'engine' | 'stack' | 'content'>;

const KIND_LINE = /^kind:[ \t]*("?)([A-Za-z0-9]+)\1[ \t]*$/m;
const NETWORK_KINDS = new Set(['Namespace', 'NetworkPolicy']);
/** A document written as one JSON object (the prerequisites artifact: JSON is YAML), comment lines aside. */
const JSON_DOCUMENT = /^(?:[ \t]*(?:#.*)?\n)*[ \t]*\{/;
/** The top-level kind of a canonical JSON document (keys sorted: apiVersion, then kind). */
const JSON_KIND = /^[ \t]*\{"apiVersion":"[^"\\]*","kind":"([A-Za-z0-9]+)"/m;
const withoutComments = (doc: string): string => doc.replace(/^[ \t]*#.*$/gm, '');

export function networkArtifactsOf(sources: readonly Source[], where: (s: Source) => string = (s) => s.path): ArtifactSet {
  const terraform = new Map<string, TerraformConfig>();
  const kubernetes = new Map<string, KubernetesObject[]>();
  const cloudformation = new Map<string, CloudFormationTemplate>();
  const text = new Map<string, string>();
  for (const source of [...sources].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    text.set(source.path, source.content);
    if (source.engine === 'kubernetes') {
      // The Pulumi project and stack files under pulumi/ are engine settings, not Kubernetes objects.
      if (!source.path.startsWith('kubernetes/')) continue;
      kubernetes.set(source.stack, [...(kubernetes.get(source.stack) ?? []), ...networkObjects(source.content, where(source))]);
      continue;
    }
    if (source.engine === 'cloudformation' && !source.path.endsWith('.template.json')) continue;
    let value: unknown;
    try {
      value = JSON.parse(source.content);
    } catch (error) {
      throw new InputError(where(source), `is not valid ${source.engine} JSON (${(error as Error).message}); run ndc synth again`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InputError(where(source), 'is not a JSON object; run ndc synth again');
    if (source.engine === 'terraform') terraform.set(source.stack, value as TerraformConfig);
    else cloudformation.set(source.stack, value as CloudFormationTemplate);
  }
  return { terraform, kubernetes, cloudformation, text };
}

/** Reads the artifacts the manifest lists from out/<env>/ (or another directory holding an artifact set). */
export function loadNetworkArtifacts(dir: string, manifest: Pick<Manifest, 'artifacts'>, shown: string): ArtifactSet {
  const sources = manifest.artifacts.map((entry) => {
    const file = join(dir, entry.path);
    if (!existsSync(file)) throw new InputError(`${shown}/${entry.path}`, 'is listed in the manifest but missing; run ndc synth again');
    return { path: entry.path, engine: entry.engine, stack: entry.stack, content: readFileSync(file, 'utf8') };
  });
  return networkArtifactsOf(sources, (s) => `${shown}/${s.path}`);
}

function networkObjects(content: string, where: string): KubernetesObject[] {
  const out: KubernetesObject[] = [];
  const documents = /^(%|--- |\.\.\.)/m.test(content) ? undefined : content.split(/^---[ \t]*$/m);
  if (!documents) return generalDocuments(content, where);
  documents.forEach((doc, i) => {
    // A document whose top-level kind is written plainly and is neither kind is not read at all.
    const kind = KIND_LINE.exec(doc)?.[2] ?? JSON_KIND.exec(doc)?.[1];
    if (kind !== undefined && !NETWORK_KINDS.has(kind)) return;
    if (!/^[ \t]*[^#\s]/m.test(doc)) return;
    let value: unknown;
    try {
      value = JSON_DOCUMENT.test(doc) ? JSON.parse(withoutComments(doc)) : readBlockYaml(doc);
    } catch {
      try {
        value = parse(doc);
      } catch (error) {
        throw new InputError(where, `document ${i + 1} is not valid YAML (${(error as Error).message.split('\n')[0]}); run ndc synth again`);
      }
    }
    const object = value as Partial<KubernetesObject> | null;
    if (object === null || object === undefined) return;
    if (typeof object !== 'object' || typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') {
      throw new InputError(where, `document ${i + 1} is not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
    }
    if (NETWORK_KINDS.has(object.kind)) out.push(object as KubernetesObject);
  });
  return out;
}

function generalDocuments(content: string, where: string): KubernetesObject[] {
  return parseAllDocuments(content)
    .map((doc, i) => {
      if (doc.errors.length > 0) throw new InputError(where, `document ${i + 1} is not valid YAML (${doc.errors[0].message.split('\n')[0]}); run ndc synth again`);
      return doc.toJS() as KubernetesObject | null;
    })
    .filter((o): o is KubernetesObject => o !== null && NETWORK_KINDS.has(o.kind));
}

// ---------------------------------------------------------------------------------------------------
// The strict reader of the renderer's block YAML. It throws on anything outside that subset.

const PLAIN_KEY = /^[A-Za-z_/][A-Za-z0-9_./@+(), -]*$/;
const PLAIN_VALUE = /^[A-Za-z_/][A-Za-z0-9_./@+(), -]*$|^[0-9]+[A-Za-z]+$/;
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;
const RESERVED = /^(yes|no|on|off|y|n|~|null|true|false)$/i;

interface Line {
  readonly indent: number;
  readonly content: string;
}

class NotBlockYaml extends Error {}

export function readBlockYaml(text: string): unknown {
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    // Blank lines and whole-line comments carry no data.
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    if (raw.includes('\t') || raw.endsWith(' ')) throw new NotBlockYaml('tab or trailing space');
    const content = raw.trimStart();
    lines.push({ indent: raw.length - content.length, content });
  }
  if (lines.length === 0) return null;
  if (lines.length === 1 && !isMapEntry(lines[0].content) && !lines[0].content.startsWith('-')) return leaf(lines[0].content);
  const [value, next] = block(lines, 0, lines[0].indent);
  if (next !== lines.length) throw new NotBlockYaml(`unexpected line ${next + 1}`);
  return value;
}

const isListItem = (content: string) => content === '-' || content.startsWith('- ');

function isMapEntry(content: string): boolean {
  return keyOf(content) !== undefined;
}

/** `key: rest` or `key:` -> [key, rest or undefined]. */
function keyOf(content: string): [string, string | undefined] | undefined {
  if (content.startsWith('"')) {
    const end = closingQuote(content);
    if (end < 0) return undefined;
    const key = JSON.parse(content.slice(0, end + 1)) as string;
    const rest = content.slice(end + 1);
    if (rest === ':') return [key, undefined];
    return rest.startsWith(': ') ? [key, rest.slice(2)] : undefined;
  }
  const colon = content.indexOf(':');
  if (colon <= 0) return undefined;
  const key = content.slice(0, colon);
  if (!PLAIN_KEY.test(key)) return undefined;
  const rest = content.slice(colon + 1);
  if (rest === '') return [key, undefined];
  return rest.startsWith(' ') ? [key, rest.slice(1)] : undefined;
}

function closingQuote(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return -1;
}

function leaf(text: string): unknown {
  if (text === 'null') return null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === '[]') return [];
  if (text === '{}') return {};
  if (text.startsWith('"')) {
    if (closingQuote(text) !== text.length - 1) throw new NotBlockYaml('text after a quoted string');
    return JSON.parse(text) as string;
  }
  if (NUMBER.test(text)) return Number(text);
  if (!PLAIN_VALUE.test(text) || RESERVED.test(text) || text.includes(' -') || text.includes(': ') || text.includes(' #')) throw new NotBlockYaml(`not a plain scalar: ${text}`);
  return text;
}

function block(lines: readonly Line[], start: number, indent: number): [unknown, number] {
  return isListItem(lines[start].content) ? list(lines, start, indent) : map(lines, start, indent, lines[start].content);
}

function map(lines: readonly Line[], start: number, indent: number, firstContent: string): [Record<string, unknown>, number] {
  const out: Record<string, unknown> = {};
  let i = start;
  let content = firstContent;
  while (i < lines.length) {
    const entry = keyOf(content);
    if (!entry) throw new NotBlockYaml(`not a map entry: ${content}`);
    const [key, rest] = entry;
    if (Object.prototype.hasOwnProperty.call(out, key)) throw new NotBlockYaml(`duplicate key ${key}`);
    i++;
    if (rest !== undefined) out[key] = leaf(rest);
    else {
      if (i >= lines.length || lines[i].indent < indent || (lines[i].indent === indent && !isListItem(lines[i].content))) throw new NotBlockYaml(`empty value for ${key}`);
      // Lists under a key may sit at the key's own indentation (the usual YAML style) or deeper (the renderer's).
      const [value, next] = block(lines, i, lines[i].indent);
      out[key] = value;
      i = next;
    }
    if (i >= lines.length || lines[i].indent !== indent || isListItem(lines[i].content)) break;
    content = lines[i].content;
  }
  if (i < lines.length && lines[i].indent > indent) throw new NotBlockYaml(`unexpected indentation at line ${i + 1}`);
  return [out, i];
}

function list(lines: readonly Line[], start: number, indent: number): [unknown[], number] {
  const out: unknown[] = [];
  let i = start;
  while (i < lines.length && lines[i].indent === indent && isListItem(lines[i].content)) {
    const content = lines[i].content;
    if (content === '-') {
      i++;
      if (i >= lines.length || lines[i].indent <= indent) throw new NotBlockYaml('empty list item');
      const [value, next] = block(lines, i, lines[i].indent);
      out.push(value);
      i = next;
      continue;
    }
    const rest = content.slice(2);
    if (isMapEntry(rest)) {
      // `- key: value` opens a map whose further keys sit two columns in.
      const [value, next] = map(lines, i, indent + 2, rest);
      out.push(value);
      i = next;
    } else {
      out.push(leaf(rest));
      i++;
    }
  }
  if (i < lines.length && lines[i].indent > indent) throw new NotBlockYaml(`unexpected indentation at line ${i + 1}`);
  return [out, i];
}
