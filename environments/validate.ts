import type { z } from 'zod';
import { InputError, show, throwProblems } from '../core/errors';
import { contains, overlappingPairs, overlaps, parseCidr, type Cidr } from '../core/cidr';
import { cronProblem } from '../core/cron';
import { calendarDateProblem } from '../core/dates';
import { environmentSchema, type Environment, type RegionConfig } from './schema';
import { DEDICATED_NETWORK_PREFIX, DEDICATED_ZONE_PREFIX, isExternalPeer, ZONES, type Zone } from './vocabulary';

/**
 * Parses and validates a raw environment object. `source` is the file it came from, as the user should
 * see it in errors. Throws an InputError naming file, field path, value and reason (an InputProblems
 * listing every problem when there are several); returns the typed, defaulted environment otherwise.
 * `expectedName` is the file's environment name, which `name` must equal.
 */
export function validateEnvironment(raw: unknown, source: string, expectedName?: string): Environment {
  const parsed = environmentSchema.safeParse(raw);
  const problems: InputError[] = [];
  const rawName = raw !== null && typeof raw === 'object' ? (raw as { name?: unknown }).name : undefined;
  if (expectedName !== undefined && typeof rawName === 'string' && rawName !== expectedName) {
    problems.push(new InputError(`${source}: name`, `${show(rawName)}: must equal the file name ${show(expectedName)}`));
  }
  if (!parsed.success) {
    problems.push(...parsed.error.issues.map((issue) => fromZodIssue(issue, raw, source)));
    throwProblems(problems);
  }
  const env = parsed.data!;
  problems.push(...new SemanticChecks(env, source).run());
  throwProblems(problems);
  return env;
}

