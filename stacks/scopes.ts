import { canonicalJson, sha256 } from '../core/canonical-json';
import { PLATFORM_SCOPE, SCOPE_MARK } from './scope-marks';
import { InputError, show } from '../core/errors';
import { parseKubernetesYaml } from './kubernetes/artifact';
import type { ManifestObject } from './kubernetes/render';
import { readWrittenYaml } from './kubernetes/yaml-reader';
import type { Engine } from './manifest';
import { reachDigest } from './reach';

/**
 * Scopes (DESIGN.md, "The manifest"): every resource of every artifact belongs to exactly one scope, an
 * information system or the platform, and approvals bind to each scope's digest, so a change voids only
 * the approvals of the scopes it touches.
 *
 * Addresses (unique within an environment; `#` before a resource, `@` before an engine setting):
 * - Terraform:      `terraform/cluster-north/cdk.tf.json#openstack_networking_secgroup_v2.population-db-db-secgroup`
 *                   (`<artifact>#<type>.<name>`); data sources `<artifact>@data.<type>.<name>`; every other
 *                   top-level block `<artifact>@<block>` (`@terraform`, `@provider`, `@output`, `@//`).
 * - Kubernetes:     `kubernetes/north.yaml#NetworkPolicy/population-db/default-deny-ingress`
 *                   (`<artifact>#<kind>[.<api group>]/<namespace>/<name>`; cluster-wide objects
 *                   `<artifact>#<kind>[.<api group>]/<name>`, e.g. `#CustomResourceDefinition.apiextensions.k8s.io/schedules.velero.io`).
 *                   Scope: label ndc.gov.vn/scope, else ndc.gov.vn/system; a CRD (vendored unchanged) is the platform's.
 * - CloudFormation: `cloudformation/public-edge-origin.template.json#logs0B6081B1` (`<artifact>#<logical id>`);
 *                   the other template sections `<artifact>@<section>` (`@Rules`, `@Parameters`, `@Outputs`).
 * - Engine settings files without resources (Pulumi project and stack files, provider pins, CDK asset
 *   manifests and cdk-nag reports, the cloud assembly manifest): `<artifact>` alone, body = the file.
 *
 * Every setting belongs to the platform (the stacks are per cluster, and their backends, providers and
 * outputs are the platform's), except a Terraform local (`<artifact>@locals.<name>`) that only one scope's
 * resources read, which is that scope's. So every deployed byte is under some scope's digest, and a change to any of
 * them voids some scope's approvals.
 */

export { PLATFORM_SCOPE, SCOPE_MARK } from './scope-marks';

/** The Kubernetes label the renderer puts on every object of a system (stacks/kubernetes/labels.ts LABEL.system). */
const KUBERNETES_SYSTEM_LABEL = 'ndc.gov.vn/system';

export interface ScopedResource {
  /** A system id or PLATFORM_SCOPE. */
  scope: string;
  /** Unique address (see above). */
  address: string;
  /** `resource` for what the engine creates; `setting` for the engine configuration around it. */
  kind: 'resource' | 'setting';
  engine: Engine;
  /** Path under out/<env>/. */
  artifact: string;
  /** sha256 of canonicalJson(body). */
  sha256: string;
  /** The resource's JSON as the engine sees it (a settings file that is not JSON: its text). */
  body: unknown;
}

/** What scopedResources reads: an artifact in memory or read back from out/<env>/. */
export interface ScopeInput {
  readonly path: string;
  readonly engine: Engine;
  readonly stack: string;
  readonly content: string;
}

/**
 * Every resource and setting of the artifacts with its scope, sorted by address. A resource without a
 * scope, or with two that disagree, is an InputError naming the artifact and the address.
 */
