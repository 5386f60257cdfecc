/**
 * The cluster prerequisites: every kind, namespace and credential secret the system objects of a cluster
 * rely on is created by its prerequisites artifact, which deploys one wave earlier; no secret value is
 * ever in an artifact. Pulumi runs under mocks (no CLI, no cluster).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { loadEnvironment } from '../environments/load';
import { buildWaves, stepsOf } from '../deploy/waves';
import { parseKubernetesYaml } from '../stacks/kubernetes/artifact';
import { filledSecret, registerObjects } from '../stacks/kubernetes/program';
import { backupCredentialVariables, isPrerequisitesStack, VELERO_CRD_DIR, VELERO_RELEASE } from '../stacks/kubernetes/prerequisites';
import type { ManifestObject } from '../stacks/kubernetes/render';
import { renderEnvironment } from '../stacks/synth';
import { synthesizedProject } from './deploy/fixture';
import { REPO } from './helpers';

type Spec = { group?: string; names?: { kind?: string }; versions?: { name: string; served: boolean }[]; credential?: { name: string; key: string } };
const specOf = (o: ManifestObject) => (o.spec ?? {}) as Spec;

describe.each(['dev', 'staging', 'prod'] as const)('%s: the prerequisites of each cluster', (env) => {
  const rendered = renderEnvironment(REPO, env);
  // The Kubernetes objects (kubernetes/...), not the Pulumi settings files deploy copies beside them.
  const kubernetes = rendered.artifacts.filter((a) => a.engine === 'kubernetes' && a.path.startsWith('kubernetes/'));
  const systems = kubernetes.filter((a) => !isPrerequisitesStack(a.stack));

  it('create every custom kind, namespace and credential secret the system objects use', () => {
    expect(systems.length).toBeGreaterThan(0);
    for (const artifact of systems) {
      const prerequisites = kubernetes.find((a) => a.stack === `${artifact.stack}-prerequisites`);
      expect(prerequisites).toBeDefined();
      const provided = parseKubernetesYaml(prerequisites!.content, prerequisites!.path);
      const objects = parseKubernetesYaml(artifact.content, artifact.path);
      const missing: string[] = [];
      const namespaces = new Set([...objects, ...provided].filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
      for (const object of objects) {
        const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
        const builtIn = group === '' || group.endsWith('.k8s.io');
        const crd = provided.find((p) => p.kind === 'CustomResourceDefinition' && specOf(p).group === group && specOf(p).names?.kind === object.kind);
        if (!builtIn && !crd?.spec) missing.push(`${artifact.path}: no CRD for ${object.apiVersion} ${object.kind}`);
        else if (!builtIn && !specOf(crd!).versions?.some((v) => v.name === version && v.served)) missing.push(`${artifact.path}: CRD of ${object.kind} does not serve ${version}`);
        if (object.metadata.namespace && !namespaces.has(object.metadata.namespace)) missing.push(`${artifact.path}: namespace ${object.metadata.namespace} of ${object.kind} ${object.metadata.name}`);
        const credential = specOf(object).credential;
        if (object.kind === 'BackupStorageLocation' && !provided.some((p) => p.kind === 'Secret' && p.metadata.namespace === object.metadata.namespace && p.metadata.name === credential?.name)) {
          missing.push(`${artifact.path}: secret ${object.metadata.namespace}/${credential?.name} of ${object.metadata.name}`);
        }
      }
      expect(missing).toEqual([]);
    }
  });

  it('carry no secret value, only the variables each secret is filled from', () => {
    for (const artifact of kubernetes.filter((a) => isPrerequisitesStack(a.stack))) {
      for (const secret of parseKubernetesYaml(artifact.content, artifact.path).filter((o) => o.kind === 'Secret')) {
        expect(secret.data).toBeUndefined();
        expect(secret.stringData).toBeUndefined();
        const vault = secret.metadata.name.replace(/^ndc-backup-/, '');
        const variables = backupCredentialVariables(vault);
        expect(secret.metadata.annotations?.['ndc.gov.vn/credentials-from']).toBe(`${variables.accessKeyId},${variables.secretAccessKey}`);
      }
    }
  });

  it('deploy in the wave before the system objects of their cluster', () => {
    const { root, manifest } = synthesizedProject(env);
    const waves = buildWaves({ root, manifest, env: loadEnvironment(root, env).env, operation: 'deploy' });
    const waveOf = new Map(stepsOf(waves).map((s) => [s.id, s.wave]));
    const clusters = systems.map((a) => a.stack.slice(env.length + 1));
    for (const cluster of clusters) expect(waveOf.get(`kubernetes/${cluster}-prerequisites`)!).toBeLessThan(waveOf.get(`kubernetes/${cluster}`)!);
    for (const cluster of clusters) expect(waveOf.get(`kubernetes/${cluster}-prerequisites`)!).toBeGreaterThan(waveOf.get('terraform/backup-vaults')!);
  });
});

describe(`Velero ${VELERO_RELEASE} CRDs`, () => {
  it('are the vendored upstream files, object for object, in every prerequisites artifact', () => {
    const files = readdirSync(VELERO_CRD_DIR).filter((f) => f.endsWith('.yaml')).sort();
    expect(files).toHaveLength(11);
    const upstream = files.map((f) => parse(readFileSync(join(VELERO_CRD_DIR, f), 'utf8')) as ManifestObject);
    const prod = renderEnvironment(REPO, 'prod').artifacts.find((a) => a.path === 'kubernetes/prerequisites/north.yaml')!;
    const crds = parseKubernetesYaml(prod.content, prod.path).filter((o) => o.kind === 'CustomResourceDefinition');
    expect(crds).toEqual(upstream);
    expect(readFileSync(join(VELERO_CRD_DIR, 'README.md'), 'utf8')).toContain(`tag \`${VELERO_RELEASE}\``);
  });
});

describe('credential secrets at apply time', () => {
  const secret: ManifestObject = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'ndc-backup-central', namespace: 'velero', annotations: { 'ndc.gov.vn/credentials-from': 'NDC_BACKUP_CENTRAL_ACCESS_KEY_ID,NDC_BACKUP_CENTRAL_SECRET_ACCESS_KEY' } },
    type: 'Opaque',
  };

  beforeAll(async () => {
    await pulumi.runtime.setMocks({ newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }), call: (args) => args.inputs }, 'ndc-kubernetes', 'prod-north-prerequisites', false);
  });

  it('are filled from the deploy environment as the AWS credentials file Velero reads, kept secret', async () => {
    const filled = filledSecret(secret, { NDC_BACKUP_CENTRAL_ACCESS_KEY_ID: 'central-key-id', NDC_BACKUP_CENTRAL_SECRET_ACCESS_KEY: 'central-secret-9' });
    const value = (filled.stringData as Record<string, pulumi.Output<string>>).cloud;
    expect(pulumi.Output.isInstance(value)).toBe(true);
    const text = await new Promise<string>((done) => value.apply((v) => done(v)));
    expect(text).toBe('[default]\naws_access_key_id=central-key-id\naws_secret_access_key=central-secret-9\n');
    expect(await (value as unknown as { isSecret: Promise<boolean> }).isSecret).toBe(true);
  });

  it('refuse a missing variable with one line naming it, and a secret carrying data', () => {
    expect(() => filledSecret(secret, { NDC_BACKUP_CENTRAL_ACCESS_KEY_ID: 'id' })).toThrow(/^NDC_BACKUP_CENTRAL_SECRET_ACCESS_KEY: is not set: secret velero\/ndc-backup-central/);
    expect(() => filledSecret({ ...secret, data: { cloud: 'c2VjcmV0' } }, {})).toThrow(/carries data in the artifact/);
    expect(() => registerObjects([{ ...secret, metadata: { name: 'x', namespace: 'velero' } }])).toThrow(/has no ndc.gov.vn\/credentials-from annotation/);
  });
});