function fromZodIssue(issue: z.core.$ZodIssue, raw: unknown, source: string): InputError {
  const path = formatPath(issue.path);
  const value = valueAt(raw, issue.path);
  let reason = issue.message;
  if (issue.code === 'unrecognized_keys') reason = `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => show(k)).join(', ')}`;
  const shown = value === undefined ? 'missing' : show(value);
  return new InputError(`${source}: ${path || '(top level)'}`, `${shown}: ${reason}`);
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
  private readonly problems: InputError[] = [];

  constructor(
    private readonly env: Environment,
    private readonly source: string,
  ) {}

  /** Every problem, in the order of the file's sections. */
  run(): InputError[] {
    this.uniqueIds();
    this.calendarDates();
    this.productionAvailabilityZones();
    const blocks = this.addressPlan();
    this.podNetworks(blocks);
    this.systems();
    this.linksAndAssessors();
    const shared = this.env.sharedServicesRegion;
    if (shared !== undefined && !this.env.regions.some((r) => r.id === shared)) {
      this.problem('sharedServicesRegion', shared, `is not a region of this environment (regions: ${this.regionIds()})`);
    }
    return this.problems;
  }

  /** Interconnect links join two different clusters of the environment; ids are unique; licence dates are real days. */
  private linksAndAssessors(): void {
    const links = new Set<string>();
    this.env.interconnect.links.forEach((link, i) => {
      const at = `interconnect.links[${i}]`;
      if (links.has(link.id)) this.problem(`${at}.id`, link.id, 'duplicate link id');
      links.add(link.id);
      link.between.forEach((end, j) => {
        if (!this.env.regions.some((r) => r.id === end)) this.problem(`${at}.between[${j}]`, end, `is not a region of this environment (regions: ${this.regionIds()})`);
      });
      if (link.between[0] === link.between[1]) this.problem(`${at}.between`, link.between, 'a link joins two different clusters');
    });
    const assessors = new Set<string>();
    this.env.assessorOrganisations.forEach((org, i) => {
      if (assessors.has(org.id)) this.problem(`assessorOrganisations[${i}].id`, org.id, 'duplicate assessor organisation id');
      assessors.add(org.id);
      const problem = calendarDateProblem(org.licence.validUntil);
      if (problem) this.problem(`assessorOrganisations[${i}].licence.validUntil`, org.licence.validUntil, problem);
    });
  }

  private problem(path: string, value: unknown, reason: string): void {
    this.problems.push(new InputError(`${this.source}: ${path}`, `${show(value)}: ${reason}`));
  }

  private regionIds(): string {
    return this.env.regions.map((r) => r.id).join(', ');
  }

  private uniqueIds(): void {
    const seen = new Map<string, string>();
    const once = (kind: string, key: string, path: string, value: string) => {
      const earlier = seen.get(`${kind}:${key}`);
      if (earlier !== undefined) this.problem(path, value, `duplicate ${kind} id (already used at ${earlier})`);
      else seen.set(`${kind}:${key}`, path);
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

  /** Dates are read by rules' date arithmetic: `2026-13-45` is refused here rather than failing there. */
  private calendarDates(): void {
    const dates: Array<[string, string | undefined]> = [['asOf', this.env.asOf]];
    for (const [path, text] of dates) {
      const problem = text === undefined ? undefined : calendarDateProblem(text);
      if (problem) this.problem(path, text, problem);
    }
  }

  /** The number of clusters is policy (rule NDC-TOP-001 and its minClusters); a single cluster's shape is structure. */
  private productionAvailabilityZones(): void {
    const { env } = this;
    if (env.stage !== 'production') return;
    env.regions.forEach((region, i) => {
      if (region.availabilityZones.length < 2) {
        this.problem(`regions[${i}].availabilityZones`, region.availabilityZones.map((a) => a.id), 'a production cluster needs at least two availability zones');
      }
    });
  }

  private cidr(path: string, text: string): Cidr | undefined {
    const parsed = parseCidr(text);
    if (typeof parsed !== 'string') return parsed;
    this.problem(path, text, parsed);
    return undefined;
  }

  private named(path: string, text: string): NamedBlock[] {
    const block = this.cidr(path, text);
    return block ? [{ path, block }] : [];
  }

  private reportOverlaps(blocks: readonly NamedBlock[]): number {
    const pairs = overlappingPairs(blocks, (b) => b.block);
    for (const [a, b] of pairs) this.problem(b.path, b.block.text, `overlaps ${a.path} (${a.block.text})`);
    return pairs.length;
  }

  /** Every block of the address plan must be valid and overlap no other; segments sit inside their region. */
  private addressPlan(): NamedBlock[] {
    const topLevel: NamedBlock[] = [...this.named('interconnect.cidr', this.env.interconnect.cidr), ...this.named('interconnect.govNetworkCidr', this.env.interconnect.govNetworkCidr)];
    const regionBlocks = this.env.regions.map((region, i) => this.cidr(`regions[${i}].addressPlan.cidr`, region.addressPlan.cidr));
    regionBlocks.forEach((block, i) => block && topLevel.push({ path: `regions[${i}].addressPlan.cidr`, block }));
    // Regions first: segments overlapping across overlapping regions are a consequence, not a cause of their own.
    const topLevelOverlaps = this.reportOverlaps(topLevel);
    const inner: NamedBlock[] = [];
    this.env.regions.forEach((region, i) => {
      const regionBlock = regionBlocks[i];
      for (const zone of ZONES) {
        const text = region.addressPlan.segments[zone];
        if (text === undefined) continue;
        const path = `regions[${i}].addressPlan.segments.${zone}`;
        const block = this.cidr(path, text);
        if (!block) continue;
        // A block outside its region is reported once, as that; its overlaps elsewhere follow from it.
        if (regionBlock && !contains(regionBlock, block)) this.problem(path, text, `is outside its region's range ${region.addressPlan.cidr}`);
        else inner.push({ path, block });
      }
    });
    this.env.systems.forEach((system, i) => {
      for (const [regionId, text] of Object.entries(system.dedicatedNetworks ?? {})) {
        const path = `systems[${i}].dedicatedNetworks.${regionId}`;
        const regionIndex = this.env.regions.findIndex((r) => r.id === regionId);
        if (regionIndex < 0) {
          this.problem(path, regionId, `is not a region of this environment (regions: ${this.regionIds()})`);
          continue;
        }
        const block = this.cidr(path, text);
        if (!block) continue;
        const regionBlock = regionBlocks[regionIndex];
        const outside = regionBlock !== undefined && !contains(regionBlock, block);
        if (outside) this.problem(path, text, `is outside its region's range ${this.env.regions[regionIndex].addressPlan.cidr}`);
        if (block.prefix > DEDICATED_NETWORK_PREFIX) {
          this.problem(path, text, `is too small: a dedicated network is cut into one /${DEDICATED_ZONE_PREFIX} per zone and needs a /${DEDICATED_NETWORK_PREFIX} or larger`);
        }
        if (!outside) inner.push({ path, block });
      }
    });
    if (topLevelOverlaps === 0) this.reportOverlaps(inner);
    return topLevel;
  }

  /**
   * `kubernetes.podNetworks` (region id -> CIDR; the rest of the block is the Kubernetes layer's): a pod
   * range shared with another cluster, the backbone, the government network or any cluster's range would
   * make NetworkPolicies and routes match the wrong addresses, so each must be disjoint from all of them.
   */
  private podNetworks(topLevel: readonly NamedBlock[]): void {
    const settings = this.env.kubernetes?.podNetworks;
    if (settings === null || typeof settings !== 'object' || Array.isArray(settings)) return;
    const pods: NamedBlock[] = [];
    for (const [regionId, text] of Object.entries(settings as Record<string, unknown>)) {
      const path = `kubernetes.podNetworks.${regionId}`;
      if (!this.env.regions.some((r) => r.id === regionId)) this.problem(path, regionId, `is not a region of this environment (regions: ${this.regionIds()})`);
      if (typeof text !== 'string') {
        this.problem(path, text, 'must be a CIDR block as a string');
        continue;
      }
      pods.push(...this.named(path, text));
    }
    pods.forEach((pod, i) => {
      const clashes = [...topLevel, ...pods.slice(0, i)].filter((other) => overlaps(other.block, pod.block));
      if (clashes.length > 0) this.problem(pod.path, pod.block.text, `overlaps ${clashes.map((c) => `${c.path} (${c.block.text})`).join(' and ')}; each cluster's pods need a range of their own`);
    });
  }

  private systems(): void {
    const regions = new Map(this.env.regions.map((r) => [r.id, r]));
    this.env.systems.forEach((system, i) => {
      const at = `systems[${i}]`;
      if (system.level < 1 || system.level > 5) this.problem(`${at}.level`, system.level, 'security level must be 1, 2, 3, 4 or 5 (Decree 85/2016/ND-CP)');
      const primary = regions.get(system.primaryRegion);
      if (!primary) this.problem(`${at}.primaryRegion`, system.primaryRegion, `is not a region of this environment (regions: ${this.regionIds()})`);
      const recovery = system.recoveryRegion === undefined ? undefined : regions.get(system.recoveryRegion);
      if (system.recoveryRegion !== undefined) {
        if (!recovery) this.problem(`${at}.recoveryRegion`, system.recoveryRegion, `is not a region of this environment (regions: ${this.regionIds()})`);
        if (system.recoveryRegion === system.primaryRegion) this.problem(`${at}.recoveryRegion`, system.recoveryRegion, 'is the same as primaryRegion; recovery must be in another regional cluster');
      }
      const hosting = [primary, recovery].filter((r): r is RegionConfig => r !== undefined);
      const missingZone = (zone: string) => hosting.find((r) => r.addressPlan.segments[zone as Zone] === undefined && system.dedicatedNetworks?.[r.id] === undefined);
      system.tiers.forEach((tier, j) => {
        const region = missingZone(tier.zone);
        if (region) this.problem(`${at}.tiers[${j}].zone`, tier.zone, `unknown segment: region ${region.id} has no ${tier.zone} segment in its address plan`);
      });
      system.flows.forEach((flow, j) => {
        for (const end of ['from', 'to'] as const) {
          const zone = flow[end];
          if (isExternalPeer(zone)) continue;
          const region = missingZone(zone);
          if (region) this.problem(`${at}.flows[${j}].${end}`, zone, `unknown segment: region ${region.id} has no ${zone} segment in its address plan`);
        }
        if (flow.protocol !== 'icmp' && flow.ports === undefined) this.problem(`${at}.flows[${j}].ports`, flow.ports, `a ${flow.protocol} flow must name its port or port range`);
        if (Array.isArray(flow.ports) && flow.ports[0] > flow.ports[1]) this.problem(`${at}.flows[${j}].ports`, flow.ports, 'range start is above its end');
      });
      const schedule = system.backup?.schedule;
      const scheduleProblem = schedule === undefined ? undefined : cronProblem(schedule);
      if (scheduleProblem) this.problem(`${at}.backup.schedule`, schedule, scheduleProblem);
      system.backup?.copies?.forEach((copy, j) => {
        if (!regions.has(copy.region)) this.problem(`${at}.backup.copies[${j}].region`, copy.region, `is not a region of this environment (regions: ${this.regionIds()})`);
      });
    });
  }
}
