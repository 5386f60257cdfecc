import { z } from 'zod';
import {
  APPROVER_ROLES,
  ASSESSOR_STANDINGS,
  LEVEL_CRITERIA,
  BACKUP_MEDIA,
  CLASSIFICATIONS,
  DECREE_85_APPROVERS,
  DEFAULT_MAX_APPROVAL_DAYS,
  DEFAULT_PUE_TARGET,
  EXTERNAL_PEERS,
  STAGES,
  TIER_DEFAULTS,
  ZONES,
} from './vocabulary';

/**
 * The typed shape of an environment file (`environments/<env>.ts`). Structural checks live here;
 * the cross-field checks (CIDR overlap, references, duplicates) are in `validate.ts`.
 */

export { CLASSIFICATIONS, EXTERNAL_PEERS, STAGES, ZONES } from './vocabulary';
export type { Classification, ExternalPeer, Stage, Zone } from './vocabulary';

const id = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and dashes, starting with a letter, at most 40 characters');
const cidr = z.string().min(1);
/** YYYY-MM-DD; that it is a real calendar day is checked in validate.ts (this file imports nothing from core/). */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD');

/**
 * A bounded quantity: finite, within [min, max] and a whole number of `step`s, so sizes render as exact
 * Kubernetes and OpenStack quantities (never `Infinitym` or `1e+308Gi`). The message names the bounds.
 */
function quantity(unit: string, min: number, max: number, step: number, stepText = `a whole number of ${unit}`) {
  return z.number().superRefine((value, ctx) => {
    const steps = value / step;
    let message: string | undefined;
    if (value < min) message = `must be at least ${min} ${unit} (allowed: ${min} to ${max})`;
    else if (value > max) message = `must be at most ${max} ${unit} (allowed: ${min} to ${max})`;
    else if (Math.abs(steps - Math.round(steps)) > 1e-6) message = `must be ${stepText}`;
    if (message) ctx.addIssue({ code: 'custom', message, input: value });
  });
}
const port = z.number().int().min(1).max(65535);

export const availabilityZoneSchema = z.strictObject({
  id,
  name: z.string().min(1).optional(),
});

export const regionSchema = z.strictObject({
  id,
  name: z.string().min(1),
  site: z.string().min(1),
  /** A national data-center cluster (data of level 3+ and personal data may live only in these). */
  national: z.boolean().default(true),
  location: z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }),
  /** The OpenStack region name the cluster's API serves. */
  openstackRegion: z.string().min(1).optional(),
  availabilityZones: z.array(availabilityZoneSchema).min(1),
  green: z.strictObject({
    pueTarget: z.number().min(1).max(3).default(DEFAULT_PUE_TARGET),
    /** Measured or designed power usage effectiveness. */
    pue: z.number().min(1).max(3),
    energySource: z.string().min(1),
  }),
  addressPlan: z.strictObject({
    cidr,
    segments: z.partialRecord(z.enum(ZONES), cidr),
  }),
  compute: z
    .strictObject({
      image: z.string().min(1).default('ubuntu-24.04-hardened'),
      externalNetwork: z.string().min(1).default('public'),
      dedicatedHostAggregate: z.string().min(1).default('dedicated'),
    })
    .prefault({}),
});

export const tierSchema = z.strictObject({
  name: id,
  zone: z.enum(ZONES),
  instances: z.number().int().min(1, 'must be at least 1 instance (allowed: 1 to 1000)').max(1000, 'must be at most 1000 instances (allowed: 1 to 1000)'),
  flavor: z.string().min(1),
  volumeGb: quantity('GB', 0, 65536, 1).default(TIER_DEFAULTS.volumeGb),
  /** Kubernetes requests per instance, used for quotas. */
  cpu: quantity('CPUs', 0.001, 512, 0.001, 'a whole number of millicores (0.001 CPU)').default(TIER_DEFAULTS.cpu),
  memoryGb: quantity('GB', 0.125, 8192, 1 / 1024, 'a whole number of MiB (1/1024 GB)').default(TIER_DEFAULTS.memoryGb),
});