export function scopedResources(artifacts: readonly ScopeInput[]): ScopedResource[] {
  const out: ScopedResource[] = [];
  const add = (artifact: ScopeInput, address: string, kind: ScopedResource['kind'], scope: string, body: unknown) => {
    const text = canonicalJson(body);
    out.push({ scope, address, kind, engine: artifact.engine, artifact: artifact.path, sha256: sha256(text), body });
    return text;
  };
  for (const artifact of artifacts) {
    if (artifact.engine === 'terraform' && artifact.path.endsWith('.tf.json')) terraformEntries(artifact, add);
    else if (artifact.engine === 'kubernetes' && artifact.path.startsWith('kubernetes/') && /\.ya?ml$/.test(artifact.path)) kubernetesEntries(artifact, add);
    else if (artifact.engine === 'cloudformation' && artifact.path.endsWith('.template.json')) cloudFormationEntries(artifact, add);
    else add(artifact, artifact.path, 'setting', PLATFORM_SCOPE, settingsBody(artifact));
  }
  out.sort((a, b) => compare(a.address, b.address));
  for (let i = 1; i < out.length; i++) {
    if (out[i].address === out[i - 1].address) throw new InputError(out[i].artifact, `declares ${out[i].address} twice; every resource address must be unique`);
  }
  return out;
}

/** Records an entry; returns the canonical JSON of its body (what its sha256 is over). */
type Add = (artifact: ScopeInput, address: string, kind: ScopedResource['kind'], scope: string, body: unknown) => string;

function parseJson(artifact: ScopeInput): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(artifact.content);
  } catch (error) {
    throw new InputError(artifact.path, `is not valid JSON (${(error as Error).message}); run ndc synth again`);
  }
  if (!isRecord(value)) throw new InputError(artifact.path, 'is not a JSON object; run ndc synth again');
  return value;
}

function settingsBody(artifact: ScopeInput): unknown {
  if (!artifact.path.endsWith('.json')) return artifact.content;
  try {
    return JSON.parse(artifact.content) as unknown;
  } catch {
    // The engine reads the bytes; a file that does not parse is covered as its text.
    return artifact.content;
  }
}

function terraformEntries(artifact: ScopeInput, add: Add): void {
  const json = parseJson(artifact);
  // Each resource's canonical JSON, scanned for the locals it reads (the same strings as in the artifact).
  const texts: { scope: string; text: string }[] = [];
  const addResource: Add = (a, address, kind, scope, body) => {
    const text = add(a, address, kind, scope, body);
    if (kind === 'resource') texts.push({ scope, text });
    return text;
  };
  for (const block of Object.keys(json).sort()) {
    if (block === 'locals') continue;
    const value = json[block];
    if (block === 'resource' || block === 'data') {
      if (!isRecord(value)) throw new InputError(`${artifact.path}: ${block}`, 'is not an object of resource types');
      for (const type of Object.keys(value).sort()) {
        const named = value[type];
        if (!isRecord(named)) throw new InputError(`${artifact.path}: ${block}.${type}`, 'is not an object of named blocks');
        for (const name of Object.keys(named).sort()) {
          const body = named[name];
          if (block === 'data') {
            add(artifact, `${artifact.path}@data.${type}.${name}`, 'setting', PLATFORM_SCOPE, body);
            continue;
          }
          const address = `${artifact.path}#${type}.${name}`;
          addResource(artifact, address, 'resource', terraformScope(address, body), body);
        }
      }
    } else {
      add(artifact, `${artifact.path}@${block}`, 'setting', PLATFORM_SCOPE, value);
    }
  }
  // A local (an instance pool's user data) belongs to the one scope whose resources read it, so a change
  // to what one system's instances run voids that system's approvals; one read by several, or none, is the
  // platform's.
  const locals = json.locals;
  if (locals === undefined) return;
  if (!isRecord(locals)) throw new InputError(`${artifact.path}: locals`, 'is not an object of named values');
  const names = Object.keys(locals).sort();
  if (names.length === 0) return;
  // Each resource's text is scanned once for every local it reads, not once per local (quadratic at national scale).
  const readersOf = new Map<string, Set<string>>();
  for (const { scope, text } of texts) {
    for (const name of localReferences(text)) {
      const readers = readersOf.get(name) ?? new Set<string>();
      readers.add(scope);
      readersOf.set(name, readers);
    }
  }
  for (const name of names) {
    // A name outside Terraform's letters, digits, - and _ is matched the slow way, exactly as written.
    const readers = TERRAFORM_NAME.test(name) ? (readersOf.get(name) ?? new Set<string>()) : new Set(texts.filter((r) => readsLocal(r.text, name)).map((r) => r.scope));
    add(artifact, `${artifact.path}@locals.${name}`, 'setting', readers.size === 1 ? [...readers][0] : PLATFORM_SCOPE, locals[name]);
  }
}

