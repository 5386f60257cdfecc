import { hostAddress, subdivide } from '../../core/cidr';
import { LOG_FORWARD_PORT, SECURITY_SOFTWARE, SIEM_PORT, type CollectionService, type InformationSystem, type NationalCloud, type RegionalCluster } from '../../constructs';
import { INTERCONNECT_BLOCK_PREFIX } from '../../environments/vocabulary';
import { SHARED_SERVICES_BLOCK } from './backbone';

/**
 * The agent configuration the Terraform stacks put on instances as cloud-init user data: what makes log
 * shipping, anti-malware and central patching real on every instance, and what the collectors do with the
 * logs. Plain text, no engine types, so the rules read the same functions' constants. Deterministic: the
 * addresses are the services' fixed ones, nothing depends on time or order of creation.
 */

/** Instances of the SIEM (OpenSearch) in the shared-services network of the national core. */
export const SIEM_INSTANCES = 3;

/** The SIEM's fixed addresses: hosts 10-12 of the shared-services network. */
export function siemAddresses(cloud: NationalCloud): string[] {
  const block = subdivide(cloud.interconnect, INTERCONNECT_BLOCK_PREFIX, SHARED_SERVICES_BLOCK);
  return Array.from({ length: SIEM_INSTANCES }, (_, n) => hostAddress(block, 10 + n));
}

/** The shared-services network's range, where the SIEM runs. */
export function sharedServicesRange(cloud: NationalCloud): string {
  return subdivide(cloud.interconnect, INTERCONNECT_BLOCK_PREFIX, SHARED_SERVICES_BLOCK).text;
}

/** The tag Fluent Bit gives a system's records, which the collectors route on. */
export const logTag = (systemId: string, tier: string): string => `system.${systemId}.${tier}`;

/** The bucket holding a system's logs, in the backup vault of its primary cluster. */
export const logBucketName = (envName: string, systemId: string): string => `ndc-${envName}-${systemId}-logs`;

/** Tag value marking a system's log bucket (`ndc-purpose`), which the logging rule looks for. */
export const LOG_BUCKET_PURPOSE = 'logs';

/** ClamAV's signatures come from the patch mirror (cvdupdate's layout under /clamav). */
export const CLAMAV_MIRROR_PATH = '/clamav';

/**
 * The national mirror republishes the vendors' repositories (Fluent Bit, fluent-package) next to Ubuntu's,
 * signed with its own key, which the hardened image carries: one trust anchor for every package source.
 */
export const MIRROR_KEYRING = '/usr/share/keyrings/ndc-national-mirror.gpg';

const indent = (text: string, spaces: number) => text.split('\n').map((line) => (line ? ' '.repeat(spaces) + line : line)).join('\n');

/** Fluent Bit's configuration on an instance: the journal and /var/log, tagged with system and tier, forwarded over TLS to the collectors. */
export function fluentBitConfig(collector: CollectionService, systemId: string, tier: string): { main: string; upstream: string } {
  const tag = logTag(systemId, tier);
  const main = [
    '[SERVICE]',
    '    flush        5',
    '    storage.path /var/lib/fluent-bit/buffer',
    '[INPUT]',
    '    name         systemd',
    `    tag          ${tag}.journal`,
    '    storage.type filesystem',
    '[INPUT]',
    '    name         tail',
    '    path         /var/log/*.log,/var/log/clamav/*.log',
    `    tag          ${tag}.files`,
    '    storage.type filesystem',
    '[OUTPUT]',
    '    name         forward',
    '    match        system.*',
    '    upstream     /etc/fluent-bit/collectors.conf',
    '    tls          on',
    '    tls.verify   on',
    '    retry_limit  no_limits',
    '',
  ].join('\n');
  const upstream = [
    '[UPSTREAM]',
    '    name collectors',
    ...collector.addresses.flatMap((address, n) => ['[NODE]', `    name collector-${n}`, `    host ${address}`, `    port ${collector.port.from ?? LOG_FORWARD_PORT}`]),
    '',
  ].join('\n');
  return { main, upstream };
}

/**
 * The cloud-init user data of a system instance: the cluster's patch mirror as its only package source,
 * unattended-upgrades applying security updates daily, ClamAV (daemon with on-access scanning, signatures
 * from the mirror), and Fluent Bit shipping the journal and logs to the cluster's collectors.
 */
