import type { ComputePool, SecurityLevel, SecurityService } from '../../constructs';
import { PRIVILEGED_ACCESS_PORT, sessionRecordingFor } from '../../constructs';

/**
 * What a security service's hosts carry in the Terraform artifacts: metadata naming the service and its
 * pinned software (what the control rules read back), and the cloud-init that runs it. Each host runs the
 * service's pinned container images with the configuration written here; the upstreams a proxy forwards to
 * are the instances of the next tier on the path, by their addresses in the same stack.
 */

export function securityServiceMetadata(pool: ComputePool, level: SecurityLevel): Record<string, string> {
  const service = pool.securityService;
  if (!service) return {};
  return {
    'ndc:security-service': service.kind,
    'ndc:software': service.software,
    'ndc:images': service.images.join(','),
    ...(service.kind === 'privileged-access' ? { 'ndc:session-recording': sessionRecordingFor(level) } : {}),
  };
}

/** One port a proxy listens on and the addresses it forwards to. */
export interface Upstream {
  readonly protocol: 'tcp' | 'udp';
  readonly from: number;
  readonly to: number;
  readonly addresses: readonly string[];
}

const indent = (text: string, spaces: number): string => text.split('\n').map((l) => (l === '' ? l : `${' '.repeat(spaces)}${l}`)).join('\n');

function cloudConfig(files: readonly { path: string; content: string }[], commands: readonly string[]): string {
  const written = files.map((f) => `  - path: ${f.path}\n    permissions: '0640'\n    content: |\n${indent(f.content, 6)}`).join('\n');
  return `#cloud-config\nwrite_files:\n${written}\nruncmd:\n${commands.map((c) => `  - ${JSON.stringify(c)}`).join('\n')}\n`;
}

/**
 * nginx `stream` servers (TCP and UDP) forwarding each listened port to the next tier's hosts; a port range
 * (media) keeps the port and spreads clients over the hosts by address (split_clients).
 */
function streamServers(upstreams: readonly Upstream[]): string {
  return upstreams
    .flatMap((u, i) => {
      const udp = u.protocol === 'udp' ? ' udp' : '';
      if (u.from === u.to) return [`upstream next_${i} {`, ...u.addresses.map((a) => `  server ${a}:${u.from};`), '}', 'server {', `  listen ${u.from}${udp};`, `  proxy_pass next_${i};`, '}'];
      const share = (100 / Math.max(1, u.addresses.length)).toFixed(2);
      const split = u.addresses.map((a, j) => (j === u.addresses.length - 1 ? `  * ${a};` : `  ${share}% ${a};`));
      return [`split_clients "$remote_addr" $next_${i} {`, ...split, '}', 'server {', `  listen ${u.from}-${u.to}${udp};`, `  proxy_pass $next_${i}:$server_port;`, '}'];
    })
    .join('\n');
}

