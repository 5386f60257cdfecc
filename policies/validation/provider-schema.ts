import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { PROVIDER_SCHEMA_FILES, schemaVersion } from '../../stacks/terraform/providers/schemas';
import { SOURCE_ROOT } from '../../core/source-root';

/**
 * The Terraform provider schemas of the pinned releases (stacks/terraform/providers/schema/, read from each
 * provider's own Go source) and the SDKv2 validators whose meaning is fixed by their literal arguments.
 * Plain JSON: no engine library is loaded here.
 */

export type SdkType = 'TypeString' | 'TypeInt' | 'TypeFloat' | 'TypeBool' | 'TypeList' | 'TypeSet' | 'TypeMap';

export interface Validator {
  readonly func: string;
  readonly args?: readonly unknown[];
}

export interface AttributeSchema {
  readonly type: SdkType;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly deprecated?: string | boolean;
  readonly maxItems?: number;
  readonly minItems?: number;
  readonly conflictsWith?: readonly string[];
  readonly exactlyOneOf?: readonly string[];
  readonly atLeastOneOf?: readonly string[];
  readonly requiredWith?: readonly string[];
  readonly validate?: readonly Validator[];
  readonly elemType?: SdkType;
  readonly elemValidate?: readonly Validator[];
  readonly block?: Readonly<Record<string, AttributeSchema>> | null;
}

export type BlockSchema = Readonly<Record<string, AttributeSchema>>;

interface SchemaFile {
  readonly provider: BlockSchema;
  readonly resourceTypes: readonly string[];
  /** null: the provider builds the type's schema at run time (not extractable); the type exists. */
  readonly resources: Readonly<Record<string, BlockSchema | null>>;
}

export interface PinnedProvider {
  /** The local name: the prefix of its resource types and the key in required_providers. */
  readonly name: string;
  readonly source: string;
  readonly version: string;
  /** The schema file, relative to the repository root. */
  readonly file: string;
}

/** The providers the artifacts may use, at the versions their schemas describe (one list, shared with the bindings). */
export const PINNED_PROVIDERS: readonly PinnedProvider[] = PROVIDER_SCHEMA_FILES.map((f) => ({
  name: f.name,
  source: f.source,
  version: schemaVersion(f),
  file: `stacks/terraform/providers/schema/${f.file}`,
}));

export interface ProviderSchema extends PinnedProvider {
  readonly schema: SchemaFile;
}

const REPO = SOURCE_ROOT;
const loaded = new Map<string, ProviderSchema>();

/** The pinned provider a resource type belongs to (by its prefix), its schema read once per process. */
export function providerOf(resourceType: string): ProviderSchema | undefined {
  const pinned = PINNED_PROVIDERS.find((p) => resourceType === p.name || resourceType.startsWith(`${p.name}_`));
  return pinned ? providerSchema(pinned.name) : undefined;
}