export function instanceUserData(cluster: RegionalCluster, system: InformationSystem, tier: string): string {
  const collector = cluster.logCollector;
  const mirror = cluster.collectionServices.find((s) => s.purpose === 'patches');
  if (!collector || !mirror) throw new Error(`internal: cluster ${cluster.id} has no management zone for its collectors`);
  const mirrorUrl = `http://${mirror.addresses[0]}`;
  const fluentBit = fluentBitConfig(collector, system.id, tier);
  const freshclam = [
    'DatabaseOwner clamav',
    'UpdateLogFile /var/log/clamav/freshclam.log',
    ...mirror.addresses.map((address) => `PrivateMirror http://${address}${CLAMAV_MIRROR_PATH}`),
    'Checks 24',
    '',
  ].join('\n');
  const clamd = ['LocalSocket /var/run/clamav/clamd.ctl', 'LogFile /var/log/clamav/clamav.log', 'OnAccessIncludePath /home', 'OnAccessIncludePath /srv', 'OnAccessIncludePath /tmp', 'OnAccessExcludeUname clamav', 'OnAccessPrevention yes', ''].join('\n');
  // Terraform interpolates `${...}` in any string; `$${` is its escape for apt's own `${distro_id}` variables.
  const upgrades = ['Unattended-Upgrade::Allowed-Origins { "$${distro_id}:$${distro_codename}-security"; "$${distro_id}ESMApps:$${distro_codename}-apps-security"; };', 'Unattended-Upgrade::Automatic-Reboot "false";', 'APT::Periodic::Update-Package-Lists "1";', 'APT::Periodic::Unattended-Upgrade "1";', ''].join('\n');
  const lines = [
    '#cloud-config',
    `# ndc ${system.id}/${tier} in ${cluster.id}: patches from the cluster mirror (${SECURITY_SOFTWARE.patching.product}), ${SECURITY_SOFTWARE.antiMalware.product}, logs by ${SECURITY_SOFTWARE.logAgent.product} ${SECURITY_SOFTWARE.logAgent.version} to the collectors.`,
    'apt:',
    '  preserve_sources_list: false',
    '  primary:',
    '    - arches: [default]',
    `      uri: ${mirrorUrl}/ubuntu`,
    '  security:',
    '    - arches: [default]',
    `      uri: ${mirrorUrl}/ubuntu`,
    '  sources:',
    '    fluent-bit:',
    `      source: deb [signed-by=${MIRROR_KEYRING}] ${mirrorUrl}/fluent-bit/ubuntu/noble noble main`,
    'package_update: true',
    'package_upgrade: true',
    'packages:',
    ...SECURITY_SOFTWARE.patching.packages.map((p) => `  - ${p}`),
    ...SECURITY_SOFTWARE.antiMalware.packages.map((p) => `  - ${p}`),
    `  - [${SECURITY_SOFTWARE.logAgent.package}, ${SECURITY_SOFTWARE.logAgent.version}]`,
    'write_files:',
    '  - path: /etc/apt/apt.conf.d/52ndc-unattended-upgrades',
    '    content: |',
    indent(upgrades, 6),
    '  - path: /etc/clamav/freshclam.conf',
    '    content: |',
    indent(freshclam, 6),
    '  - path: /etc/clamav/clamd.conf.d/ndc-on-access.conf',
    '    content: |',
    indent(clamd, 6),
    '  - path: /etc/fluent-bit/fluent-bit.conf',
    '    content: |',
    indent(fluentBit.main, 6),
    '  - path: /etc/fluent-bit/collectors.conf',
    '    content: |',
    indent(fluentBit.upstream, 6),
    'runcmd:',
    '  - [systemctl, enable, --now, unattended-upgrades, clamav-freshclam, clamav-daemon, clamav-clamonacc, fluent-bit]',
    '',
  ];
  return lines.join('\n');
}

/** The object store endpoint of a cluster's vault as the collectors' S3 output names it. */
export const vaultUrl = (cluster: RegionalCluster): string => `https://${cluster.backupVault.endpoint}`;

/**
 * Fluentd's configuration on a cluster's collectors: the forward input over TLS, then per system placed in
 * the cluster one match on its tag that archives to its log bucket (S3 output to its vault) and, for level 3
 * and up, also forwards to the SIEM (OpenSearch output). A system with no match here is not collected.
 */
export function collectorConfig(cloud: NationalCloud, cluster: RegionalCluster, systems: readonly InformationSystem[]): string {
  const collector = cluster.logCollector!;
  const siem = siemAddresses(cloud);
  const out = [
    '<system>',
    '  workers 4',
    '</system>',
    '<source>',
    '  @type forward',
    `  port ${collector.port.from ?? LOG_FORWARD_PORT}`,
    '  bind 0.0.0.0',
    '  <transport tls>',
    '    cert_path /etc/fluent/tls/collector.crt',
    '    private_key_path /etc/fluent/tls/collector.key',
    '  </transport>',
    '</source>',
  ];
  for (const system of systems) {
    const archive = system.logArchive;
    out.push(`<match system.${system.id}.**>`, '  @type copy');
    out.push(
      '  <store>',
      '    @type s3',
      `    s3_bucket ${logBucketName(cloud.envName, system.id)}`,
      `    s3_endpoint ${vaultUrl(archive.cluster)}`,
      `    s3_region ${archive.cluster.id}`,
      '    force_path_style true',
      `    path ${cluster.id}/%Y/%m/%d/`,
      '    <buffer tag,time>',
      '      @type file',
      `      path /var/lib/fluent/buffer/${system.id}`,
      '      timekey 3600',
      '    </buffer>',
      '  </store>',
    );
    if (system.level >= 3) {
      out.push(
        '  <store>',
        '    @type opensearch',
        `    hosts ${siem.map((a) => `https://${a}:${SIEM_PORT}`).join(',')}`,
        `    index_name ndc-${system.id}`,
        '    ssl_verify true',
        '    <buffer>',
        '      @type file',
        `      path /var/lib/fluent/buffer/${system.id}-siem`,
        '    </buffer>',
        '  </store>',
      );
    }
    out.push('</match>');
  }
  return out.join('\n') + '\n';
}

