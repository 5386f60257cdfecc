import { firstOverlap, mustParseCidr } from '../core/cidr';

describe('firstOverlap', () => {
  const named = (pairs: [string, string][]) => pairs.map(([name, text]) => ({ name, block: mustParseCidr(text) }));

  it('finds no overlap among disjoint blocks, whatever their order', () => {
    expect(firstOverlap(named([['b', '10.1.0.0/16'], ['a', '10.0.0.0/16'], ['c', '10.2.0.0/24']]), (n) => n.block)).toBeUndefined();
  });

  it('returns the overlapping pair in input order, also when a wide block hides behind a narrow one', () => {
    const blocks = named([['narrow', '10.0.8.0/24'], ['other', '10.1.0.0/16'], ['wide', '10.0.0.0/16']]);
    expect(firstOverlap(blocks, (n) => n.block)?.map((n) => n.name)).toEqual(['narrow', 'wide']);
    const nested = named([['outer', '10.0.0.0/8'], ['a', '10.0.0.0/24'], ['b', '10.200.0.0/16']]);
    expect(firstOverlap(nested, (n) => n.block)?.map((n) => n.name)).toEqual(['outer', 'a']);
  });
});