export const flowSchema = z.strictObject({
  from: z.union([z.enum(ZONES), z.enum(EXTERNAL_PEERS)]),
  to: z.enum(ZONES),
  protocol: z.enum(['tcp', 'udp', 'icmp']),
  /** A port or an inclusive range `[min, max]`; omitted for icmp. */
  ports: z.union([port, z.tuple([port, port])]).optional(),
  description: z.string().optional(),
});

export const backupCopySchema = z.strictObject({
  region: id,
  medium: z.enum(BACKUP_MEDIA),
  immutable: z.boolean().optional(),
});

export const backupSchema = z.strictObject({
  /** Cron expression in the cluster's time zone. */
  schedule: z.string().min(1),
  retentionDays: quantity('days', 1, 36500, 1),
  rpoHours: z.number().positive().max(8760, 'must be at most 8760 hours (one year)'),
  copies: z.array(backupCopySchema).optional(),
  encrypted: z.boolean().default(true),
});

export const systemSchema = z.strictObject({
  id,
  name: z.string().min(1),
  level: z.number().int('security level must be 1, 2, 3, 4 or 5 (Decree 85/2016/ND-CP)'),
  ownerAgency: z.string().min(1),
  classification: z.enum(CLASSIFICATIONS),
  /** What the system serves that fixes its lowest level (the profile's level floors). */
  levelCriteria: z.array(z.enum(LEVEL_CRITERIA)).default([]),
  personalData: z.boolean().default(false),
  internetFacing: z.boolean().default(false),
  primaryRegion: id,
  recoveryRegion: id.optional(),
  tiers: z.array(tierSchema).min(1),
  flows: z.array(flowSchema).default([]),
  /** Level 4-5: the system's own core network per region (physically separate), cut into one /24 per zone. */
  dedicatedNetworks: z.record(id, cidr).optional(),
  dedicatedHosts: z.boolean().optional(),
  backup: backupSchema.optional(),
  /** Where the system is served from besides the national clusters (the public edge). */
  publicEdge: z.boolean().default(false),
});

export const stateSchema = z.discriminatedUnion('backend', [
  z.strictObject({ backend: z.literal('local') }),
  z.strictObject({
    backend: z.literal('pg'),
    /** PostgreSQL schema holding this environment's Terraform state. */
    schemaName: z.string().regex(/^[a-z_][a-z0-9_]*$/, 'must be a PostgreSQL identifier'),
    /**
     * The environment variable holding the connection string (never the string itself). Never one that
     * holds another credential or setting (ndc's own NDC_*, the engines' and the CI's): deploy hands this
     * variable to tofu as PG_CONN_STR, so naming another would pass that secret to an engine that must not
     * have it (and into its error messages).
     */
    connStrEnv: z
      .string()
      .regex(/^[A-Z_][A-Z0-9_]*$/)
      .refine((name) => !RESERVED_VARIABLE.test(name), { message: "names a variable that holds another credential or setting (one of ndc's own, such as NDC_LEDGER_URL or NDC_EDGE_AWS_SECRET_ACCESS_KEY, or AWS_*, PULUMI_*, KUBECONFIG, TF_*, GITHUB_*, GITLAB_*, CI_*, ACTIONS_*); give the variable holding only the state connection string, e.g. PG_CONN_STR" })
      .default('PG_CONN_STR'),
  }),
]);

/** Variables that hold something else than the Terraform state's connection string: ndc's own, the engines', the CI's. */
const RESERVED_VARIABLE =
  /^(NDC_(ACTOR|BACKUP_|CACHE_|CHANGE_AUTHOR|CLI_|CODE_CACHE|DEBUG|DEPLOY_|EDGE_|ENGINE_|ENV$|FROM_SOURCES|ISOLATE_|KUBERNETES_|LEDGER_|LOCK_|POLICY|REQUIRE_|ROOT|RUNNING|STATE_ACCESS|STATE_SECRET|TF_|TRUST_)|AWS_|PULUMI_|KUBECONFIG$|TF_|GITHUB_|GITLAB_|CI_|ACTIONS_|ARM_|GOOGLE_)/;

const roleList = z.array(z.enum(APPROVER_ROLES)).min(1, 'must name at least one role').readonly();