export function securityServiceUserData(service: SecurityService, level: SecurityLevel, upstreams: readonly Upstream[]): string {
  const run = (name: string, image: string, args: string) => `docker run -d --restart=always --name ${name} --network host ${args} ${image}`;
  switch (service.kind) {
    case 'ips': {
      const ports = upstreams.map((u) => (u.from === u.to ? `${u.protocol} dport ${u.from}` : `${u.protocol} dport ${u.from}-${u.to}`));
      return cloudConfig(
        [
          { path: '/etc/suricata/ndc.yaml', content: "%YAML 1.1\n---\ninclude: /etc/suricata/suricata.yaml\nnfq:\n  mode: accept\n  fail-open: no\ndefault-rule-path: /var/lib/suricata/rules\nrule-files:\n  - suricata.rules\noutputs:\n  - eve-log:\n      enabled: yes\n      filename: /var/log/suricata/eve.json\n      types: [alert, drop, anomaly]\n" },
          { path: '/etc/nftables.d/ndc-ips.nft', content: `table inet ndc_ips {\n  chain input {\n    type filter hook input priority 0; policy accept;\n${ports.map((p) => `    ${p} queue num 0\n`).join('')}  }\n}\n` },
          { path: '/etc/nginx/nginx.conf', content: `events {}\nstream {\n${indent(streamServers(upstreams), 2)}\n}\n` },
        ],
        [
          'nft -f /etc/nftables.d/ndc-ips.nft',
          run('suricata', service.images[0], '--cap-add NET_ADMIN --cap-add NET_RAW --cap-add SYS_NICE -v /etc/suricata:/etc/suricata -v /var/log/suricata:/var/log/suricata') + ' -c /etc/suricata/ndc.yaml -q 0',
          run('edge-proxy', service.images[1], '-v /etc/nginx/nginx.conf:/etc/nginx/nginx.conf:ro'),
        ],
      );
    }
    case 'waf': {
      // The CRS image proxies to BACKEND; the upstream it names balances over every host of the tier behind.
      const backends = upstreams.filter((u) => u.protocol === 'tcp' && u.from === u.to);
      const paranoia = level >= 3 ? 2 : 1;
      const listen = backends[0]?.from ?? 443;
      const upstreamConf = backends.map((u, i) => [`upstream backend_${i} {`, ...u.addresses.map((a) => `  server ${a}:${u.from};`), '}'].join('\n')).join('\n');
      return cloudConfig(
        [
          { path: '/etc/ndc/waf.env', content: `MODSEC_RULE_ENGINE=On\nPARANOIA=${paranoia}\nBLOCKING_PARANOIA=${paranoia}\nANOMALY_INBOUND=5\nANOMALY_OUTBOUND=4\nMODSEC_AUDIT_ENGINE=RelevantOnly\nBACKEND=https://backend_0\nSSL_PORT=${listen}\n` },
          { path: '/etc/ndc/waf-upstreams.conf', content: `${upstreamConf}\n` },
        ],
        [run('waf', service.images[0], '--env-file /etc/ndc/waf.env -v /etc/ndc/waf-upstreams.conf:/etc/nginx/conf.d/upstreams.conf:ro -v /var/log/modsecurity:/var/log/modsecurity')],
      );
    }
    case 'database-firewall':
      return cloudConfig(
        [
          { path: '/etc/acra/acra-server.yaml', content: `db_host: ${upstreams[0]?.addresses[0] ?? ''}\ndb_port: ${upstreams[0]?.from ?? 5432}\nincoming_connection_port: ${upstreams[0]?.from ?? 5432}\npostgresql_enable: true\nacracensor_config_file: /etc/acra/acra-censor.yaml\ntls_client_auth: 4\n` },
          { path: '/etc/acra/acra-censor.yaml', content: 'version: 0.85.0\nignore_parse_error: false\nparse_errors_log: /var/log/acra/unparsed.log\nhandlers:\n  - handler: query_capture\n    filepath: /var/log/acra/captured.log\n  - handler: allow\n    patterns: []\n  - handler: denyall\n' },
        ],
        [run('acra-server', service.images[0], '-v /etc/acra:/etc/acra:ro -v /var/log/acra:/var/log/acra') + ' --config_file=/etc/acra/acra-server.yaml'],
      );
    case 'privileged-access':
      return cloudConfig(
        [{ path: '/etc/teleport.yaml', content: `version: v3\nteleport:\n  data_dir: /var/lib/teleport\nauth_service:\n  enabled: true\n  session_recording: ${sessionRecordingFor(level)}\n  authentication:\n    type: local\n    second_factor: on\nproxy_service:\n  enabled: true\n  web_listen_addr: 0.0.0.0:${PRIVILEGED_ACCESS_PORT}\nssh_service:\n  enabled: false\n` }],
        [run('teleport', service.images[0], '-v /etc/teleport.yaml:/etc/teleport/teleport.yaml:ro -v /var/lib/teleport:/var/lib/teleport')],
      );
  }
}
