/**
 * The Pulumi program under pulumi.runtime.setMocks: no Pulumi CLI, no engine, no cluster. The mock
 * records every resource the program registers; the test compares them with the synthesized artifact.
 * This also proves @pulumi/pulumi and @pulumi/kubernetes work without their install scripts (npm 11
 * does not run them here).
 */
import { cpSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { InputError } from '../core/errors';
import { parseKubernetesYaml } from '../stacks/kubernetes/artifact';
// The program creates nothing at import time, so importing it before setMocks runs is safe.
import { artifactFile, main, readVerifiedArtifact, registerObjects } from '../stacks/kubernetes/program';
import { synthEnvironment } from '../stacks/synth';

const REPO = resolve(__dirname, '..');

interface Registered {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

const registered: Registered[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs as Record<string, unknown> });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: (args) => args.inputs,
    },
    'ndc-kubernetes',
    'prod-north',
    false,
  );
});

beforeEach(() => {
  registered.length = 0;
});

/** Waits until every registration the program started has reached the mock monitor. */
async function settled(resources: readonly pulumi.Resource[]): Promise<void> {
  await new Promise<void>((done) => pulumi.all(resources.map((r) => r.urn)).apply(() => done()));
}

/** Waits (at most 10 s) until the mock has seen `count` resources other than providers. */
async function registeredCount(count: number): Promise<Registered[]> {
  for (let i = 0; i < 1000 && objectsRegistered().length < count; i++) await new Promise((r) => setTimeout(r, 10));
  return objectsRegistered();
}

const objectsRegistered = () => registered.filter((r) => !r.type.startsWith('pulumi:providers:'));

/** type and resource name: how Pulumi identifies a resource in a stack. */
const keyOf = (type: string, name: string) => `${type} ${name}`;

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'ndc-k8s-program-'));
  cpSync(join(REPO, 'environments'), join(root, 'environments'), { recursive: true });
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  return root;
}

const TYPE_OF_KIND: Record<string, string> = {
  Namespace: 'kubernetes:core/v1:Namespace',
  ResourceQuota: 'kubernetes:core/v1:ResourceQuota',
  LimitRange: 'kubernetes:core/v1:LimitRange',
  NetworkPolicy: 'kubernetes:networking.k8s.io/v1:NetworkPolicy',
  BackupStorageLocation: 'kubernetes:velero.io/v1:BackupStorageLocation',
  Schedule: 'kubernetes:velero.io/v1:Schedule',
};