export function providerSchema(name: string): ProviderSchema | undefined {
  const cached = loaded.get(name);
  if (cached) return cached;
  const pinned = PINNED_PROVIDERS.find((p) => p.name === name);
  if (!pinned) return undefined;
  const schema = JSON.parse(readFileSync(join(REPO, pinned.file), 'utf8')) as SchemaFile;
  const entry = { ...pinned, schema };
  loaded.set(name, entry);
  return entry;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** The protocols openstack_networking_secgroup_rule_v2 accepts at v3.4.0 (resourceNetworkingSecGroupRuleV2Protocol). */
const SECGROUP_PROTOCOLS = new Set([
  'ah', 'dccp', 'egp', 'esp', 'gre', 'icmp', 'igmp', 'ipv6-encap', 'ipv6-frag', 'ipv6-icmp', 'ipv6-nonxt', 'ipv6-opts', 'ipv6-route',
  'ospf', 'pgm', 'rsvp', 'sctp', 'tcp', 'udp', 'udplite', 'vrrp', 'ipip', 'any',
]);

/** Go constants the schema files print by name (`<minio.Enabled>`), with their values in the pinned source. */
const GO_CONSTANTS: Readonly<Record<string, string>> = { '<minio.Enabled>': 'Enabled', '<minio.Suspended>': 'Suspended' };

/** The literal arguments, constants replaced by their values; undefined when one is an expression not known here. */
function resolvedArgs(validator: Validator): readonly unknown[] | undefined {
  const resolve = (arg: unknown): unknown => {
    if (Array.isArray(arg)) return arg.map(resolve);
    if (typeof arg === 'string' && /^<.*>$/s.test(arg) && !arg.startsWith('<regexp.MustCompile(')) return GO_CONSTANTS[arg] ?? UNKNOWN;
    return arg;
  };
  const args = (validator.args ?? []).map(resolve);
  const unknown = (arg: unknown): boolean => arg === UNKNOWN || (Array.isArray(arg) && arg.some(unknown));
  return args.some(unknown) ? undefined : args;
}

const UNKNOWN = Symbol('unknown');

/** A Go regexp literal as the extractor prints it: `<regexp.MustCompile(`...`)>`. */
function goRegexp(arg: unknown): RegExp | undefined {
  const m = typeof arg === 'string' ? /^<regexp\.MustCompile\(`(.*)`\)>$/s.exec(arg) : null;
  if (!m) return undefined;
  try {
    return new RegExp(m[1], 'u');
  } catch {
    return undefined;
  }
}

function isCidr(value: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (!m) return false;
  const family = isIP(m[1]);
  const bits = Number(m[2]);
  return family !== 0 && bits <= (family === 4 ? 32 : 128);
}

/**
 * Whether a literal value passes a validator, and why not. Validators whose meaning is code the schema file
 * does not carry (provider-specific functions other than those named here) return undefined: not checked.
 */
export function validatorFailure(validator: Validator, value: unknown): string | undefined {
  const args = resolvedArgs(validator);
  if (args === undefined) return undefined;
  const str = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
  const num = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : undefined;
  switch (validator.func) {
    case 'validation.StringInSlice': {
      const allowed = (args[0] ?? []) as string[];
      const ignoreCase = args[1] === true;
      if (str === undefined) return undefined;
      const ok = ignoreCase ? allowed.some((a) => a.toLowerCase() === str.toLowerCase()) : allowed.includes(str);
      return ok ? undefined : `expected one of ${allowed.map((a) => JSON.stringify(a)).join(', ')} (validation.StringInSlice), got ${JSON.stringify(str)}`;
    }
    case 'validation.IntInSlice': {
      const allowed = (args[0] ?? []) as number[];
      return num === undefined || allowed.includes(num) ? undefined : `expected one of ${allowed.join(', ')} (validation.IntInSlice), got ${String(value)}`;
    }
    case 'validation.IntBetween': {
      const [min, max] = args as [number, number];
      return num === undefined || (num >= min && num <= max) ? undefined : `expected to be in the range (${min} - ${max}) (validation.IntBetween), got ${String(value)}`;
    }
    case 'validation.IntAtLeast':
      return num === undefined || num >= (args[0] as number) ? undefined : `expected to be at least (${String(args[0])}) (validation.IntAtLeast), got ${String(value)}`;
    case 'validation.IntAtMost':
      return num === undefined || num <= (args[0] as number) ? undefined : `expected to be at most (${String(args[0])}) (validation.IntAtMost), got ${String(value)}`;
    case 'validation.StringLenBetween': {
      const [min, max] = args as [number, number];
      return str === undefined || (str.length >= min && str.length <= max) ? undefined : `expected length between ${min} and ${max} (validation.StringLenBetween), got ${str.length}`;
    }
    case 'validation.StringIsNotEmpty':
    case 'validation.NoZeroValues':
      return value === '' || value === 0 || value === false ? `must not be empty or zero (${validator.func})` : undefined;
    case 'validation.IsCIDR':
      return str === undefined || isCidr(str) ? undefined : `expected a CIDR block (validation.IsCIDR), got ${JSON.stringify(str)}`;
    case 'validation.IsIPAddress':
      return str === undefined || isIP(str) !== 0 ? undefined : `expected an IP address (validation.IsIPAddress), got ${JSON.stringify(str)}`;
    case 'validation.IsUUID':
      return str === undefined || UUID.test(str) ? undefined : `expected a UUID (validation.IsUUID), got ${JSON.stringify(str)}`;
    case 'validation.IsRFC3339Time':
      return str === undefined || RFC3339.test(str) ? undefined : `expected an RFC 3339 time (validation.IsRFC3339Time), got ${JSON.stringify(str)}`;
    case 'validation.StringMatch': {
      const re = goRegexp(args[0]);
      return str === undefined || re === undefined || re.test(str) ? undefined : `${String(args[1] || `must match ${re.source}`)} (validation.StringMatch), got ${JSON.stringify(str)}`;
    }
    case 'validation.StringDoesNotMatch': {
      const re = goRegexp(args[0]);
      return str === undefined || re === undefined || !re.test(str) ? undefined : `${String(args[1] || `must not match ${re.source}`)} (validation.StringDoesNotMatch), got ${JSON.stringify(str)}`;
    }
    case 'resourceNetworkingSecGroupRuleV2Direction':
      return str === undefined || str === 'ingress' || str === 'egress' ? undefined : `unknown direction ${JSON.stringify(str)} (expected "ingress" or "egress")`;
    case 'resourceNetworkingSecGroupRuleV2EtherType':
      return str === undefined || str === 'IPv4' || str === 'IPv6' ? undefined : `unknown ether type ${JSON.stringify(str)} (expected "IPv4" or "IPv6")`;
    case 'resourceNetworkingSecGroupRuleV2Protocol': {
      if (str === undefined || SECGROUP_PROTOCOLS.has(str)) return undefined;
      const n = /^-?\d+$/.test(str) ? Number(str) : Number.NaN;
      return n >= 0 && n <= 255 ? undefined : `unknown protocol ${JSON.stringify(str)} (a protocol name Neutron knows, or a number 0-255)`;
    }
    default:
      return undefined;
  }
}
