/** IPv4 CIDR blocks: parsing, containment and overlap, for address-plan validation. */
export interface Cidr {
  readonly text: string;
  readonly network: number;
  readonly prefix: number;
  /** First and last address as unsigned 32-bit integers. */
  readonly first: number;
  readonly last: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * Parses `a.b.c.d/n` in canonical form only; returns a reason string otherwise. Leading zeros are refused
 * because tools disagree on them (`010` is 8 under octal parsing, 10 elsewhere), so the block a reviewer
 * reads could differ from the one an engine applies.
 */
export function parseCidr(text: string): Cidr | string {
  const match = CIDR_PATTERN.exec(text);
  if (!match) return 'is not an IPv4 CIDR block (expected a.b.c.d/n)';
  const parts = match.slice(1, 6);
  if (parts.some((p) => p.length > 1 && p.startsWith('0'))) {
    return `has a leading zero (write it as ${parts.slice(0, 4).map(Number).join('.')}/${Number(parts[4])}; leading zeros are read as octal by some tools)`;
  }
  const octets = parts.slice(0, 4).map(Number);
  if (octets.some((o) => o > 255)) return 'has an octet above 255';
  const prefix = Number(parts[4]);
  if (prefix > 32) return 'has a prefix length above 32';
  const address = (((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3]) >>> 0;
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) return `has host bits set (the network address is ${formatAddress(address - (address % size))}/${prefix})`;
  return { text, network: address, prefix, first: address, last: address + size - 1 };
}

export function mustParseCidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') throw new Error(`${text} ${parsed}`);
  return parsed;
}

export function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join('.');
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/**
 * The first two items whose blocks overlap, in their input order, or undefined when all are disjoint. A
 * sorted sweep (O(n log n)): the one overlap check of address plans and construct trees.
 */
export function firstOverlap<T>(items: readonly T[], blockOf: (item: T) => Cidr): readonly [T, T] | undefined {
  const order = items.map((item, index) => ({ item, index, block: blockOf(item) }));
  order.sort((a, b) => a.block.first - b.block.first || a.block.last - b.block.last);
  let widest: (typeof order)[number] | undefined;
  for (const current of order) {
    if (widest && overlaps(widest.block, current.block)) {
      return widest.index < current.index ? [widest.item, current.item] : [current.item, widest.item];
    }
    if (!widest || current.block.last > widest.block.last) widest = current;
  }
  return undefined;
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}

/** The `index`-th block of prefix length `prefix` inside `parent`, e.g. the third /24 of a /20. */
export function subdivide(parent: Cidr, prefix: number, index: number): Cidr {
  if (prefix < parent.prefix) throw new Error(`cannot cut a /${prefix} out of ${parent.text}`);
  const size = 2 ** (32 - prefix);
  const first = parent.first + index * size;
  if (first + size - 1 > parent.last) throw new Error(`${parent.text} has no room for block ${index} of size /${prefix}`);
  return mustParseCidr(`${formatAddress(first)}/${prefix}`);
}

/** The n-th host address of a block (1 is the usual gateway). */
export function hostAddress(block: Cidr, n: number): string {
  return formatAddress(block.first + n);
}

/**
 * Every item that overlaps an item before it in address order, paired with that item (earlier input
 * first): each overlapping block is reported once, so a user sees all clashes of an address plan at once.
 */
export function overlappingPairs<T>(items: readonly T[], blockOf: (item: T) => Cidr): Array<readonly [T, T]> {
  const order = items.map((item, index) => ({ item, index, block: blockOf(item) }));
  order.sort((a, b) => a.block.first - b.block.first || a.block.last - b.block.last || a.index - b.index);
  const pairs: Array<readonly [T, T]> = [];
  let widest: (typeof order)[number] | undefined;
  for (const current of order) {
    if (widest && overlaps(widest.block, current.block)) {
      pairs.push(widest.index < current.index ? [widest.item, current.item] : [current.item, widest.item]);
    }
    if (!widest || current.block.last > widest.block.last) widest = current;
  }
  return pairs;
}
