/**
 * Generated national clouds for benchmarks: three national clusters with `systemsPerRegion` information
 * systems whose primary is each cluster, at mixed security levels (dedicated networks for levels 4-5),
 * with tiers, flows and backups like the real ones. The result validates like an environment file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecurityLevel } from '../constructs/security-level';
import { evidenceDir, PLATFORM_SYSTEM, type EvidenceKind, type LoadedEvidenceRecord } from '../environments/evidence';
import type { EnvironmentInput } from '../environments/schema';
import { PROFILES, VN_2016 } from '../policies/profiles';
import { formatAddress, mustParseCidr, subdivide } from '../core/cidr';
import { DEDICATED_NETWORK_PREFIX, DEFAULT_PUE_TARGET, NATIONAL_SITES, ZONES } from '../environments/vocabulary';
import { nationalLinks } from '../environments/shared/national';

type RegionInput = EnvironmentInput['regions'][number];
type SystemInput = NonNullable<EnvironmentInput['systems']>[number];

const SITES = (['north', 'central', 'south'] as const).map((id) => ({ id, ...NATIONAL_SITES[id] }));
/** Level of the i-th system: mostly 2-3, one in five at level 4-5. */
const LEVELS = [2, 3, 3, 4, 2, 3, 1, 3, 5, 2] as const;

export function generateEnvironment(systemsPerRegion: number, name = 'generated'): EnvironmentInput {
  // One /10 per cluster: /18 shared segments at the start, dedicated networks in the upper half.
  const blocks = SITES.map((_, i) => mustParseCidr(`10.${64 * (i + 1)}.0.0/10`));
  const regions: RegionInput[] = SITES.map((site, i) => ({
    id: site.id,
    name: site.name,
    site: `${site.name} national data-center cluster`,
    location: { ...site.location },
    availabilityZones: [{ id: `${site.id}-a` }, { id: `${site.id}-b` }, { id: `${site.id}-c` }],
    green: { pueTarget: DEFAULT_PUE_TARGET, pue: 1.35, energySource: 'grid with solar power purchase agreement' },
    addressPlan: {
      cidr: blocks[i].text,
      segments: Object.fromEntries(ZONES.map((zone, z) => [zone, subdivide(blocks[i], 18, z).text])),
    },
  }));
  const nextDedicated = blocks.map(() => 0);
  const dedicated = (regionIndex: number): string => {
    const upper = mustParseCidr(`${formatAddress(blocks[regionIndex].first + 2 ** 21)}/11`);
    return subdivide(upper, DEDICATED_NETWORK_PREFIX, nextDedicated[regionIndex]++).text;
  };
  const systems: SystemInput[] = [];
  for (let n = 0; n < systemsPerRegion; n++) {
    SITES.forEach((site, r) => {
      const level = LEVELS[(n * 3 + r) % LEVELS.length];
      const recovery = (r + 1 + (n % 2)) % SITES.length;
      const id = `${site.id}-system-${n}`;
      const needsRecovery = level >= 3;
      systems.push({
        id,
        name: `Generated system ${n} (${site.name})`,
        level,
        ownerAgency: `Agency ${n % 17}`,
        classification: level >= 4 ? 'confidential' : level === 1 ? 'public' : 'internal',
        personalData: n % 4 === 0,
        internetFacing: level <= 2,
        primaryRegion: site.id,
        recoveryRegion: needsRecovery ? SITES[recovery].id : undefined,
        dedicatedNetworks: level >= 4 ? { [site.id]: dedicated(r), [SITES[recovery].id]: dedicated(recovery) } : undefined,
        tiers: [
          { name: 'web', zone: 'dmz', instances: 2, flavor: 'c4.large', volumeGb: 0 },
          { name: 'app', zone: 'internal-server', instances: 2, flavor: 'c4.xlarge', volumeGb: 50 },
          { name: 'db', zone: 'database', instances: 2, flavor: 'm4.xlarge', volumeGb: 200 },
        ],
        // The DMZ reaches the database only through the application tier (NDC-SEG-003).
        flows: [
          { from: level <= 2 ? 'internet' : 'gov-network', to: 'dmz', protocol: 'tcp', ports: 443 },
          { from: 'dmz', to: 'internal-server', protocol: 'tcp', ports: 8443 },
          { from: 'internal-server', to: 'database', protocol: 'tcp', ports: 5432 },
        ],
        backup: {
          // RPO within the level's bound (NDC-BAK-004): 1 h at level 5, 4 h at level 4, a day below.
          schedule: level >= 5 ? '0 * * * *' : level === 4 ? '0 */4 * * *' : '0 1 * * *',
          retentionDays: level >= 4 ? 365 : 90,
          rpoHours: level >= 5 ? 1 : level === 4 ? 4 : 24,
          copies: [
            { region: SITES[recovery].id, medium: 'object', immutable: level >= 4 },
            { region: SITES[(recovery + 1) % 3 === r ? (recovery + 2) % 3 : (recovery + 1) % 3].id, medium: 'disk', immutable: level >= 4 },
          ],
        },
      });
    });
  }
  return {
    name,
    stage: 'production',
    description: `Generated national cloud, ${systemsPerRegion} systems per region`,
    state: { backend: 'pg', schemaName: 'ndc_generated' },
    // Two links per pair of clusters (level 5's recovery links, NDC-LVL-007) and the one assessor all systems name (NDC-LVL-010).
    interconnect: { cidr: '10.0.0.0/16', govNetworkCidr: '172.16.0.0/12', links: nationalLinks() },
    assessorOrganisations: [{ id: 'generated-assessor', name: 'Generated assessor', standing: 'licensed', professional: true, licence: { number: 'GEN-1', issuer: 'Generated issuer', validUntil: '2030-12-31' } }],
    regions,
    systems,
    sharedServicesRegion: 'north',
  };
}

