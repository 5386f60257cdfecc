import type { TerraformConfig } from '../rule';
import { isInterpolated, joinPath, shown, type ValidationFinding } from './findings';
import { PINNED_PROVIDERS, providerOf, providerSchema, validatorFailure, type AttributeSchema, type BlockSchema } from './provider-schema';

/**
 * Terraform JSON against the provider schemas of the pinned versions, as `tofu validate` and the provider's
 * own ValidateResourceConfig would judge it: type exists, attributes known and settable, required set,
 * value types, MinItems/MaxItems, literal validators, ConflictsWith / ExactlyOneOf / AtLeastOneOf /
 * RequiredWith, exact provider pins, and every reference resolving to something declared.
 */

export const TF_CHECK = {
  type: 'NDC-VAL-001',
  pin: 'NDC-VAL-002',
  attribute: 'NDC-VAL-003',
  required: 'NDC-VAL-004',
  value: 'NDC-VAL-005',
  combination: 'NDC-VAL-006',
  reference: 'NDC-VAL-007',
} as const;

export interface TerraformArtifact {
  readonly stack: string;
  /** Path relative to out/<env>/. */
  readonly artifact: string;
  readonly config: TerraformConfig;
}

/** Arguments Terraform itself accepts on every resource (and `//`, the JSON syntax's comment property). */
const RESOURCE_META = new Set(['//', 'provider', 'count', 'for_each', 'depends_on', 'lifecycle', 'provisioner', 'connection', 'timeouts']);
const DATA_META = new Set(['//', 'provider', 'count', 'for_each', 'depends_on', 'lifecycle']);

/** Terraform's built-in `terraform_remote_state` data source. */
const REMOTE_STATE: BlockSchema = {
  backend: { type: 'TypeString', required: true },
  config: { type: 'TypeMap', optional: true },
  defaults: { type: 'TypeMap', optional: true },
  workspace: { type: 'TypeString', optional: true },
};
const REMOTE_STATE_EXPORTS = new Set(['outputs', 'backend', 'config', 'defaults', 'workspace']);

type Body = Record<string, unknown>;

export function validateTerraform(artifacts: readonly TerraformArtifact[]): ValidationFinding[] {
  const findings: ValidationFinding[] = [];
  const backends = new Map<string, TerraformArtifact>();
  for (const a of artifacts) {
    const key = backendKey(a.config.terraform?.backend);
    if (key) backends.set(key, a);
  }
  for (const a of artifacts) {
    const report = (check: string, address: string, path: string, reason: string) => findings.push({ check, artifact: a.artifact, address, path, reason });
    checkPins(a, report);
    for (const [type, byName] of Object.entries(a.config.resource ?? {})) {
      for (const [name, body] of Object.entries(byName ?? {})) checkResource(a, 'resource', type, name, body as Body, report);
    }
    for (const [type, byName] of Object.entries((a.config.data ?? {}) as Record<string, Record<string, Body>>)) {
      for (const [name, body] of Object.entries(byName ?? {})) checkResource(a, 'data', type, name, body, report);
    }
    checkProviderBlocks(a, report);
    checkReferences(a, backends, report);
  }
  return findings;
}

type Report = (check: string, address: string, path: string, reason: string) => void;

