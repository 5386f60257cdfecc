import {
  InformationSystem,
  NationalCloud,
  NetworkSegment,
  Port,
  RegionalCluster,
  buildCloud,
  LEVEL_REQUIREMENTS,
} from '../constructs';
import { loadEnvironment } from '../environments/load';
import { REPO } from './helpers';

function threeClusters(stage: 'production' | 'development' = 'development') {
  const cloud = new NationalCloud('test', { stage });
  const north = new RegionalCluster(cloud, 'north');
  const central = new RegionalCluster(cloud, 'central');
  const south = new RegionalCluster(cloud, 'south');
  return { cloud, north, central, south };
}

describe('RegionalCluster defaults', () => {
  it('new RegionalCluster(cloud, "north") alone is a compliant national cluster', () => {
    const cloud = new NationalCloud('test');
    const north = new RegionalCluster(cloud, 'north');
    expect(north.displayName).toBe('Hoa Lac, Hanoi');
    expect(north.national).toBe(true);
    expect(north.availabilityZones.map((az) => az.node.id)).toEqual(['north-a', 'north-b']);
    expect(north.green.pue).toBeLessThanOrEqual(north.green.pueTarget);
    expect(north.cidr.text).toBe('10.10.0.0/16');
    expect(north.zones).toEqual(['edge', 'dmz', 'internal-server', 'database', 'management', 'device-management', 'backup', 'gov-interconnect']);
    expect(north.segment('dmz').cidr.text).toBe('10.10.4.0/22');
    expect(north.backupVault.objectLock).toBe(true);
    expect(north.storage.encrypted).toBe(true);
  });

  it('a national site has the same data as a cluster built from the environment files (one source: the vocabulary)', () => {
    const { north, central, south } = threeClusters();
    const prod = buildCloud(loadEnvironment(REPO, 'prod').env);
    for (const cluster of [north, central, south]) {
      const shipped = prod.cluster(cluster.id);
      expect([cluster.id, cluster.displayName, cluster.site, cluster.location, cluster.openstackRegion, cluster.green]).toEqual([shipped.id, shipped.displayName, shipped.site, shipped.location, shipped.openstackRegion, shipped.green]);
    }
  });

  it('rejects overlapping segments of one cluster, naming the later one', () => {
    const cloud = new NationalCloud('test');
    expect(() => new RegionalCluster(cloud, 'north', { segments: { edge: '10.10.0.0/22', dmz: '10.10.2.0/24' } })).toThrow('test/north: segments.dmz: "10.10.2.0/24": overlaps segment edge (10.10.0.0/22)');
  });

  it('gives each further cluster its own default range', () => {
    const { north, central, south } = threeClusters();
    expect([north, central, south].map((c) => c.cidr.text)).toEqual(['10.10.0.0/16', '10.20.0.0/16', '10.30.0.0/16']);
  });

  it('computes great-circle distances between the national sites', () => {
    const { north, central, south } = threeClusters();
    expect(north.distanceKmTo(central)).toBeGreaterThan(600);
    expect(north.distanceKmTo(central)).toBeLessThan(680);
    expect(central.distanceKmTo(south)).toBeGreaterThan(580);
    expect(north.distanceKmTo(south)).toBeGreaterThan(1100);
    expect(north.distanceKmTo(south)).toBeLessThan(1200);
  });

  it('names the construct path, prop and value of a bad prop', () => {
    const cloud = new NationalCloud('test');
    expect(() => new RegionalCluster(cloud, 'west')).toThrow('test/west: location: missing: is required for a cluster that is not one of the national sites (north, central, south)');
    expect(() => new RegionalCluster(cloud, 'east', { location: { lat: 1, lon: 1 }, green: { pue: 1.3, energySource: 'hydro' }, cidr: '10.1.0.0/33' })).toThrow('test/east: cidr: "10.1.0.0/33": has a prefix length above 32');
    expect(() => new RegionalCluster(cloud, 'north', { cidr: '10.10.0.0/16', segments: { dmz: '10.11.0.0/24' } })).toThrow('test/north: segments.dmz: "10.11.0.0/24": is outside the cluster\'s range 10.10.0.0/16');
  });

  it('the cloud rejects clusters whose ranges overlap', () => {
    const cloud = new NationalCloud('test');
    new RegionalCluster(cloud, 'north', { cidr: '10.10.0.0/16' });
    new RegionalCluster(cloud, 'central', { cidr: '10.10.0.0/16' });
    expect(() => cloud.validate()).toThrow('cluster central (10.10.0.0/16) overlaps cluster north (10.10.0.0/16)');
  });

  it('a production cloud of one cluster is a valid tree: rule NDC-TOP-001 judges the count', () => {
    const cloud = new NationalCloud('p', { stage: 'production' });
    new RegionalCluster(cloud, 'north');
    expect(() => cloud.validate()).not.toThrow();
  });
});

