import { PLATFORM_SYSTEM, latestEvidence, type LoadedEvidenceRecord } from '../environments/evidence';
import { collectorMatch } from '../policies/artifacts/logging';
import { EVERYWHERE, INTERNET, NOWHERE, OverlapIndex, overlaps, union, type AddressSet } from '../policies/network/addresses';
import { clustersOf, clusterWithId } from '../policies/cloud-index';
import { endpointsOf, hopsInto, reachOf } from '../policies/controls/traffic-paths';
import { evidenceRecordsOf, latestEvidenceOf } from '../policies/evidence-index';
import { evidenceOf, variant, type Fixture } from './policy-fixtures';

/**
 * The per-system lookups the checks build once per evaluation (so a check stays linear in the size of the
 * cloud) must answer exactly what the scans they replace answered: each is compared here with the scan.
 */

let prod: Fixture;
beforeAll(() => {
  prod = variant('prod', () => undefined);
});

describe('reachability by system', () => {
  it('gives every system the hops into its hosts and pods, and its endpoints, in the order a scan finds them', () => {
    const reach = reachOf(prod.context);
    let hops = 0;
    for (const system of prod.context.cloud.systems) {
      const scanned = reach.hops
        .filter((hop) => {
          const to = reach.model.byId.get(hop.to)!;
          return to.system === system.id && (to.kind === 'hosts' || to.kind === 'pods');
        })
        .map((hop) => ({ hop, from: reach.model.byId.get(hop.from)!, to: reach.model.byId.get(hop.to)! }));
      expect(hopsInto(reach, system)).toEqual(scanned);
      expect(endpointsOf(reach, system)).toEqual(reach.model.endpoints.filter((e) => e.system === system.id));
      hops += scanned.length;
    }
    expect(hops).toBeGreaterThan(prod.context.cloud.systems.length);
  });
});

describe('evidence by kind and system', () => {
  const record = (system: string, kind: string, performed: string, source: string): LoadedEvidenceRecord =>
    ({ ...evidenceOf('prod')[0], system, kind, performed, source }) as LoadedEvidenceRecord;

  it('finds what a filter over every record finds, in load order, for one system or a system and the platform', () => {
    const shipped = evidenceOf('prod');
    // Records of the same kind and system interleaved with others, and out of date order, as files may load.
    const records = [
      ...shipped,
      record('digital-signature-ca', 'assessment', '2026-01-05', 'evidence/prod/z.json'),
      record(PLATFORM_SYSTEM, 'assessment', '2025-06-01', 'evidence/prod/a.json'),
      record('digital-signature-ca', 'assessment', '2026-01-05', 'evidence/prod/b.json'),
    ];
    const kinds = [...new Set(records.map((r) => r.kind))];
    const systems = [...new Set(records.map((r) => r.system)), 'no-such-system'];
    for (const kind of kinds) {
      for (const system of systems) {
        expect(evidenceRecordsOf(records, kind, [system])).toEqual(records.filter((r) => r.kind === kind && r.system === system));
        expect(evidenceRecordsOf(records, kind, [system, PLATFORM_SYSTEM])).toEqual(records.filter((r) => r.kind === kind && (r.system === system || r.system === PLATFORM_SYSTEM)));
        expect(latestEvidenceOf(records, system, kind)).toBe(latestEvidence(records, system, kind));
      }
    }
    expect(latestEvidenceOf(records, 'digital-signature-ca', 'assessment')?.source).toBe(latestEvidence(records, 'digital-signature-ca', 'assessment')?.source);
  });
});

describe('collector configuration by system', () => {
  it('finds the first block of exactly that system, not of a system whose id starts with it', () => {
    const config = [
      '<match system.portal-admin.**>',
      '  @type s3',
      '</match>',
      '<match system.portal.**>',
      '  @type opensearch',
      '</match>',
      '<match system.portal.**>',
      '  @type null',
      '</match>',
      '<match system.open.**>',
    ].join('\n');
    const scan = (id: string) => {
      const start = config.indexOf(`<match system.${id}.**>`);
      if (start < 0) return undefined;
      const end = config.indexOf('</match>', start);
      return end < 0 ? undefined : config.slice(start, end);
    };
    for (const id of ['portal', 'portal-admin', 'open', 'admin', 'por']) expect(collectorMatch(config, id)).toBe(scan(id));
    expect(collectorMatch(config, 'portal')).toContain('@type opensearch');
    expect(collectorMatch(config, 'open')).toBeUndefined();
  });
});

describe('clusters of the cloud', () => {
  it('are those of cloud.clusters, in order, and found by id', () => {
    const { cloud } = prod.context;
    expect(clustersOf(cloud)).toEqual(cloud.clusters);
    for (const cluster of cloud.clusters) expect(clusterWithId(cloud, cluster.id)).toBe(cloud.clusters.find((c) => c.id === cluster.id));
    expect(clusterWithId(cloud, 'nowhere')).toBeUndefined();
    expect(clusterWithId(cloud, undefined)).toBeUndefined();
  });
});

describe('the overlap index of address sets', () => {
  it('finds exactly the sets a test of each one finds, for blocks, ranges, nested and disjoint sets', () => {
    // A small deterministic generator (no Math.random: the test must replay the same sets).
    let seed = 19;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const block = (): [number, number] => {
      const prefix = 8 + next(25);
      const size = 2 ** (32 - prefix);
      const first = Math.floor((next(2 ** 16) * 2 ** 16 + next(2 ** 16)) / size) * size;
      return [first, first + size - 1];
    };
    const sets: AddressSet[] = [EVERYWHERE, NOWHERE, INTERNET];
    for (let i = 0; i < 300; i++) sets.push(union(...Array.from({ length: 1 + next(3) }, () => [block()] as AddressSet)));
    const index = new OverlapIndex(sets);
    const queries: AddressSet[] = [EVERYWHERE, NOWHERE, INTERNET, [[0, 0]], [[0xffffffff, 0xffffffff]], ...sets.slice(3, 60)];
    for (let i = 0; i < 200; i++) queries.push([block()]);
    let hits = 0;
    for (const query of queries) {
      const expected = sets.map((set, n) => (overlaps(set, query) ? n : -1)).filter((n) => n >= 0);
      expect(index.overlapping(query)).toEqual(expected);
      hits += expected.length;
    }
    expect(hits).toBeGreaterThan(queries.length);
  });
});
