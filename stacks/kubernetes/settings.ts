import { z } from 'zod';
import { parseCidr, type Cidr } from '../../core/cidr';
import { InputError, show } from '../../core/errors';
import type { NationalCloud } from '../../constructs';
import type { Environment } from '../../environments/schema';

/**
 * The `kubernetes` block of an environment file, which the environment schema leaves to this layer:
 *
 *   kubernetes: { podNetworks: { north: '100.64.0.0/16', ... } }
 *
 * podNetworks: each cluster's pod address range. Network plugins differ on whether an ipBlock matches pod
 * addresses (Calico: yes; Cilium: no); when the range is known, every ipBlock that contains it gets it as
 * an `except`, so a Flow from the internet or the government network never admits the cluster's own pods.
 */
export interface KubernetesSettings {
  readonly podNetworks: ReadonlyMap<string, Cidr>;
}

const settingsSchema = z.strictObject({
  podNetworks: z.record(z.string(), z.string()).default({}),
});

export function kubernetesSettings(env: Environment, cloud: NationalCloud): KubernetesSettings {
  const where = (field: string) => `environments/${env.name}.ts: kubernetes${field ? `.${field}` : ''}`;
  const parsed = settingsSchema.safeParse(env.kubernetes ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const reason = issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.map((k) => show(k)).join(', ')} (known: podNetworks)` : issue.message;
    throw new InputError(where(issue.path.join('.')), reason);
  }
  const podNetworks = new Map<string, Cidr>();
  for (const [clusterId, text] of Object.entries(parsed.data.podNetworks)) {
    const at = where(`podNetworks.${clusterId}`);
    const cluster = cloud.clusters.find((c) => c.id === clusterId);
    if (!cluster) throw new InputError(at, `${show(clusterId)} is not a cluster of this environment (clusters: ${cloud.clusters.map((c) => c.id).join(', ')})`);
    const cidr = parseCidr(text);
    if (typeof cidr === 'string') throw new InputError(at, `${show(text)}: ${cidr}`);
    // That it overlaps no cluster range, backbone, government network or other pod network is checked at load (environments/validate.ts).
    podNetworks.set(clusterId, cidr);
  }
  return { podNetworks };
}
