/**
 * What one hop allows: a protocol and a port range (`tcp/443`, `udp/10000-20000`, `icmp`, `any`), the
 * algebra to intersect an egress permission with an ingress one, and the rules that allow it.
 */
export type Protocol = 'tcp' | 'udp' | 'icmp' | 'sctp' | 'any' | `ip-${number}`;

export interface Service {
  readonly protocol: Protocol;
  /** First and last port; absent for icmp, any, and ip-N. */
  readonly from?: number;
  readonly to?: number;
}

/** One rule of an artifact that allows traffic: the file under out/<env>/ and the resource it names. */
export interface RuleRef {
  readonly file: string;
  readonly address: string;
}

export const showRule = (rule: RuleRef): string => `${rule.file}: ${rule.address}`;

export const ANY: Service = { protocol: 'any' };

const NUMBERED: Record<string, Protocol> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '132': 'sctp', '-1': 'any', '0': 'any' };

/** Normalises OpenStack / Kubernetes protocol spellings (`TCP`, `6`, absent for any). */
export function protocolOf(value: unknown): Protocol {
  if (value === undefined || value === null || value === '' || value === 'any') return 'any';
  const text = String(value).toLowerCase();
  if (text === 'tcp' || text === 'udp' || text === 'icmp' || text === 'sctp') return text;
  if (NUMBERED[text]) return NUMBERED[text];
  return /^\d+$/.test(text) ? (`ip-${text}` as Protocol) : (text as Protocol);
}

const PORTED = new Set<Protocol>(['tcp', 'udp', 'sctp']);

export function serviceOf(protocol: Protocol, from?: number, to?: number): Service {
  if (!PORTED.has(protocol)) return { protocol };
  if (from === undefined && to === undefined) return { protocol, from: 1, to: 65535 };
  const first = from ?? to!;
  return { protocol, from: first, to: to ?? first };
}

/** The traffic both allow, or undefined when they share none. */
export function intersect(a: Service, b: Service): Service | undefined {
  if (a.protocol === 'any') return b;
  if (b.protocol === 'any') return a;
  if (a.protocol !== b.protocol) return undefined;
  if (a.from === undefined || b.from === undefined) return a;
  const from = Math.max(a.from, b.from);
  const to = Math.min(a.to!, b.to!);
  return from <= to ? { protocol: a.protocol, from, to } : undefined;
}

/** True when `inner` allows nothing `outer` does not. */
export function within(inner: Service, outer: Service): boolean {
  if (outer.protocol === 'any') return true;
  if (inner.protocol !== outer.protocol) return false;
  if (outer.from === undefined) return true;
  return inner.from !== undefined && outer.from <= inner.from && inner.to! <= outer.to!;
}

export function showService(s: Service): string {
  if (s.from === undefined) return s.protocol;
  if (s.from === 1 && s.to === 65535) return `${s.protocol}/all`;
  return s.from === s.to ? `${s.protocol}/${s.from}` : `${s.protocol}/${s.from}-${s.to}`;
}

export function compareServices(a: Service, b: Service): number {
  return a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : (a.from ?? 0) - (b.from ?? 0) || (a.to ?? 0) - (b.to ?? 0);
}

/** True when the service allows the port (tcp/22 style questions). */
export function allowsPort(s: Service, protocol: 'tcp' | 'udp', port: number): boolean {
  return (s.protocol === 'any' || s.protocol === protocol) && (s.from === undefined || (s.from <= port && port <= s.to!));
}