function checkPins(a: TerraformArtifact, report: Report): void {
  const required = (a.config.terraform?.required_providers ?? {}) as Record<string, { source?: string; version?: string }>;
  const used = new Set<string>();
  for (const type of [...Object.keys(a.config.resource ?? {}), ...Object.keys((a.config.data ?? {}) as object)]) {
    const provider = providerOf(type);
    if (provider) used.add(provider.name);
  }
  for (const name of Object.keys((a.config.provider ?? {}) as object)) if (providerSchema(name)) used.add(name);
  for (const name of [...used].sort()) {
    const pinned = PINNED_PROVIDERS.find((p) => p.name === name)!;
    const entry = required[name];
    const where = `required_providers.${name}`;
    if (!entry) {
      report(TF_CHECK.pin, 'terraform', where, `is missing: resources of ${pinned.source} need it pinned to ${pinned.version}, the version their schema was checked against`);
      continue;
    }
    if (entry.source !== pinned.source) report(TF_CHECK.pin, 'terraform', `${where}.source`, `is ${shown(entry.source)}, expected ${JSON.stringify(pinned.source)}`);
    const version = typeof entry.version === 'string' ? entry.version.replace(/^=\s*/, '').trim() : undefined;
    if (version !== pinned.version) {
      report(TF_CHECK.pin, 'terraform', `${where}.version`, `is ${shown(entry.version)}: pin exactly ${JSON.stringify(pinned.version)}, the version whose schema the artifacts were validated against (a range can install a provider that rejects them)`);
    }
  }
}

function checkResource(a: TerraformArtifact, mode: 'resource' | 'data', type: string, name: string, body: Body, report: Report): void {
  const address = mode === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    report(TF_CHECK.attribute, address, '', 'is not an object of arguments');
    return;
  }
  let schema: BlockSchema | null | undefined;
  if (mode === 'data' && type === 'terraform_remote_state') schema = REMOTE_STATE;
  else {
    const provider = providerOf(type);
    if (!provider) {
      report(TF_CHECK.type, address, '', `belongs to no provider this project pins (${PINNED_PROVIDERS.map((p) => p.source).join(', ')})`);
      return;
    }
    // The schema files describe resources; a provider's data sources are checked for references only.
    if (mode === 'data') return;
    if (!(type in provider.schema.resources)) {
      const near = nearest(type, provider.schema.resourceTypes);
      report(TF_CHECK.type, address, '', `resource type ${type} does not exist in ${provider.source} v${provider.version}${near ? ` (did you mean ${near}?)` : ''}`);
      return;
    }
    schema = provider.schema.resources[type];
  }
  if (schema === null || schema === undefined) return;
  checkBlock(schema, body, '', body, mode === 'data' ? DATA_META : RESOURCE_META, (check, path, reason) => report(check, address, path, reason));
}

function checkProviderBlocks(a: TerraformArtifact, report: Report): void {
  for (const [name, value] of Object.entries((a.config.provider ?? {}) as Record<string, unknown>)) {
    const provider = providerSchema(name);
    if (!provider) continue;
    const configs = Array.isArray(value) ? value : [value];
    configs.forEach((config, i) => {
      const alias = (config as Body | null)?.alias;
      const address = `provider.${name}${typeof alias === 'string' ? `.${alias}` : Array.isArray(value) ? `[${i}]` : ''}`;
      if (config === null || typeof config !== 'object') return report(TF_CHECK.attribute, address, '', 'is not an object of arguments');
      checkBlock(provider.schema.provider, config as Body, '', config as Body, new Set(['alias', 'version']), (check, path, reason) => report(check, address, path, reason));
    });
  }
}

type BlockReport = (check: string, path: string, reason: string) => void;

