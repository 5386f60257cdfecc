import { contains, mustParseCidr } from '../core/cidr';
import { loadEnvironment } from '../environments/load';
import {
  DEDICATED_NETWORK_PREFIX,
  DEDICATED_ZONE_PREFIX,
  EXTERNAL_PEERS,
  isExternalPeer,
  NATIONAL_SITES,
  ZONE_SEGMENT_PREFIX,
  ZONES,
} from '../environments/vocabulary';
import { REPO } from './helpers';

describe('the vocabulary', () => {
  it('sizes a dedicated network from the number of zones: the smallest block with one zone block per zone', () => {
    const zoneBlocks = 2 ** (DEDICATED_ZONE_PREFIX - DEDICATED_NETWORK_PREFIX);
    expect(zoneBlocks).toBeGreaterThanOrEqual(ZONES.length);
    expect(zoneBlocks / 2).toBeLessThan(ZONES.length);
  });

  it('the shipped address plans follow it: every zone, one segment of the zone prefix each, all in the lower half', () => {
    const { env } = loadEnvironment(REPO, 'prod');
    for (const region of env.regions) {
      const range = mustParseCidr(region.addressPlan.cidr);
      const lower = mustParseCidr(`${region.addressPlan.cidr.split('/')[0]}/${range.prefix + 1}`);
      expect(Object.keys(region.addressPlan.segments)).toEqual([...ZONES]);
      for (const text of Object.values(region.addressPlan.segments)) {
        const block = mustParseCidr(text!);
        expect([text, block.prefix, contains(lower, block)]).toEqual([text, ZONE_SEGMENT_PREFIX, true]);
      }
      expect(region.green.pue).toBe(NATIONAL_SITES[region.id as keyof typeof NATIONAL_SITES].pue);
    }
    for (const system of env.systems) {
      for (const text of Object.values(system.dedicatedNetworks ?? {})) expect([text, mustParseCidr(text).prefix]).toEqual([text, DEDICATED_NETWORK_PREFIX]);
    }
  });

  it('tells external peers from zones', () => {
    expect(EXTERNAL_PEERS.map(isExternalPeer)).toEqual([true, true]);
    expect(ZONES.some(isExternalPeer)).toBe(false);
    expect(isExternalPeer({ zone: 'dmz' })).toBe(false);
  });
});
