import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { sha256 } from '../../core/canonical-json';
import { InputError } from '../../core/errors';
import { readWrittenYaml } from '../../stacks/kubernetes/yaml-reader';
import type { Artifact, Manifest } from '../../stacks/manifest';
import type { ArtifactSet, CloudFormationTemplate, KubernetesObject, TerraformConfig } from '../rule';

/**
 * The parsed artifact set the rules read: Terraform JSON per stack, Kubernetes objects per cluster
 * (multi-document YAML), CloudFormation templates per stack, and every artifact's text for scans.
 * What the rules read from each engine's artifacts is in terraform.ts, kubernetes.ts and cloudformation.ts here.
 */

type Source = Pick<Artifact, 'path' | 'engine' | 'stack' | 'content'>;

/** Parses artifacts held in memory (a render that was not written, or a test fixture). */
export function artifactSetOf(artifacts: readonly Source[], where = (a: Source) => a.path): ArtifactSet {
  const terraform = new Map<string, TerraformConfig>();
  const kubernetes = new Map<string, KubernetesObject[]>();
  const cloudformation = new Map<string, CloudFormationTemplate>();
  const text = new Map<string, string>();
  for (const artifact of [...artifacts].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    text.set(artifact.path, artifact.content);
    if (artifact.engine === 'terraform') terraform.set(artifact.stack, parseJson(artifact, where(artifact)) as TerraformConfig);
    else if (artifact.engine === 'cloudformation') cloudformation.set(artifact.stack, parseJson(artifact, where(artifact)) as CloudFormationTemplate);
    // Engine settings (out/<env>/pulumi/) are only scanned as text: they hold no Kubernetes objects.
    else if (artifact.path.startsWith('kubernetes/')) kubernetes.set(artifact.stack, [...(kubernetes.get(artifact.stack) ?? []), ...parseYaml(artifact, where(artifact))]);
  }
  return { terraform, kubernetes, cloudformation, text };
}

/**
 * Reads the artifacts the manifest lists back from out/<env>/ (another process's synthesis), checks each
 * one's bytes against the manifest's sha256 and parses them: a file changed since it was synthesized is
 * refused, never judged.
 */
export function loadArtifactSet(root: string, manifest: Manifest): ArtifactSet {
  return verifiedArtifactSet(root, manifest, []);
}

/**
 * The manifest's artifacts parsed from what this process already holds (a render it just wrote or just
 * compared with out/<env>/), without reading them back: each one's bytes are checked against the
 * manifest's sha256 first. Entries not held in memory are read from out/<env>/ and checked the same way.
 */
export function verifiedArtifactSet(root: string, manifest: Manifest, held: readonly Source[]): ArtifactSet {
  const byPath = new Map(held.map((a) => [a.path, a]));
  const listed = new Set(manifest.artifacts.map((a) => a.path));
  const extra = held.find((a) => !listed.has(a.path));
  if (extra) throw new InputError(`out/${manifest.env}/manifest.json`, `does not list ${extra.path}, which the environment renders; run ndc synth --env ${manifest.env}`);
  const sources = manifest.artifacts.map((entry) => {
    const where = `out/${manifest.env}/${entry.path}`;
    let content = byPath.get(entry.path)?.content;
    if (content === undefined) {
      const file = join(root, 'out', manifest.env, entry.path);
      if (!existsSync(file)) throw new InputError(where, `is listed in the manifest but missing; run ndc synth --env ${manifest.env}`);
      content = readFileSync(file, 'utf8');
    }
    if (sha256(content) !== entry.sha256) throw new InputError(where, `does not match the sha256 in its manifest; run ndc synth --env ${manifest.env}`);
    return { path: entry.path, engine: entry.engine, stack: entry.stack, content };
  });
  return artifactSetOf(sources, (a) => `out/${manifest.env}/${a.path}`);
}

function parseJson(artifact: Source, where: string): unknown {
  try {
    const value: unknown = JSON.parse(artifact.content);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('the top level is not an object');
    return value;
  } catch (error) {
    throw new InputError(where, `is not valid ${artifact.engine} JSON (${(error as Error).message}); run ndc synth again`);
  }
}

function parseYaml(artifact: Source, where: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  documentsOf(artifact.content, where).forEach((value, i) => {
    if (value === null || value === undefined) return;
    const object = value as Partial<KubernetesObject>;
    if (typeof object !== 'object' || typeof object.kind !== 'string' || typeof object.apiVersion !== 'string' || typeof object.metadata?.name !== 'string') {
      throw new InputError(where, `document ${i + 1} is not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
    }
    objects.push(object as KubernetesObject);
  });
  return objects;
}

/**
 * The documents of a multi-document YAML stream. A line that is exactly `---` always starts a new
 * document, so plain streams (what the renderer writes) are split there and each part parsed alone,
 * about a quarter faster than the stream parser and with less memory held; streams with directives or
 * content on a `---` line go through the full stream parser.
 */
function documentsOf(text: string, where: string): unknown[] {
  // What ndc synth wrote is read by the writer's own reader; anything else by the full YAML parser.
  const written = readWrittenYaml(text);
  if (written !== undefined) return written;
  const fail = (i: number, error: unknown): never => {
    throw new InputError(where, `document ${i + 1} is not valid YAML (${(error as Error).message.split('\n')[0]}); run ndc synth again`);
  };
  if (/^(%|--- |\.\.\.)/m.test(text)) {
    return parseAllDocuments(text).map((doc, i) => (doc.errors.length > 0 ? fail(i, doc.errors[0]) : doc.toJS()));
  }
  const parts = text.split(/^---[ \t]*$/m).filter((part, i) => i > 0 || /^[ \t]*[^#\s]/m.test(part));
  return parts.map((part, i) => {
    try {
      // JSON is YAML: a document written as one JSON object (the cluster prerequisites) skips the YAML parser.
      if (/^\s*\{/.test(part)) {
        const json = jsonOrUndefined(part);
        if (json !== undefined) return json;
      }
      return parse(part);
    } catch (error) {
      return fail(i, error);
    }
  });
}

/** The value of a JSON text, or undefined when it is not JSON (flow-style YAML, say). */
function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
