import type { Zone } from '../environments/vocabulary';
import type { SecurityLevel } from './security-level';

/**
 * The security services on a system's traffic paths (Circular 12/2022/TT-BTTTT, Annex; TCVN 11930:2017),
 * built by the platform itself rather than claimed: each is a tier of the system, in its zone, with its own
 * flows, so the security groups and NetworkPolicies force traffic through it. The software is real and
 * pinned to an exact release; the artifacts carry it (instance metadata and cloud-init), and the rules in
 * policies/controls/ read it back from there.
 */

export type SecurityServiceKind = 'ips' | 'waf' | 'database-firewall' | 'privileged-access';

export interface SecurityService {
  readonly kind: SecurityServiceKind;
  /** The tier the service runs as (reserved: a system's own tiers may not use it). */
  readonly tier: string;
  readonly zone: Zone;
  /** What runs there, with exact versions (also written to the instance metadata). */
  readonly software: string;
  /** The container images the hosts run, pinned to an exact release. */
  readonly images: readonly string[];
  readonly flavor: string;
  /** Data volume per host: alert, audit or recording storage. */
  readonly volumeGb: number;
}

/** Suricata in IPS mode (NFQUEUE) inline on the edge hosts, which forward with nginx's stream proxy (TCP and UDP). */
export const IPS: SecurityService = {
  kind: 'ips',
  tier: 'ips',
  zone: 'edge',
  software: 'Suricata 8.0.1 (IPS mode, NFQUEUE, ET Open rules) + nginx 1.28.0 stream proxy',
  images: ['docker.io/jasonish/suricata:8.0.1', 'docker.io/library/nginx:1.28.0'],
  flavor: 'c4.xlarge',
  volumeGb: 100,
};

/** ModSecurity v3 with the OWASP Core Rule Set 4 on nginx, blocking (paranoia level 2 from level 3). */
export const WAF: SecurityService = {
  kind: 'waf',
  tier: 'waf',
  zone: 'dmz',
  software: 'nginx 1.28.0 + ModSecurity 3.0.14 + OWASP Core Rule Set 4.18.0 (SecRuleEngine On)',
  images: ['docker.io/owasp/modsecurity-crs:4.18.0-nginx-202509070509'],
  flavor: 'c4.large',
  volumeGb: 50,
};

/** AcraServer as the SQL proxy in front of PostgreSQL, AcraCensor as its SQL firewall (deny by default). */
export const DATABASE_FIREWALL: SecurityService = {
  kind: 'database-firewall',
  tier: 'dbfw',
  zone: 'database',
  software: 'Acra 0.96.0 AcraServer SQL proxy with AcraCensor SQL firewall (deny unless allow-listed)',
  images: ['docker.io/cossacklabs/acra-server:0.96.0'],
  flavor: 'c4.large',
  volumeGb: 50,
};

/** Teleport as the jump host: SSH only through its proxy, approved and recorded sessions. */
export const PRIVILEGED_ACCESS: SecurityService = {
  kind: 'privileged-access',
  tier: 'pam',
  zone: 'management',
  software: 'Teleport 17.7.1 (auth, proxy; SSH access with session recording)',
  images: ['public.ecr.aws/gravitational/teleport-distroless:17.7.1'],
  flavor: 'c4.large',
  volumeGb: 200,
};

export const SECURITY_SERVICES: readonly SecurityService[] = [IPS, WAF, DATABASE_FIREWALL, PRIVILEGED_ACCESS];

/** Tier names a system may not give its own tiers. */
export const RESERVED_TIERS: ReadonlySet<string> = new Set(SECURITY_SERVICES.map((s) => s.tier));

/** Where the jump hosts' Teleport proxy listens (web UI, tsh and SSH multiplexed). */
export const PRIVILEGED_ACCESS_PORT = 3080;
/** Where the administered hosts accept SSH (only from the jump hosts). */
export const ADMIN_SSH_PORT = 22;

/**
 * Teleport's recording mode by level. The administered hosts run OpenSSH (no Teleport agent), so the
 * proxy records; from level 4 `proxy-sync`, so a session that cannot be recorded does not start.
 */
export function sessionRecordingFor(level: SecurityLevel): 'proxy' | 'proxy-sync' {
  return level >= 4 ? 'proxy-sync' : 'proxy';
}

/** True when a recording mode guarantees the recording (the session stops when recording fails). */
export const isSynchronousRecording = (mode: string | undefined): boolean => mode === 'node-sync' || mode === 'proxy-sync';

/** From which level each service is built. */
export const SERVICE_FROM_LEVEL: Readonly<Record<SecurityServiceKind, SecurityLevel>> = {
  ips: 1,
  waf: 2,
  'database-firewall': 3,
  'privileged-access': 3,
};