/** The collectors' cloud-init: fluent-package from the mirror, its S3 and OpenSearch plugins, the configuration above. */
export function collectorUserData(cloud: NationalCloud, cluster: RegionalCluster, systems: readonly InformationSystem[]): string {
  const mirror = cluster.collectionServices.find((s) => s.purpose === 'patches')!;
  return [
    '#cloud-config',
    `# ndc log collector of ${cluster.id}: ${SECURITY_SOFTWARE.logCollector.product} ${SECURITY_SOFTWARE.logCollector.version}, archive to the vaults' log buckets, level 3+ to the SIEM (${SECURITY_SOFTWARE.siem.product} ${SECURITY_SOFTWARE.siem.version}).`,
    'apt:',
    '  preserve_sources_list: false',
    '  primary:',
    '    - arches: [default]',
    `      uri: http://${mirror.addresses[0]}/ubuntu`,
    '  sources:',
    '    fluent-package:',
    `      source: deb [signed-by=${MIRROR_KEYRING}] http://${mirror.addresses[0]}/fluent-package/lts/5/ubuntu/noble noble contrib`,
    'packages:',
    `  - [${SECURITY_SOFTWARE.logCollector.package}, ${SECURITY_SOFTWARE.logCollector.version}-1]`,
    '  - unattended-upgrades',
    'write_files:',
    '  - path: /etc/fluent/fluentd.conf',
    '    content: |',
    indent(collectorConfig(cloud, cluster, systems), 6),
    // fluent-package bundles the S3 and OpenSearch output plugins the configuration uses.
    'runcmd:',
    '  - [systemctl, enable, --now, fluentd, unattended-upgrades]',
    '',
  ].join('\n');
}

/** One egress the platform's collectors need beyond what systems send them: to a vault's object store, or to the SIEM. */
export interface CollectorEgress {
  readonly cidr: string;
  readonly port: number;
  readonly purpose: string;
}

/** The port of a vault endpoint (`host:port`, else HTTPS). */
function endpointPort(endpoint: string): number {
  const match = /:(\d+)$/.exec(endpoint);
  return match ? Number(match[1]) : 443;
}

/** The systems placed in a cluster (primary or recovery), in the cloud's order. */
export const systemsIn = (cloud: NationalCloud, cluster: RegionalCluster): InformationSystem[] => cloud.systems.filter((s) => s.placements.some((p) => p.cluster === cluster));

/**
 * Where a cluster's log collectors send: the backup segment of every vault holding the log bucket of a
 * system placed in the cluster (on the vault's port), and the SIEM's network for level 3+ systems.
 */
export function collectorEgress(cloud: NationalCloud, cluster: RegionalCluster): CollectorEgress[] {
  const out = new Map<string, CollectorEgress>();
  const systems = systemsIn(cloud, cluster);
  for (const system of systems) {
    const vault = system.logArchive.cluster;
    const cidr = (vault.hasSegment('backup') ? vault.segment('backup').cidr : vault.cidr).text;
    const port = endpointPort(vault.backupVault.endpoint);
    out.set(`${cidr}|${port}`, { cidr, port, purpose: `log archive in the vault of ${vault.id}` });
  }
  if (systems.some((s) => s.level >= 3)) out.set('siem', { cidr: sharedServicesRange(cloud), port: SIEM_PORT, purpose: 'security events to the SIEM' });
  return [...out.values()];
}

/**
 * The agents' cloud-config with a security service's own (write_files and runcmd, as security-hosts.ts
 * writes them) appended: one user data for a host that runs a service and the agents every host runs.
 */
export function withServiceConfig(agents: string, service: string): string {
  const parts = /^#cloud-config\nwrite_files:\n([\s\S]*?)\nruncmd:\n([\s\S]*)$/.exec(service);
  if (!parts) throw new Error('internal: a security service\'s cloud-config is not write_files then runcmd');
  const split = agents.lastIndexOf('\nruncmd:\n');
  return `${agents.slice(0, split)}\n${parts[1]}\nruncmd:\n${agents.slice(split + '\nruncmd:\n'.length)}${parts[2]}`;
}