/** The day every generated evidence record was performed: recent enough for every interval on 2026-11-27. */
const GENERATED_EVIDENCE_DAY = '2026-10-15';

/**
 * A passing evidence record of every kind each generated system's level has an interval for (what
 * evidence/<env>/ would hold), valid for a year.
 */
export function generatedEvidence(env: EnvironmentInput): LoadedEvidenceRecord[] {
  const records: LoadedEvidenceRecord[] = [];
  for (const system of env.systems ?? []) {
    for (const [kind, levels] of Object.entries(PROFILES[VN_2016].intervals) as [EvidenceKind, Partial<Record<SecurityLevel, unknown>>][]) {
      if (levels[system.level as SecurityLevel] === undefined) continue;
      const file = `${system.id}-${kind}.json`;
      records.push({
        kind,
        system: system.id,
        performed: GENERATED_EVIDENCE_DAY,
        by: 'Generated assessor',
        result: 'pass',
        document: { sha256: '0'.repeat(64) },
        validUntil: '2027-10-15',
        source: `${evidenceDir(env.name)}/${file}`,
      });
    }
  }
  // The platform's attested controls, which cover every system it hosts: the 24/7 monitoring contract,
  // the administration VPN, upstream DDoS scrubbing and the redundant core network.
  for (const kind of ['monitoring-contract', 'admin-vpn', 'ddos-protection', 'core-redundancy'] as const) {
    records.push({
      kind,
      system: PLATFORM_SYSTEM,
      performed: GENERATED_EVIDENCE_DAY,
      by: 'Generated platform operations',
      result: 'pass',
      document: { sha256: '0'.repeat(64) },
      validUntil: '2027-10-15',
      source: `${evidenceDir(env.name)}/${PLATFORM_SYSTEM}-${kind}.json`,
    });
  }
  return records;
}

/** Writes the generated evidence records of `env` into a project root, one file each. */
export function writeGeneratedEvidence(root: string, env: EnvironmentInput): void {
  mkdirSync(join(root, evidenceDir(env.name)), { recursive: true });
  for (const { source, ...record } of generatedEvidence(env)) writeFileSync(join(root, source), `${JSON.stringify(record, null, 2)}\n`);
}