describe('stacks/kubernetes/program.ts under Pulumi mocks', () => {
  const root = tempRoot();
  const synth = synthEnvironment(root, 'prod');

  it.each(['north', 'central', 'south'])('registers exactly the objects of out/prod/kubernetes/%s.yaml, object for object', async (cluster) => {
    const text = readFileSync(join(synth.outDir, 'kubernetes', `${cluster}.yaml`), 'utf8');
    const objects = parseKubernetesYaml(text, cluster);
    const resources = registerObjects(objects);
    await settled(resources);
    const custom = objectsRegistered();
    // Registration order follows dependencies (namespace before its policies), so compare by identity.
    const byKey = new Map(custom.map((r) => [keyOf(r.type, r.name), r]));
    expect(byKey.size).toBe(custom.length);
    expect(custom).toHaveLength(objects.length);
    for (const object of objects) {
      const name = object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
      const resource = byKey.get(keyOf(TYPE_OF_KIND[object.kind], name));
      expect(resource).toBeDefined();
      // What Pulumi would send to the cluster is the artifact's object, field for field.
      expect(resource!.inputs).toEqual(object);
    }
    // Dependencies: every object reaches the engine after the namespace it lives in (or backs up), and a
    // Velero Schedule after its BackupStorageLocation.
    const position = new Map(custom.map((r, i) => [keyOf(r.type, r.name), i]));
    for (const object of objects) {
      const name = object.metadata.namespace ? `${object.metadata.namespace}/${object.metadata.name}` : object.metadata.name;
      const at = position.get(keyOf(TYPE_OF_KIND[object.kind], name))!;
      const template = (object.spec as { template?: { includedNamespaces?: string[]; storageLocation?: string } } | undefined)?.template;
      const before = [object.metadata.namespace, ...(template?.includedNamespaces ?? [])]
        .filter((ns): ns is string => ns !== undefined && position.has(keyOf(TYPE_OF_KIND.Namespace, ns)))
        .map((ns) => keyOf(TYPE_OF_KIND.Namespace, ns));
      if (template?.storageLocation) before.push(keyOf(TYPE_OF_KIND.BackupStorageLocation, `${object.metadata.namespace}/${template.storageLocation}`));
      for (const dependency of before) expect(position.get(dependency)!).toBeLessThan(at);
    }
  });

  it('main() reads the artifact named in the stack config, checks it against the manifest and deploys it', async () => {
    pulumi.runtime.setAllConfig({ 'ndc-kubernetes:artifact': join(synth.outDir, 'kubernetes', 'north.yaml') });
    const result = await main();
    expect(await registeredCount(result.objects)).toHaveLength(result.objects);
    const entry = synth.manifest.artifacts.find((a) => a.path === 'kubernetes/north.yaml')!;
    expect(result.sha256).toBe(entry.sha256);
    expect(result.artifact).toBe('kubernetes/north.yaml');
    const expected = synth.artifacts.find((a) => a.path === 'kubernetes/north.yaml')!.resources;
    expect(result.objects).toBe(expected);
    expect(Object.values(result.kinds).reduce((a: number, b: number) => a + b, 0)).toBe(expected);
  });

  it('main() applies the artifact ndc deploy names in NDC_KUBERNETES_ARTIFACT, whatever the stack config says', async () => {
    pulumi.runtime.setAllConfig({});
    const before = process.env.NDC_KUBERNETES_ARTIFACT;
    process.env.NDC_KUBERNETES_ARTIFACT = join(synth.outDir, 'kubernetes', 'central.yaml');
    try {
      const result = await main();
      expect(result.artifact).toBe('kubernetes/central.yaml');
      expect(await registeredCount(result.objects)).toHaveLength(result.objects);
    } finally {
      if (before === undefined) delete process.env.NDC_KUBERNETES_ARTIFACT;
      else process.env.NDC_KUBERNETES_ARTIFACT = before;
    }
  });

  it('resolves the variable from its own folder, where pulumi runs it, as ndc deploy writes it', () => {
    const program = join(REPO, 'stacks', 'kubernetes');
    expect(artifactFile({ NDC_KUBERNETES_ARTIFACT: '../../out/prod/kubernetes/north.yaml' })).toBe(join(program, '../../out/prod/kubernetes/north.yaml'));
    pulumi.runtime.setAllConfig({ 'ndc-kubernetes:artifact': '../../out/prod/kubernetes/south.yaml' });
    expect(artifactFile({})).toBe(join(program, '../../out/prod/kubernetes/south.yaml'));
    pulumi.runtime.setAllConfig({});
    expect(() => artifactFile({})).toThrow(/^NDC_KUBERNETES_ARTIFACT: is not set and the stack config has no ndc-kubernetes:artifact/);
  });

  it('refuses an artifact edited after synthesis, registering nothing', async () => {
    const tamperedRoot = tempRoot();
    const out = synthEnvironment(tamperedRoot, 'prod').outDir;
    const file = join(out, 'kubernetes', 'south.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('pod-security.kubernetes.io/enforce: restricted', 'pod-security.kubernetes.io/enforce: privileged'));
    pulumi.runtime.setAllConfig({ 'ndc-kubernetes:artifact': file });
    await expect(main()).rejects.toThrow(/south\.yaml: was changed after synthesis .*run ndc synth and have it approved again/);
    await new Promise((r) => setTimeout(r, 200));
    expect(objectsRegistered()).toHaveLength(0);
  });

  it('refuses a missing artifact and one not listed in the manifest', async () => {
    expect(() => readVerifiedArtifact(join(synth.outDir, 'kubernetes', 'nowhere.yaml'))).toThrow(InputError);
    const stray = join(synth.outDir, 'kubernetes', 'stray.yaml');
    writeFileSync(stray, readFileSync(join(synth.outDir, 'kubernetes', 'north.yaml')));
    expect(() => readVerifiedArtifact(stray)).toThrow(/is not a Kubernetes artifact listed in out\/prod\/manifest\.json/);
  });

  it('refuses kinds the layer does not deploy', async () => {
    expect(() => registerObjects([{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'everyone-admin', namespace: 'default' } }])).toThrow(
      /RoleBinding default\/everyone-admin: is not a kind the Kubernetes layer deploys/,
    );
    expect(registered).toHaveLength(0);
  });
});