function isSet(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** The value at an absolute SDK path (`a.0.b`) in the resource body. */
function at(root: Body, path: string): unknown {
  let value: unknown = root;
  for (const part of path.split('.')) {
    if (value === null || value === undefined) return undefined;
    if (/^\d+$/.test(part)) value = Array.isArray(value) ? value[Number(part)] : Number(part) === 0 ? value : undefined;
    else value = typeof value === 'object' && !Array.isArray(value) ? (value as Body)[part] : Array.isArray(value) ? (value[0] as Body | undefined)?.[part] : undefined;
  }
  return value;
}

function checkBlock(schema: BlockSchema, body: Body, base: string, root: Body, meta: ReadonlySet<string>, report: BlockReport): void {
  for (const [key, value] of Object.entries(body)) {
    if (meta.has(key)) continue;
    const attribute = schema[key];
    const path = joinPath(base, key);
    if (!attribute) {
      const near = nearest(key, Object.keys(schema));
      report(TF_CHECK.attribute, path, `is not an argument of this ${base === '' ? 'resource' : 'block'}${near ? ` (did you mean ${near}?)` : ''}`);
      continue;
    }
    if (!isSet(value)) continue;
    if (attribute.computed && !attribute.optional && !attribute.required) {
      report(TF_CHECK.attribute, path, 'is computed by the provider and cannot be set');
      continue;
    }
    checkValue(attribute, value, path, root, report);
    for (const other of attribute.conflictsWith ?? []) {
      if (isSet(at(root, other))) report(TF_CHECK.combination, path, `conflicts with ${other} (ConflictsWith): set only one of them`);
    }
    for (const other of attribute.requiredWith ?? []) {
      if (!isSet(at(root, other))) report(TF_CHECK.combination, path, `requires ${other} to be set too (RequiredWith)`);
    }
  }
  // Only the attributes that are required or lead an ExactlyOneOf / AtLeastOneOf group can fail here (a
  // resource's schema has dozens of attributes, its body a few).
  for (const [key, attribute] of checkedWhenAbsent(schema)) {
    const path = joinPath(base, key);
    if (attribute.required && !isSet(body[key])) report(TF_CHECK.required, path, `is required${attribute.block ? ' (a nested block)' : ''} and not set`);
    if (!attribute.exactlyOneOf && !attribute.atLeastOneOf) continue;
    // Report a group once, on its first member; the group's paths are absolute, as the SDK writes them.
    const sdk = path.replace(/\[(\d+)\]/g, '.$1');
    if (attribute.exactlyOneOf && attribute.exactlyOneOf[0] === sdk) {
      const set = attribute.exactlyOneOf.filter((p) => isSet(at(root, p)));
      if (set.length !== 1) report(TF_CHECK.combination, path, `exactly one of ${attribute.exactlyOneOf.join(', ')} must be set (ExactlyOneOf), ${set.length === 0 ? 'none is' : `${set.join(', ')} are`}`);
    }
    if (attribute.atLeastOneOf && attribute.atLeastOneOf[0] === sdk && !attribute.atLeastOneOf.some((p) => isSet(at(root, p)))) {
      report(TF_CHECK.combination, path, `at least one of ${attribute.atLeastOneOf.join(', ')} must be set (AtLeastOneOf)`);
    }
  }
}

const absentChecks = new WeakMap<BlockSchema, readonly (readonly [string, AttributeSchema])[]>();

/** The attributes of a block schema that are required or in an ExactlyOneOf / AtLeastOneOf group, in schema order. */
function checkedWhenAbsent(schema: BlockSchema): readonly (readonly [string, AttributeSchema])[] {
  let list = absentChecks.get(schema);
  if (list === undefined) {
    list = Object.entries(schema).filter(([, attribute]) => attribute.required || attribute.exactlyOneOf || attribute.atLeastOneOf);
    absentChecks.set(schema, list);
  }
  return list;
}

function checkValue(attribute: AttributeSchema, value: unknown, path: string, root: Body, report: BlockReport): void {
  if (isInterpolated(value)) return;
  const typeError = primitiveError(attribute.type, value);
  if (typeError) return report(TF_CHECK.value, path, typeError);
  if (attribute.type === 'TypeList' || attribute.type === 'TypeSet') {
    const items = Array.isArray(value) ? value : [value];
    if (attribute.minItems !== undefined && items.length < attribute.minItems) report(TF_CHECK.value, path, `needs at least ${attribute.minItems} item(s) (MinItems), has ${items.length}`);
    if (attribute.maxItems !== undefined && attribute.maxItems > 0 && items.length > attribute.maxItems) report(TF_CHECK.value, path, `allows at most ${attribute.maxItems} item(s) (MaxItems), has ${items.length}`);
    items.forEach((item, i) => {
      const itemPath = joinPath(path, i);
      if (attribute.block) {
        if (item === null || typeof item !== 'object' || Array.isArray(item)) return report(TF_CHECK.value, itemPath, `is a nested block and must be an object, got ${shown(item)}`);
        checkBlock(attribute.block, item as Body, itemPath, root, new Set(['//']), report);
      } else if (attribute.elemType) {
        checkScalar(attribute.elemType, attribute.elemValidate ?? [], item, itemPath, report);
      }
    });
    return;
  }
  if (attribute.type === 'TypeMap') {
    for (const [k, v] of Object.entries(value as Body)) {
      if (isInterpolated(v)) continue;
      if (v !== null && typeof v === 'object') report(TF_CHECK.value, joinPath(path, k), `map values must be ${attribute.elemType === 'TypeMap' ? 'maps' : 'primitives'}, got ${shown(v)}`);
    }
    for (const validator of attribute.validate ?? []) {
      const failure = validatorFailure(validator, value);
      if (failure) report(TF_CHECK.value, path, failure);
    }
    return;
  }
  checkScalar(attribute.type, [...(attribute.validate ?? []), ...(attribute.elemValidate ?? [])], value, path, report);
}

function checkScalar(type: AttributeSchema['type'], validators: readonly { func: string; args?: readonly unknown[] }[], value: unknown, path: string, report: BlockReport): void {
  if (isInterpolated(value)) return;
  const typeError = primitiveError(type, value);
  if (typeError) return report(TF_CHECK.value, path, typeError);
  for (const validator of validators) {
    const failure = validatorFailure(validator, value);
    if (failure) report(TF_CHECK.value, path, failure);
  }
}

/** Terraform's conversions: numbers and bools become strings, numeric strings numbers, "true"/"false" bools. */
function primitiveError(type: AttributeSchema['type'], value: unknown): string | undefined {
  switch (type) {
    case 'TypeString':
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? undefined : `must be a string, got ${shown(value)}`;
    case 'TypeInt': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      return Number.isInteger(n) ? undefined : `must be a whole number, got ${shown(value)}`;
    }
    case 'TypeFloat': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
      return Number.isFinite(n) ? undefined : `must be a number, got ${shown(value)}`;
    }
    case 'TypeBool':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? undefined : `must be a bool, got ${shown(value)}`;
    case 'TypeMap':
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? undefined : `must be a map, got ${shown(value)}`;
    case 'TypeList':
    case 'TypeSet':
      return Array.isArray(value) || (value !== null && typeof value === 'object') ? undefined : `must be a list, got ${shown(value)}`;
    default:
      return undefined;
  }
}