/** `approvals` in an environment file: the roles each level needs (a role listed twice needs two distinct reviewers). */
export const approvalSettingsSchema = z.strictObject({
  levels: z.strictObject({ '1': roleList, '2': roleList, '3': roleList, '4': roleList, '5': roleList }),
  /** The longest an approval may stay valid, in days, however long `--expires` asks for. */
  maxValidityDays: quantity('days', 1, 366, 1).default(DEFAULT_MAX_APPROVAL_DAYS),
});
export type ApprovalSettings = z.output<typeof approvalSettingsSchema>;
export type ApprovalSettingsInput = z.input<typeof approvalSettingsSchema>;

/** The platform's own id as an information system (stacks/scopes.ts PLATFORM_SCOPE; kept here so environments import no stacks). */
export const PLATFORM_SYSTEM_ID = 'national-cloud-platform';

/**
 * The platform itself as an information system: shared national infrastructure is level 4 (Decree 85/2016
 * art. 10(3)); an environment may set it higher, never lower, and names the agency that owns it.
 */
export const platformSchema = z.strictObject({
  name: z.string().min(1).default('National government cloud platform'),
  owner: z.string().min(1).default('Ministry of Public Security'),
  level: z.number().int().min(4, 'must be at least 4: shared national infrastructure is level 4 (Decree 85/2016 art. 10(3))').max(5).default(4),
});

export const environmentSchema = z.strictObject({
  name: id,
  stage: z.enum(STAGES),
  description: z.string().min(1),
  /** The regulation profile the policy packs evaluate (named and versioned). */
  profile: z.string().min(1).default('vn-2016'),
  /** Date the checks treat as today (reproducible reports); defaults to the current date. */
  asOf: isoDate.optional(),
  state: stateSchema,
  interconnect: z.strictObject({
    /** The national backbone between the clusters, one /INTERCONNECT_BLOCK_PREFIX (/24) per cluster. */
    cidr,
    /** The specialised data network of Party and State agencies. */
    govNetworkCidr: cidr,
    /** Physical links between clusters (level 5 needs at least two between its primary and recovery cluster). */
    links: z.array(z.strictObject({ id, between: z.tuple([id, id]), carrier: z.string().min(1) })).default([]),
  }),
  /** Assessor organisations entitled to assess systems of level 3 and above, with their licence or designation. */
  assessorOrganisations: z
    .array(
      z.strictObject({
        id,
        name: z.string().min(1),
        standing: z.enum(ASSESSOR_STANDINGS),
        /** A professional assessor organisation (the reported 2026 requirement at level 5). */
        professional: z.boolean().default(false),
        licence: z.strictObject({ number: z.string().min(1), issuer: z.string().min(1), validUntil: isoDate }),
      }),
    )
    .default([]),
  regions: z.array(regionSchema).min(1),
  systems: z.array(systemSchema).default([]),
  /** The cluster hosting shared services (SIEM, central logging, bastion / PAM). */
  sharedServicesRegion: id.optional(),
  /** Policy settings (rule enforcement overrides and exceptions); read by the policy engine. */
  policy: z.record(z.string(), z.unknown()).default({}),
  /** The platform as an information system (owner, level): present in every environment, level 4 by default. */
  platform: platformSchema.prefault({}),
  /** Who approves each security level; the decree's table when omitted. */
  approvals: approvalSettingsSchema.prefault({ levels: DECREE_85_APPROVERS }),
  /** Settings read by other layers (kubernetes, public edge), validated there. */
  kubernetes: z.record(z.string(), z.unknown()).optional(),
  edge: z.record(z.string(), z.unknown()).optional(),
});

export type EnvironmentInput = z.input<typeof environmentSchema>;
export type Environment = z.output<typeof environmentSchema>;
export type RegionConfig = Environment['regions'][number];
export type SystemConfig = Environment['systems'][number];
export type TierConfig = SystemConfig['tiers'][number];
export type FlowConfig = SystemConfig['flows'][number];
export type BackupConfig = NonNullable<SystemConfig['backup']>;

/** Environment files written before ./define.ts import it from here (which bundles zod and the schema with them). */
export { defineEnvironment } from './define';
