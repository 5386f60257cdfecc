import { attributeChanges, shownValue, SHOWN_VALUE_LENGTH, wholeAttributes } from '../../core/json-diff';

describe('attribute changes between two resources', () => {
  it('names each changed attribute by its JSON path with old -> new', () => {
    const before = { port_range_min: 8443, port_range_max: 8443, description: 'tcp/8443', metadata: { labels: { 'ndc.gov.vn/system': 'a' } } };
    const after = { port_range_min: 9090, port_range_max: 9090, description: 'tcp/8443', metadata: { labels: { 'ndc.gov.vn/system': 'b' } } };
    expect(attributeChanges(before, after)).toEqual([
      { path: 'metadata.labels["ndc.gov.vn/system"]', from: '"a"', to: '"b"' },
      { path: 'port_range_max', from: '8443', to: '9090' },
      { path: 'port_range_min', from: '8443', to: '9090' },
    ]);
  });

  it('is empty for documents equal up to key order', () => {
    expect(attributeChanges({ a: 1, b: [1, { c: 2, d: 3 }] }, { b: [1, { d: 3, c: 2 }], a: 1 })).toEqual([]);
  });

  it('shows an element inserted into a list as one addition, not every later element changed', () => {
    const rule = (port: number) => ({ ports: [{ port, protocol: 'TCP' }] });
    const changes = attributeChanges({ spec: { ingress: [rule(80), rule(443)] } }, { spec: { ingress: [rule(80), rule(9090), rule(443)] } });
    expect(changes).toEqual([
      { path: 'spec.ingress[1].ports[0].port', to: '9090' },
      { path: 'spec.ingress[1].ports[0].protocol', to: '"TCP"' },
    ]);
  });

  it('compares an element changed in place attribute by attribute', () => {
    expect(attributeChanges({ ingress: [{ port: 80 }, { port: 443 }] }, { ingress: [{ port: 80 }, { port: 8443 }] })).toEqual([{ path: 'ingress[1].port', from: '443', to: '8443' }]);
  });

  it('lists attributes added and removed with one side only', () => {
    expect(attributeChanges({ a: 1, gone: { x: true } }, { a: 1, fresh: [] })).toEqual([
      { path: 'fresh', to: '[]' },
      { path: 'gone.x', from: 'true' },
    ]);
  });

  it('shortens long values deterministically, keeping their length and a hash to tell them apart', () => {
    const long = 'x'.repeat(500);
    const other = `${'x'.repeat(499)}y`;
    const shown = shownValue(long);
    expect(shown.length).toBeLessThan(SHOWN_VALUE_LENGTH + 40);
    expect(shown).toMatch(/^"x+\.\.\. \(502 chars, sha256 [0-9a-f]{12}\)$/);
    expect(shownValue(long)).toBe(shown);
    expect(shownValue(other)).not.toBe(shown);
    expect(shownValue('short')).toBe('"short"');
  });

  it('lists every leaf of a whole resource', () => {
    expect(wholeAttributes({ b: { c: 1 }, a: [true, {}] }, 'to')).toEqual([
      { path: 'a[0]', to: 'true' },
      { path: 'a[1]', to: '{}' },
      { path: 'b.c', to: '1' },
    ]);
  });
});