/** The backend a stack writes its state to, as a key remote-state readers can be matched on. */
function backendKey(backend: unknown, type?: string): string | undefined {
  if (backend === null || typeof backend !== 'object') return undefined;
  const entries = type === undefined ? Object.entries(backend as Body) : [[type, backend] as [string, unknown]];
  const [kind, config] = entries[0] ?? [];
  if (kind === undefined || config === null || typeof config !== 'object') return undefined;
  const c = config as Body;
  const id = c.schema_name ?? c.path ?? c.key ?? c.prefix;
  return id === undefined ? undefined : `${kind}:${String(id)}`;
}

const SPECIAL = new Set(['var', 'local', 'module', 'terraform', 'path', 'count', 'each', 'self']);

/** A template sequence found in a value: its attribute path and text, and what is wrong with it, if anything. */
type Sequence = (path: string, expression: string, problem?: 'unterminated' | 'directive') => void;

/**
 * Every template sequence in a value, with its attribute path. Terraform reads every JSON string as a
 * template: `${...}` interpolates an expression and `%{...}` is a directive, `$${` and `%%{` being the
 * literal text. A sequence left open (`unterminated`) or a directive (`directive`: ndc's renderers never
 * write one, so it is an unescaped `%{` in a script) is what `terraform validate` would reject or misread.
 * `at` is the path to the value, as segments (a key, or an index); the path's text is made only for a
 * string that holds a sequence, and a string without a `{` (nearly all) holds none.
 */