describe('InformationSystem level-aware defaults', () => {
  it('a level-3 system gets database and management zones, logical isolation and a backup plan with offsite copies', () => {
    const { cloud } = threeClusters();
    const system = new InformationSystem(cloud, 'registry', { level: 3, primary: 'central' });
    expect(system.zones).toEqual(expect.arrayContaining(['database', 'management', 'internal-server', 'dmz', 'edge']));
    expect(system.isolation).toBe('logical');
    expect(system.dedicatedHosts).toBe(false);
    expect(system.recovery).toBeUndefined();
    expect(system.backup).toBeDefined();
    expect(system.backup!.offsiteCopies(system.primary).length).toBeGreaterThanOrEqual(1);
    expect(system.backup!.encrypted).toBe(true);
    // No flow from outside and no database tier: of the traffic-path services only the jump hosts apply.
    expect([...system.securityServices.keys()]).toEqual(['pam']);
    expect(system.logRetentionMonths).toBe(LEVEL_REQUIREMENTS[3].logRetentionMonths);
    // Shared segments: the system uses the cluster's own.
    expect(system.placements[0].segment('database')).toBe(cloud.cluster('central').segment('database'));
  });

  it('a level-4 system gets dedicated hosts, its own core network and storage, and a recovery cluster', () => {
    const { cloud, north } = threeClusters();
    const system = new InformationSystem(cloud, 'portal', { level: 4, primary: north });
    expect(system.dedicatedHosts).toBe(true);
    expect(system.isolation).toBe('physical');
    expect(system.zones).toContain('device-management');
    expect(system.recovery?.id).toBe('south');
    const placement = system.placements[0];
    expect(placement.ownsSegments).toBe(true);
    expect(placement.dedicatedNetwork?.text).toBe('10.10.128.0/21');
    expect(placement.segment('dmz').dedicatedTo).toBe('portal');
    expect(placement.segment('dmz')).not.toBe(north.segment('dmz'));
    expect(placement.storage.dedicatedTo).toBe('portal');
    expect(placement.computePools.every((p) => p.dedicatedHosts)).toBe(true);
    expect(system.backup!.copies.every((c) => c.immutable)).toBe(true);
  });

  it('two dedicated systems in one cluster get non-overlapping networks', () => {
    const { cloud } = threeClusters();
    const a = new InformationSystem(cloud, 'a', { level: 4, primary: 'north' });
    const b = new InformationSystem(cloud, 'b', { level: 4, primary: 'north' });
    expect(a.placements[0].dedicatedNetwork?.text).toBe('10.10.128.0/21');
    expect(b.placements[0].dedicatedNetwork?.text).toBe('10.10.136.0/21');
  });

  it('a level-5 system gets the farthest cluster, at least 30 km away, as its recovery region', () => {
    const { cloud } = threeClusters();
    const system = new InformationSystem(cloud, 'population', { level: 5, primary: 'north' });
    expect(system.recovery?.id).toBe('south');
    expect(system.primary.distanceKmTo(system.recovery!)).toBeGreaterThanOrEqual(30);
    expect(system.placements.map((p) => [p.cluster.id, p.role])).toEqual([['north', 'primary'], ['south', 'recovery']]);
    expect(system.backup!.rpoHours).toBe(1);
  });

  it('a level-5 system refuses to exist without a recovery cluster 30 km away', () => {
    const cloud = new NationalCloud('solo');
    new RegionalCluster(cloud, 'north');
    new RegionalCluster(cloud, 'annex', { location: { lat: 21.02, lon: 105.53 }, green: { pue: 1.3, energySource: 'grid' } });
    expect(() => new InformationSystem(cloud, 'population', { level: 5, primary: 'north' })).toThrow('solo/population: recovery: missing: a level-5 system needs a recovery cluster at least 30 km from north');
  });

  it('the recovery cluster runs a warm standby at half size', () => {
    const { cloud } = threeClusters();
    const system = new InformationSystem(cloud, 'portal', { level: 4, primary: 'north', tiers: [{ name: 'web', zone: 'dmz', instances: 5 }] });
    expect(system.placements.map((p) => p.computePools[0].instances)).toEqual([5, 3]);
  });

  it('flows become Flow constructs in every cluster, routed through the security services the level requires, plus administration', () => {
    const { cloud } = threeClusters();
    const system = new InformationSystem(cloud, 'portal', {
      level: 3,
      primary: 'north',
      recovery: 'central',
      tiers: [{ name: 'web', zone: 'dmz' }, { name: 'db', zone: 'database' }],
      flows: [{ from: 'internet', to: 'dmz', port: Port.tcp(443) }, { from: 'dmz', to: 'database', port: Port.tcp(5432) }],
    });
    expect([...system.securityServices.keys()]).toEqual(['ips', 'waf', 'dbfw', 'pam']);
    const end = (zone: string, tiers?: readonly string[]) => (tiers ? `${zone}[${tiers.join(',')}]` : zone);
    for (const placement of system.placements) {
      // The flows to the cluster's collection services (log collectors, patch mirror) have their own tests (logging-controls).
      const flows = placement.flows.filter((f) => f.collection === undefined).map((f) => `${end(f.fromZone, f.fromTiers)}->${end(f.to.zone, f.toTiers)} ${f.port}`);
      expect(flows).toEqual([
        'internet->edge[ips] tcp/443',
        'edge[ips]->dmz[waf] tcp/443',
        'dmz[waf]->dmz tcp/443',
        'dmz->database[dbfw] tcp/5432',
        'database[dbfw]->database tcp/5432',
        'management[pam]->edge[ips] tcp/22',
        'management[pam]->dmz[web,waf] tcp/22',
        'management[pam]->database[db,dbfw] tcp/22',
        'management->management[pam] tcp/3080',
      ]);
      expect(placement.computePools.filter((p) => p.securityService).map((p) => `${p.tier}@${p.segment.zone}`)).toEqual(['ips@edge', 'waf@dmz', 'dbfw@database', 'pam@management']);
    }
    // Level 1: only the IPS, administration from the management zone; no security tier name may be taken.
    const small = new InformationSystem(cloud, 'small', { level: 1, primary: 'north', tiers: [{ name: 'app', zone: 'dmz' }], flows: [{ from: 'gov-network', to: 'dmz', port: Port.tcp(443) }] });
    expect(small.placements[0].flows.filter((f) => f.collection === undefined).map((f) => `${end(f.fromZone, f.fromTiers)}->${end(f.to.zone, f.toTiers)} ${f.port}`)).toEqual(['gov-network->edge[ips] tcp/443', 'edge[ips]->dmz tcp/443', 'management->edge[ips] tcp/22', 'management->dmz[app] tcp/22']);
    expect(() => new InformationSystem(cloud, 'clash', { level: 2, primary: 'north', tiers: [{ name: 'waf', zone: 'dmz' }] })).toThrow('test/clash: tiers: "waf": is the name of a security service\'s tier (reserved: ips, waf, dbfw, pam); rename the tier');
  });

  it('validates props with the construct path', () => {
    const { cloud } = threeClusters();
    expect(() => new InformationSystem(cloud, 'x', { level: 7, primary: 'north' })).toThrow('test/x: level: 7: security level must be 1, 2, 3, 4 or 5');
    expect(() => new InformationSystem(cloud, 'y', { level: 2, primary: 'west' })).toThrow('test/y: primary: "west": is not a cluster of this cloud (clusters: north, central, south)');
    expect(() => new InformationSystem(cloud, 'z', { level: 2, primary: 'north', recovery: 'north' })).toThrow('test/z: recovery: "north": is the primary cluster');
    expect(() => new InformationSystem(cloud, 'w', { level: 4, primary: 'north', dedicatedNetworks: { north: '10.10.0.0/21' } })).toThrow('test/w: dedicatedNetworks.north: "10.10.0.0/21": overlaps 10.10.0.0/22 already used in cluster north');
  });

  it('a backup plan rejects a schedule that only looks like cron', () => {
    const { cloud } = threeClusters();
    expect(() => new InformationSystem(cloud, 'b', { level: 3, primary: 'north', backup: { schedule: '99 99 99 99 banana' } })).toThrow(
      'test/b/backup: schedule: "99 99 99 99 banana": is not a valid cron expression: minute "99": 99 is above the field\'s maximum 59',
    );
    expect(new InformationSystem(cloud, 'c', { level: 3, primary: 'north', backup: { schedule: '30 2 * * MON-FRI' } }).backup?.schedule).toBe('30 2 * * MON-FRI');
  });

  it('ports and segments validate their values', () => {
    expect(() => Port.tcpRange(10, 1)).toThrow('invalid tcp port range 10-1');
    expect(Port.udpRange(10000, 20000).toString()).toBe('udp/10000-20000');
    expect(Port.tcp(443).within(Port.tcpRange(1, 1024))).toBe(true);
    expect(Port.tcp(443).within(Port.udp(443))).toBe(false);
    const cloud = new NationalCloud('t');
    const north = new RegionalCluster(cloud, 'north');
    expect(() => new NetworkSegment(north, 'lobby', { cidr: '10.10.200.0/24' })).toThrow('t/north/lobby: zone: "lobby": is not a network zone');
  });
});

describe('buildCloud from the environments', () => {
  it('builds prod: three clusters, six systems, dedicated networks as declared', () => {
    const { env } = loadEnvironment(REPO, 'prod');
    const cloud = buildCloud(env);
    expect(cloud.clusters.map((c) => c.id)).toEqual(['north', 'central', 'south']);
    expect(cloud.systems).toHaveLength(6);
    const population = cloud.system('population-db');
    expect(population.placements.map((p) => p.dedicatedNetwork?.text)).toEqual(['10.10.136.0/21', '10.30.136.0/21']);
    expect(cloud.system('e-document-exchange').placements.every((p) => !p.ownsSegments)).toBe(true);
  });
});
