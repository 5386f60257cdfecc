import type { z } from 'zod';
import { InputError, show } from '../core/errors';
import { contains, firstOverlap, parseCidr, type Cidr } from '../core/cidr';
import { cronProblem } from '../core/cron';
import { environmentSchema, type Environment } from './schema';
import { DEDICATED_NETWORK_PREFIX, DEDICATED_ZONE_PREFIX, isExternalPeer, ZONES } from './vocabulary';

/**
 * Parses and validates a raw environment object. `source` is the file it came from, as the user should
 * see it in errors. Throws an InputError naming file, field path, value and reason; returns the typed,
 * defaulted environment otherwise.
 */
export function validateEnvironment(raw: unknown, source: string): Environment {
  const parsed = environmentSchema.safeParse(raw);
  if (!parsed.success) throw fromZod(parsed.error, raw, source);
  const env = parsed.data;
  new SemanticChecks(env, source).run();
  return env;
}

function fromZod(error: z.ZodError, raw: unknown, source: string): InputError {
  const issue = error.issues[0];
  const path = formatPath(issue.path);
  const value = valueAt(raw, issue.path);
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  let reason = issue.message;
  if (issue.code === 'unrecognized_keys') reason = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => show(k)).join(', ')}`;
  const shown = value === undefined ? 'missing' : show(value);
  return new InputError(`${source}: ${path || '(top level)'}`, `${shown}: ${reason}${more}`);
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cursor: unknown = raw;
  for (const part of path) {
    if (cursor === null || typeof cursor !== 'object') return undefined;
    cursor = (cursor as Record<PropertyKey, unknown>)[part];
  }
  return cursor;
}

interface NamedBlock {
  readonly path: string;
  readonly block: Cidr;
}

class SemanticChecks {
  constructor(
    private readonly env: Environment,
    private readonly source: string,
  ) {}

  run(): void {
    this.uniqueIds();
    this.productionAvailabilityZones();
    const blocks = this.addressPlan();
    this.systems(blocks);
    const shared = this.env.sharedServicesRegion;
    if (shared !== undefined && !this.env.regions.some((r) => r.id === shared)) {
      this.fail('sharedServicesRegion', shared, `is not a region of this environment (regions: ${this.regionIds()})`);
    }
  }

  private fail(path: string, value: unknown, reason: string): never {
    throw new InputError(`${this.source}: ${path}`, `${show(value)}: ${reason}`);
  }

  private regionIds(): string {
    return this.env.regions.map((r) => r.id).join(', ');
  }

  private uniqueIds(): void {
    const seen = new Map<string, string>();
    const once = (kind: string, key: string, path: string, value: string) => {
      const earlier = seen.get(`${kind}:${key}`);
      if (earlier !== undefined) this.fail(path, value, `duplicate ${kind} id (already used at ${earlier})`);
      seen.set(`${kind}:${key}`, path);
    };
    this.env.regions.forEach((region, i) => {
      once('region', region.id, `regions[${i}].id`, region.id);
      region.availabilityZones.forEach((az, j) => once('availability zone', az.id, `regions[${i}].availabilityZones[${j}].id`, az.id));
    });
    this.env.systems.forEach((system, i) => {
      once('system', system.id, `systems[${i}].id`, system.id);
      system.tiers.forEach((tier, j) => once(`tier of ${system.id}`, tier.name, `systems[${i}].tiers[${j}].name`, tier.name));
    });
  }

  /** The number of clusters is policy (rule NDC-TOP-001 and its minClusters); a single cluster's shape is structure. */
  private productionAvailabilityZones(): void {
    const { env } = this;
    if (env.stage !== 'production') return;
    env.regions.forEach((region, i) => {
      if (region.availabilityZones.length < 2) {
        this.fail(`regions[${i}].availabilityZones`, region.availabilityZones.map((a) => a.id), 'a production cluster needs at least two availability zones');
      }
    });
  }

  private cidr(path: string, text: string): Cidr {
    const parsed = parseCidr(text);
    if (typeof parsed === 'string') this.fail(path, text, parsed);
    return parsed;
  }

  /** Every block of the address plan must be valid and overlap no other; segments sit inside their region. */
  private addressPlan(): NamedBlock[] {
    const topLevel: NamedBlock[] = [
      { path: 'interconnect.cidr', block: this.cidr('interconnect.cidr', this.env.interconnect.cidr) },
      { path: 'interconnect.govNetworkCidr', block: this.cidr('interconnect.govNetworkCidr', this.env.interconnect.govNetworkCidr) },
    ];
    const regionBlocks = this.env.regions.map((region, i) => this.cidr(`regions[${i}].addressPlan.cidr`, region.addressPlan.cidr));
    regionBlocks.forEach((block, i) => topLevel.push({ path: `regions[${i}].addressPlan.cidr`, block }));
    // Regions first: a segment outside its region is a consequence of overlapping regions, not the cause.
    noOverlap(topLevel, (a, b) => this.fail(b.path, b.block.text, `overlaps ${a.path} (${a.block.text})`));
    const inner: NamedBlock[] = [];
    this.env.regions.forEach((region, i) => {
      const regionBlock = regionBlocks[i];
      for (const zone of ZONES) {
        const text = region.addressPlan.segments[zone];
        if (text === undefined) continue;
        const path = `regions[${i}].addressPlan.segments.${zone}`;
        const block = this.cidr(path, text);
        if (!contains(regionBlock, block)) this.fail(path, text, `is outside its region's range ${region.addressPlan.cidr}`);
        inner.push({ path, block });
      }
    });
    this.env.systems.forEach((system, i) => {
      for (const [regionId, text] of Object.entries(system.dedicatedNetworks ?? {})) {
        const path = `systems[${i}].dedicatedNetworks.${regionId}`;
        const region = this.env.regions.find((r) => r.id === regionId);
        if (!region) this.fail(path, regionId, `is not a region of this environment (regions: ${this.regionIds()})`);
        const block = this.cidr(path, text);
        if (!contains(this.cidr('', region.addressPlan.cidr), block)) this.fail(path, text, `is outside its region's range ${region.addressPlan.cidr}`);
        if (block.prefix > DEDICATED_NETWORK_PREFIX) {
          this.fail(path, text, `is too small: a dedicated network is cut into one /${DEDICATED_ZONE_PREFIX} per zone and needs a /${DEDICATED_NETWORK_PREFIX} or larger`);
        }
        inner.push({ path, block });
      }
    });
    noOverlap(inner, (a, b) => this.fail(b.path, b.block.text, `overlaps ${a.path} (${a.block.text})`));
    return [...topLevel, ...inner];
  }

  private systems(_blocks: NamedBlock[]): void {
    const regions = new Map(this.env.regions.map((r) => [r.id, r]));
    this.env.systems.forEach((system, i) => {
      const at = `systems[${i}]`;
      if (system.level < 1 || system.level > 5) this.fail(`${at}.level`, system.level, 'security level must be 1, 2, 3, 4 or 5 (Decree 85/2016/ND-CP)');
      const primary = regions.get(system.primaryRegion);
      if (!primary) this.fail(`${at}.primaryRegion`, system.primaryRegion, `is not a region of this environment (regions: ${this.regionIds()})`);
      if (system.recoveryRegion !== undefined) {
        if (!regions.has(system.recoveryRegion)) this.fail(`${at}.recoveryRegion`, system.recoveryRegion, `is not a region of this environment (regions: ${this.regionIds()})`);
        if (system.recoveryRegion === system.primaryRegion) this.fail(`${at}.recoveryRegion`, system.recoveryRegion, 'is the same as primaryRegion; recovery must be in another regional cluster');
      }
      const hosting = [primary, ...(system.recoveryRegion ? [regions.get(system.recoveryRegion)!] : [])];
      const zoneAvailable = (zone: string) => hosting.every((r) => r.addressPlan.segments[zone as keyof typeof r.addressPlan.segments] !== undefined || system.dedicatedNetworks?.[r.id] !== undefined);
      system.tiers.forEach((tier, j) => {
        if (!zoneAvailable(tier.zone)) {
          this.fail(`${at}.tiers[${j}].zone`, tier.zone, `unknown segment: region ${hosting.find((r) => r.addressPlan.segments[tier.zone] === undefined)?.id} has no ${tier.zone} segment in its address plan`);
        }
      });
      system.flows.forEach((flow, j) => {
        for (const end of ['from', 'to'] as const) {
          const zone = flow[end];
          if (isExternalPeer(zone)) continue;
          if (!zoneAvailable(zone)) this.fail(`${at}.flows[${j}].${end}`, zone, `unknown segment: region ${system.primaryRegion} has no ${zone} segment in its address plan`);
        }
        if (flow.protocol !== 'icmp' && flow.ports === undefined) this.fail(`${at}.flows[${j}].ports`, flow.ports, `a ${flow.protocol} flow must name its port or port range`);
        if (Array.isArray(flow.ports) && flow.ports[0] > flow.ports[1]) this.fail(`${at}.flows[${j}].ports`, flow.ports, 'range start is above its end');
      });
      const schedule = system.backup?.schedule;
      const scheduleProblem = schedule === undefined ? undefined : cronProblem(schedule);
      if (scheduleProblem) this.fail(`${at}.backup.schedule`, schedule, scheduleProblem);
      system.backup?.copies?.forEach((copy, j) => {
        if (!regions.has(copy.region)) this.fail(`${at}.backup.copies[${j}].region`, copy.region, `is not a region of this environment (regions: ${this.regionIds()})`);
      });
    });
  }
}

function noOverlap(blocks: NamedBlock[], onOverlap: (a: NamedBlock, b: NamedBlock) => void): void {
  const pair = firstOverlap(blocks, (b) => b.block);
  if (pair) onOverlap(pair[0], pair[1]);
}