/** A Terraform name: letters, digits, - and _. */
const TERRAFORM_NAME = /^[\w-]+$/;

/** The names of the locals a text reads: every `local.<name>` not preceded by a name character, `<name>` taken whole. */
function localReferences(text: string): Set<string> {
  const names = new Set<string>();
  const name = /[\w-]*/y;
  for (let at = text.indexOf('local.'); at !== -1; at = text.indexOf('local.', at + 1)) {
    if (/[\w-]/.test(text[at - 1] ?? '')) continue;
    name.lastIndex = at + 'local.'.length;
    names.add(name.exec(text)![0]);
  }
  return names;
}

/** Whether a text reads `local.<name>`: the name exactly, so `local.a` does not match `local.a-b`. */
function readsLocal(text: string, name: string): boolean {
  const reference = `local.${name}`;
  for (let at = text.indexOf(reference); at !== -1; at = text.indexOf(reference, at + 1)) {
    const before = text[at - 1] ?? '';
    const after = text[at + reference.length] ?? '';
    if (!/[\w-]/.test(before) && !/[\w-]/.test(after)) return true;
  }
  return false;
}

/** The `//` mark, which must agree with the ndc:system tag or metadata where the resource has one. */
function terraformScope(address: string, body: unknown): string {
  const comment = isRecord(body) ? body['//'] : undefined;
  const marked = isRecord(comment) ? comment[SCOPE_MARK.terraform] : undefined;
  if (typeof marked !== 'string' || marked === '') throw new InputError(address, `has no scope (a "//": { "${SCOPE_MARK.terraform}": ... } naming its system or ${PLATFORM_SCOPE}); every resource must belong to exactly one scope`);
  const tagged = terraformSystemTag(body);
  if (tagged !== undefined && tagged !== marked) throw new InputError(address, `is marked scope ${show(marked)} but tagged ndc:system=${tagged}; a resource belongs to exactly one scope`);
  return marked;
}

function terraformSystemTag(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  if (Array.isArray(body.tags)) {
    for (const tag of body.tags) if (typeof tag === 'string' && tag.startsWith('ndc:system=')) return tag.slice('ndc:system='.length);
  }
  for (const map of [body.tags, body.metadata]) {
    if (!isRecord(map)) continue;
    const value = map['ndc:system'] ?? map['ndc-system'];
    if (typeof value === 'string') return value;
  }
  return undefined;
}

function kubernetesEntries(artifact: ScopeInput, add: Add): void {
  // What the renderer wrote reads fast (yaml-reader.ts); anything else, a hand edit included, goes through the full parser.
  const written = readWrittenYaml(artifact.content);
  const objects = written !== undefined && written.every(isKubernetesObject) ? written : parseKubernetesYaml(artifact.content, artifact.path);
  for (const object of objects) {
    const group = object.apiVersion.includes('/') ? `.${object.apiVersion.slice(0, object.apiVersion.lastIndexOf('/'))}` : '';
    const namespace = object.metadata.namespace;
    const address = `${artifact.path}#${object.kind}${group}/${namespace ? `${namespace}/` : ''}${object.metadata.name}`;
    const labels: Record<string, unknown> = isRecord(object.metadata.labels) ? object.metadata.labels : {};
    const marked = labels[SCOPE_MARK.kubernetes];
    const system = labels[KUBERNETES_SYSTEM_LABEL];
    // A CustomResourceDefinition extends the API of the whole cluster (and is vendored unchanged): always the platform's.
    const crd = object.kind === 'CustomResourceDefinition' && object.apiVersion.startsWith('apiextensions.k8s.io/') && system === undefined;
    const scope = typeof marked === 'string' ? marked : typeof system === 'string' ? system : crd ? PLATFORM_SCOPE : undefined;
    if (scope === undefined || scope === '') throw new InputError(address, `has no scope (label ${SCOPE_MARK.kubernetes} or ${KUBERNETES_SYSTEM_LABEL}); every object must belong to exactly one scope`);
    if (typeof marked === 'string' && typeof system === 'string' && marked !== system) throw new InputError(address, `is labelled scope ${show(marked)} but system ${show(system)}; an object belongs to exactly one scope`);
    add(artifact, address, 'resource', scope, object);
  }
}