function templateSequences(value: unknown, at: (string | number)[], found: Sequence): void {
  if (typeof value === 'string') {
    if (!value.includes('{')) return;
    for (let i = 0; i < value.length - 1; i++) {
      const c = value[i];
      if ((c !== '$' && c !== '%') || value[i + 1] === undefined) continue;
      // An escape: the doubled mark and the brace are literal text.
      if (value[i + 1] === c && value[i + 2] === '{') {
        i += 2;
        continue;
      }
      if (value[i + 1] !== '{') continue;
      let depth = 0;
      let end = -1;
      for (let j = i + 2; j < value.length; j++) {
        if (value[j] === '{') depth++;
        else if (value[j] === '}') {
          if (depth === 0) {
            end = j;
            break;
          }
          depth--;
        }
      }
      const path = at.reduce<string>((base, segment) => joinPath(base, segment), '');
      if (end === -1) {
        found(path, value.slice(i + 2), 'unterminated');
        return;
      }
      if (c === '$') found(path, value.slice(i + 2, end));
      else found(path, value.slice(i + 2, end), 'directive');
      i = end;
    }
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      at.push(i);
      templateSequences(value[i], at, found);
      at.pop();
    }
  } else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (key === '//') continue;
      at.push(key);
      templateSequences((value as Body)[key], at, found);
      at.pop();
    }
  }
}

/** Traversals in an expression (`type.name.attr`, `data.type.name.attr...`), string literals removed. */
function traversals(expression: string): string[][] {
  const code = expression.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const out: string[][] = [];
  const re = /(?<![\w.-])([a-z_][a-z0-9_]*)((?:\.[A-Za-z_][\w-]*|\[\d+\])+)/g;
  for (let m = re.exec(code); m !== null; m = re.exec(code)) {
    const rest = m[2].split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '');
    out.push([m[1], ...rest]);
  }
  return out;
}

