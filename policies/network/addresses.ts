import { formatAddress, parseCidr } from '../../core/cidr';

/**
 * IPv4 address sets as sorted, disjoint inclusive intervals of unsigned 32-bit integers: what a security
 * group's remote prefix, a NetworkPolicy ipBlock (with its excepts) or a subnet covers.
 */
export type AddressSet = readonly (readonly [number, number])[];

export const EVERYWHERE: AddressSet = [[0, 0xffffffff]];
export const NOWHERE: AddressSet = [];

/** Addresses that are never the internet: RFC 1918, carrier-grade NAT, loopback, link-local, multicast and reserved. */
const NOT_INTERNET = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '224.0.0.0/3'];

export function cidrSet(text: string): AddressSet | undefined {
  const cidr = parseCidr(text);
  return typeof cidr === 'string' ? undefined : [[cidr.first, cidr.last]];
}

export function union(...sets: AddressSet[]): AddressSet {
  const all = sets.flat().map(([a, b]) => [a, b] as [number, number]).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of all) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

export function subtract(from: AddressSet, remove: AddressSet): AddressSet {
  let current: [number, number][] = from.map(([a, b]) => [a, b]);
  for (const [ra, rb] of remove) {
    const next: [number, number][] = [];
    for (const [a, b] of current) {
      if (rb < a || ra > b) next.push([a, b]);
      else {
        if (a < ra) next.push([a, ra - 1]);
        if (rb < b) next.push([rb + 1, b]);
      }
    }
    current = next;
  }
  return current;
}

export function overlaps(x: AddressSet, y: AddressSet): boolean {
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    if (x[i][1] < y[j][0]) i++;
    else if (y[j][1] < x[i][0]) j++;
    else return true;
  }
  return false;
}

/** True when every address of `inner` is in `outer`. */
export function covers(outer: AddressSet, inner: AddressSet): boolean {
  return subtract(inner, outer).length === 0;
}

/** The public IPv4 space: what "the internet" stands for as a source or destination. */
export const INTERNET: AddressSet = subtract(EVERYWHERE, union(...NOT_INTERNET.map((c) => cidrSet(c)!)));

/** Private space (everything that is not the internet). */
export const PRIVATE: AddressSet = subtract(EVERYWHERE, INTERNET);

/** `10.0.0.0/8` style text for a set that is one aligned block, else the ranges. */
export function showSet(set: AddressSet): string {
  return set
    .map(([a, b]) => {
      const size = b - a + 1;
      const prefix = 32 - Math.log2(size);
      return Number.isInteger(prefix) && a % size === 0 ? `${formatAddress(a)}/${prefix}` : `${formatAddress(a)}-${formatAddress(b)}`;
    })
    .join(',');
}

/**
 * Which of many address sets overlap a given one, without testing each: the address space is cut at every
 * set's bounds, and each piece lists the sets that cover it. Asking every endpoint against every
 * address peer of the cloud one by one grows with the square of its size.
 */
export class OverlapIndex {
  /** The first address of each piece, ascending; piece k runs to starts[k + 1] - 1. */
  private readonly starts: number[];
  /** The sets (by position in the constructor's list) covering each piece. */
  private readonly covering: number[][];

  constructor(sets: readonly AddressSet[]) {
    const points = new Set<number>();
    for (const set of sets) for (const [a, b] of set) points.add(a).add(b + 1);
    this.starts = [...points].sort((x, y) => x - y);
    this.covering = this.starts.map(() => []);
    sets.forEach((set, n) => {
      for (const [a, b] of set) for (let k = this.pieceAt(a); k < this.starts.length && this.starts[k] <= b; k++) this.covering[k].push(n);
    });
  }

  /** The index of the piece holding `address`, or -1 before the first. */
  private pieceAt(address: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= address) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** The positions of the sets that overlap `query`, ascending. */
  overlapping(query: AddressSet): number[] {
    const hits = new Set<number>();
    for (const [a, b] of query) {
      // From the piece holding the query's first address (or the first piece, when it starts later) to the one holding its last.
      for (let k = Math.max(0, this.pieceAt(a)); k < this.starts.length && this.starts[k] <= b; k++) for (const n of this.covering[k]) hits.add(n);
    }
    return [...hits].sort((x, y) => x - y);
  }
}
