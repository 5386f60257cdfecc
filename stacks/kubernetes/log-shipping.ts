import type { NationalCloud, RegionalCluster } from '../../constructs';
import { LOG_FORWARD_PORT, SECURITY_SOFTWARE } from '../../constructs';
import { ANNOTATION, LABEL } from './labels';
import { baselinePolicies, networkPolicy, placementsIn, type ManifestObject } from './render';

/**
 * Log shipping from a cluster's Kubernetes nodes: Fluent Bit as a DaemonSet in its own namespace, tailing
 * the container logs of every system namespace placed in the cluster (one input per namespace, tagged
 * `system.<id>.kubernetes` as the instances' agents tag theirs) and forwarding them over TLS to the
 * cluster's log collectors in the management zone. It reads host paths, so it belongs with the cluster
 * prerequisites (like Velero's node agent), not with the systems' restricted namespaces.
 */

export const LOGGING_NAMESPACE = 'ndc-logging';
export const LOG_AGENT_NAME = 'fluent-bit';
/** The NetworkPolicy letting the agent reach the collectors (and nothing else but DNS). */
export const COLLECTOR_EGRESS_POLICY = 'allow-log-collectors-egress';

/** The tail input of one system namespace in the agent's configuration. */
export function namespaceInput(namespace: string): string {
  return ['[INPUT]', '    name             tail', `    path             /var/log/containers/*_${namespace}_*.log`, `    tag              system.${namespace}.kubernetes`, '    db               /var/lib/fluent-bit/tail.db', '    multiline.parser cri', '    storage.type     filesystem'].join('\n');
}

export function renderLogShipping(cloud: NationalCloud, cluster: RegionalCluster): ManifestObject[] {
  const collector = cluster.logCollector;
  if (!collector) return [];
  const namespaces = placementsIn(cloud, cluster).map((p) => p.system.id);
  const labels = { [LABEL.env]: cloud.envName, [LABEL.cluster]: cluster.id, 'app.kubernetes.io/name': LOG_AGENT_NAME };
  const metadata = (name: string, namespaced = true) => ({ name, ...(namespaced ? { namespace: LOGGING_NAMESPACE } : {}), labels });
  const config = [
    '[SERVICE]',
    '    flush        5',
    '    storage.path /var/lib/fluent-bit/buffer',
    ...namespaces.map(namespaceInput),
    '[FILTER]',
    '    name      kubernetes',
    '    match     system.*',
    '    merge_log on',
    '[OUTPUT]',
    '    name        forward',
    '    match       system.*',
    '    upstream    /fluent-bit/etc/collectors.conf',
    '    tls         on',
    '    tls.verify  on',
    '    retry_limit no_limits',
    '',
  ].join('\n');
  const upstream = ['[UPSTREAM]', '    name collectors', ...collector.addresses.flatMap((address, n) => ['[NODE]', `    name collector-${n}`, `    host ${address}`, `    port ${collector.port.from ?? LOG_FORWARD_PORT}`]), ''].join('\n');
  const selector = { matchLabels: { 'app.kubernetes.io/name': LOG_AGENT_NAME } };
  return [
    // Host log files are root-owned and read through hostPath: the namespace is privileged, and holds only this agent.
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: LOGGING_NAMESPACE, labels: { ...labels, 'pod-security.kubernetes.io/enforce': 'privileged' } } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: metadata(LOG_AGENT_NAME) },
    // The kubernetes filter reads pod and namespace metadata, nothing else.
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: metadata(`${LOGGING_NAMESPACE}-${LOG_AGENT_NAME}`, false), rules: [{ apiGroups: [''], resources: ['namespaces', 'pods'], verbs: ['get', 'list', 'watch'] }] },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: metadata(`${LOGGING_NAMESPACE}-${LOG_AGENT_NAME}`, false),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${LOGGING_NAMESPACE}-${LOG_AGENT_NAME}` },
      subjects: [{ kind: 'ServiceAccount', name: LOG_AGENT_NAME, namespace: LOGGING_NAMESPACE }],
    },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: metadata(`${LOG_AGENT_NAME}-config`), data: { 'fluent-bit.conf': config, 'collectors.conf': upstream } },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { ...metadata(LOG_AGENT_NAME), annotations: { [ANNOTATION.description]: `${SECURITY_SOFTWARE.logAgent.product} ${SECURITY_SOFTWARE.logAgent.version} ships every system namespace's container logs to the log collectors of ${cluster.id}` } },
      spec: {
        selector,
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels: { ...labels } },
          spec: {
            serviceAccountName: LOG_AGENT_NAME,
            // Every node, control plane included, runs the agent.
            tolerations: [{ operator: 'Exists' }],
            priorityClassName: 'system-node-critical',
            containers: [
              {
                name: LOG_AGENT_NAME,
                image: SECURITY_SOFTWARE.logAgent.image,
                args: ['--config=/fluent-bit/etc/fluent-bit.conf'],
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
                securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['DAC_READ_SEARCH'] } },
                volumeMounts: [
                  { name: 'varlog', mountPath: '/var/log', readOnly: true },
                  { name: 'state', mountPath: '/var/lib/fluent-bit' },
                  { name: 'config', mountPath: '/fluent-bit/etc', readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: 'varlog', hostPath: { path: '/var/log', type: 'Directory' } },
              { name: 'state', hostPath: { path: '/var/lib/fluent-bit', type: 'DirectoryOrCreate' } },
              { name: 'config', configMap: { name: `${LOG_AGENT_NAME}-config` } },
            ],
          },
        },
      },
    },
    ...baselinePolicies(LOGGING_NAMESPACE, labels),
    networkPolicy(
      LOGGING_NAMESPACE,
      labels,
      COLLECTOR_EGRESS_POLICY,
      { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: collector.addresses.map((address) => ({ ipBlock: { cidr: `${address}/32` } })), ports: [{ protocol: 'TCP', port: collector.port.from ?? LOG_FORWARD_PORT }] }] },
      { [ANNOTATION.description]: `Fluent Bit forwards logs to the log collectors of ${cluster.id} in its management zone` },
    ),
  ];
}