function checkReferences(a: TerraformArtifact, backends: ReadonlyMap<string, TerraformArtifact>, report: Report): void {
  const config = a.config;
  const resources = (config.resource ?? {}) as Record<string, Record<string, Body>>;
  const data = (config.data ?? {}) as Record<string, Record<string, Body>>;
  const providers = (config.provider ?? {}) as Record<string, unknown>;
  const check = (address: string, path: string, parts: string[]) => {
    const [head, ...rest] = parts;
    if (SPECIAL.has(head)) {
      const block = (head === 'var' ? config.variable : head === 'local' ? config.locals : head === 'module' ? config.module : undefined) as Body | undefined;
      if ((head === 'var' || head === 'local' || head === 'module') && block?.[rest[0]] === undefined) {
        report(TF_CHECK.reference, address, path, `refers to ${head}.${rest[0]}, which this configuration does not declare`);
      }
      return;
    }
    if (head === 'data') {
      const [type, name, attr, output] = rest;
      const body = data[type]?.[name];
      if (!body) return report(TF_CHECK.reference, address, path, `refers to data.${type}.${name}, which this configuration does not declare`);
      if (type === 'terraform_remote_state') {
        if (attr !== undefined && !REMOTE_STATE_EXPORTS.has(attr)) return report(TF_CHECK.reference, address, path, `refers to data.${type}.${name}.${attr}: terraform_remote_state exports ${[...REMOTE_STATE_EXPORTS].join(', ')}`);
        if (attr === 'outputs' && output !== undefined) {
          const key = backendKey(body.config, String(body.backend));
          const source = key === undefined ? undefined : backends.get(key);
          if (!source) return report(TF_CHECK.reference, address, path, `reads the state of ${key ?? 'a backend'} that no Terraform artifact of this environment writes`);
          if (((source.config.output ?? {}) as Body)[output] === undefined) {
            return report(TF_CHECK.reference, address, path, `reads output ${output} of stack ${source.stack}, which declares no such output`);
          }
        }
      }
      return;
    }
    const [name, attr] = rest;
    if (name === undefined) return;
    const body = resources[head]?.[name];
    if (!body) return report(TF_CHECK.reference, address, path, `refers to ${head}.${name}, which this configuration does not declare`);
    const schema = providerOf(head)?.schema.resources[head];
    if (attr !== undefined && attr !== 'id' && schema && !(attr in schema)) {
      report(TF_CHECK.reference, address, path, `refers to ${head}.${name}.${attr}, an attribute ${head} does not have`);
    }
  };
  const visit = (address: string, body: unknown) =>
    templateSequences(body, [], (path, expression, problem) => {
      const shownExpression = expression.length > 60 ? `${expression.slice(0, 57)}...` : expression;
      if (problem === 'unterminated') report(TF_CHECK.reference, address, path, `has a template sequence that is never closed (\${${shownExpression}); write $\${ for a literal \${`);
      else if (problem === 'directive') report(TF_CHECK.reference, address, path, `has %{${shownExpression}}, which Terraform reads as a template directive; write %%{ for a literal %{`);
      // A cdktf token that was never resolved reaches Terraform as text it cannot parse.
      else if (/(^|[^\w])(Tf)?Token\[/.test(expression)) report(TF_CHECK.reference, address, path, `\${${expression}} is an unresolved cdktf token, not a Terraform expression`);
      // A bare name (a shell or unattended-upgrades variable left unescaped) is no reference Terraform resolves.
      else if (/^\s*[A-Za-z_][\w-]*\s*$/.test(expression) && !/^\s*(true|false|null)\s*$/.test(expression)) {
        report(TF_CHECK.reference, address, path, `has \${${expression.trim()}}, which Terraform reads as a reference to ${expression.trim()}, not text; write $\${${expression.trim()}} for the literal`);
      } else for (const parts of traversals(expression)) check(address, path, parts);
    });
  const dependsOn = (address: string, body: Body) => {
    const list = body.depends_on;
    if (!Array.isArray(list)) return;
    list.forEach((entry, i) => {
      if (typeof entry === 'string' && !entry.includes('${')) check(address, `depends_on[${i}]`, entry.split('.'));
    });
  };
  const providerAlias = (address: string, body: Body) => {
    const ref = body.provider;
    if (typeof ref !== 'string' || ref.includes('${')) return;
    const [name, alias] = ref.split('.');
    const configs = providers[name];
    const list = Array.isArray(configs) ? configs : configs === undefined ? [] : [configs];
    if (alias !== undefined && !list.some((c) => (c as Body | null)?.alias === alias)) {
      report(TF_CHECK.reference, address, 'provider', `refers to provider ${ref}, which this configuration does not configure`);
    }
  };
  for (const [type, byName] of Object.entries(resources)) {
    for (const [name, body] of Object.entries(byName ?? {})) {
      visit(`${type}.${name}`, body);
      dependsOn(`${type}.${name}`, body);
      providerAlias(`${type}.${name}`, body);
    }
  }
  for (const [type, byName] of Object.entries(data)) {
    for (const [name, body] of Object.entries(byName ?? {})) {
      visit(`data.${type}.${name}`, body);
      providerAlias(`data.${type}.${name}`, body);
    }
  }
  for (const [name, body] of Object.entries((config.output ?? {}) as Record<string, unknown>)) visit(`output.${name}`, body);
  for (const [name, body] of Object.entries(providers)) visit(`provider.${name}`, body);
}

/** The closest name by edit distance, when it is close enough to be a likely typo or rename. */
function nearest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    if (candidate.startsWith(name) || name.startsWith(candidate)) {
      const d = Math.abs(candidate.length - name.length);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
  }
  return best !== undefined && bestDistance <= 16 ? best : undefined;
}