function cloudFormationEntries(artifact: ScopeInput, add: Add): void {
  const template = parseJson(artifact);
  for (const section of Object.keys(template).sort()) {
    if (section !== 'Resources') {
      add(artifact, `${artifact.path}@${section}`, 'setting', PLATFORM_SCOPE, template[section]);
      continue;
    }
    const resources = template.Resources;
    if (!isRecord(resources)) throw new InputError(`${artifact.path}: Resources`, 'is not an object of logical ids');
    for (const id of Object.keys(resources).sort()) {
      const address = `${artifact.path}#${id}`;
      const body = resources[id];
      const metadata = isRecord(body) && isRecord(body.Metadata) ? body.Metadata : {};
      const marked = metadata[SCOPE_MARK.cloudformation];
      if (typeof marked !== 'string' || marked === '') throw new InputError(address, `has no scope (Metadata "${SCOPE_MARK.cloudformation}" naming its system or ${PLATFORM_SCOPE}); every resource must belong to exactly one scope`);
      const tagged = cloudFormationSystemTag(body);
      if (tagged !== undefined && tagged !== marked) throw new InputError(address, `is marked scope ${show(marked)} but tagged ndc:system=${tagged}; a resource belongs to exactly one scope`);
      add(artifact, address, 'resource', marked, body);
    }
  }
}

function cloudFormationSystemTag(body: unknown): string | undefined {
  const properties = isRecord(body) && isRecord(body.Properties) ? body.Properties : undefined;
  if (!properties || !Array.isArray(properties.Tags)) return undefined;
  for (const tag of properties.Tags) if (isRecord(tag) && tag.Key === 'ndc:system' && typeof tag.Value === 'string') return tag.Value;
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Digests: a Merkle tree per scope over (address, sha256), leaves sorted by address.

export interface ScopeDigest {
  /** A system id or PLATFORM_SCOPE. */
  id: string;
  level: number;
  /**
   * What approvals bind to: sha256 over the scope id, its level, its Merkle root and the digest of its
   * reachability, so an approval of one scope can never match another, and a level change or a change
   * elsewhere that changes who can reach the scope voids the scope's approvals.
   */
  digest: string;
  /** Merkle root over (address, sha256) of the scope's entries sorted by address; proofs verify against it. */
  root: string;
  /** How many resources (engine settings not counted). */
  resources: number;
  /** How many engine settings (platform only). */
  settings: number;
  /** reachDigest of the scope's reachability lines (stacks/reach.ts). */
  reach: string;
}

/** The Merkle root of no entries (a system with nothing rendered in this environment). */
export const EMPTY_ROOT = sha256('ndc-merkle-empty');

/** A leaf: domain-separated from inner nodes so a node can never pass as a leaf. */
export function leafHash(address: string, resourceSha256: string): string {
  return sha256(`ndc-leaf\n${address}\n${resourceSha256}`);
}

function nodeHash(left: string, right: string): string {
  return sha256(`ndc-node\n${left}\n${right}`);
}

/** Leaves in address order, then pairs up level by level; an odd last node is carried up unchanged. */
export function merkleRoot(entries: readonly Pick<ScopedResource, 'address' | 'sha256'>[]): string {
  let level = sortedLeaves(entries);
  if (level.length === 0) return EMPTY_ROOT;
  while (level.length > 1) level = pairUp(level);
  return level[0];
}

function sortedLeaves(entries: readonly Pick<ScopedResource, 'address' | 'sha256'>[]): string[] {
  return [...entries].sort((a, b) => compare(a.address, b.address)).map((e) => leafHash(e.address, e.sha256));
}

function pairUp(level: readonly string[]): string[] {
  const next: string[] = [];
  for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? nodeHash(level[i], level[i + 1]) : level[i]);
  return next;
}

export interface MerkleProof {
  address: string;
  sha256: string;
  /** Sibling hashes from the leaf up; `left` when the sibling is on the left. */
  path: { side: 'left' | 'right'; hash: string }[];
}

/** The proof that `address` (with its sha256) is in the scope whose entries are given. */
export function merkleProof(entries: readonly Pick<ScopedResource, 'address' | 'sha256'>[], address: string): MerkleProof {
  const sorted = [...entries].sort((a, b) => compare(a.address, b.address));
  let index = sorted.findIndex((e) => e.address === address);
  if (index < 0) throw new InputError(address, 'is not a resource of this scope');
  const proof: MerkleProof = { address, sha256: sorted[index].sha256, path: [] };
  let level = sorted.map((e) => leafHash(e.address, e.sha256));
  while (level.length > 1) {
    const sibling = index % 2 === 0 ? index + 1 : index - 1;
    if (sibling < level.length) proof.path.push({ side: index % 2 === 0 ? 'right' : 'left', hash: level[sibling] });
    level = pairUp(level);
    index = Math.floor(index / 2);
  }
  return proof;
}

/** Whether the proof leads from its (address, sha256) to `root`. */
export function verifyMerkleProof(proof: MerkleProof, root: string): boolean {
  let hash = leafHash(proof.address, proof.sha256);
  for (const step of proof.path) hash = step.side === 'left' ? nodeHash(step.hash, hash) : nodeHash(hash, step.hash);
  return hash === root;
}

/** The digest approvals bind to, from the scope's id, level, Merkle root and reachability digest. */
export function scopeDigestOf(id: string, level: number, root: string, reach: string): string {
  return sha256(canonicalJson({ scope: id, level, root, reach }));
}

/**
 * One ScopeDigest per scope in `levels` (every system and the platform, in id order), each over its
 * entries. An entry of a scope not in `levels` is an InputError naming it: synthesis fails rather than
 * leave a resource that no approval covers.
 */
export function scopeDigests(entries: readonly ScopedResource[], levels: ReadonlyMap<string, number>, reach: ReadonlyMap<string, string>): ScopeDigest[] {
  const byScope = new Map<string, ScopedResource[]>();
  for (const id of levels.keys()) byScope.set(id, []);
  for (const entry of entries) {
    const list = byScope.get(entry.scope);
    if (!list) throw new InputError(entry.address, `names scope ${show(entry.scope)}, which is neither a system of this environment nor ${PLATFORM_SCOPE} (scopes: ${[...levels.keys()].join(', ')})`);
    list.push(entry);
  }
  return [...byScope.keys()].sort(compare).map((id) => {
    const list = byScope.get(id)!;
    const level = levels.get(id)!;
    const root = merkleRoot(list);
    const reached = reach.get(id) ?? reachDigest([]);
    return {
      id,
      level,
      digest: scopeDigestOf(id, level, root, reached),
      root,
      resources: list.filter((e) => e.kind === 'resource').length,
      settings: list.filter((e) => e.kind === 'setting').length,
      reach: reached,
    };
  });
}

/** Code-unit order, the same on every machine and locale. */
export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isKubernetesObject(value: unknown): value is ManifestObject {
  return isRecord(value) && typeof value.apiVersion === 'string' && typeof value.kind === 'string' && isRecord(value.metadata) && typeof value.metadata.name === 'string';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
