import { PLATFORM_SYSTEM_ID } from '../../environments/schema';
import { environmentInput } from '../helpers';
import { fixture } from '../policy-fixtures';
import { merkleProof, merkleRoot, PLATFORM_SCOPE, scopeDigests, scopedResources, verifyMerkleProof, type ScopeInput } from '../../stacks/scopes';

const dev = fixture(environmentInput('dev'));
const artifacts: readonly ScopeInput[] = dev.artifacts;

function editTerraform(stackPrefix: string, edit: (json: { resource: Record<string, Record<string, Record<string, unknown>>> }) => void): ScopeInput[] {
  let done = false;
  const out = artifacts.map((a) => {
    if (done || a.engine !== 'terraform' || !a.stack.startsWith(stackPrefix)) return a;
    done = true;
    const json = JSON.parse(a.content) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    edit(json);
    return { ...a, content: JSON.stringify(json) };
  });
  if (!done) throw new Error(`no terraform stack ${stackPrefix}`);
  return out;
}

describe('scopedResources', () => {
  const entries = scopedResources(artifacts);

  it('names the platform scope as the environment schema names the platform system', () => {
    expect(PLATFORM_SCOPE).toBe(PLATFORM_SYSTEM_ID);
  });

  it('gives every resource of every engine exactly one scope: a system of the environment or the platform', () => {
    const systems = new Set(dev.context.cloud.systems.map((s) => s.id));
    const scopes = new Set(entries.map((e) => e.scope));
    for (const scope of scopes) expect(scope === PLATFORM_SCOPE || systems.has(scope)).toBe(true);
    for (const system of systems) expect(scopes.has(system)).toBe(true);
    // The rendered resource counts of the artifacts are all there, plus the engine settings around them.
    const rendered = dev.artifacts.reduce((n, a) => n + a.resources, 0);
    expect(entries.filter((e) => e.kind === 'resource')).toHaveLength(rendered);
    // Engine settings are the platform's, except a Terraform local only one system's resources read.
    expect(entries.filter((e) => e.kind === 'setting' && !e.address.includes('@locals.')).every((e) => e.scope === PLATFORM_SCOPE)).toBe(true);
    expect(new Set(entries.map((e) => e.address)).size).toBe(entries.length);
  });

  it('puts a system\'s security group in the system and the cluster\'s zones and prerequisites in the platform', () => {
    const system = dev.context.cloud.systems[0].id;
    const group = entries.find((e) => e.engine === 'terraform' && e.address.includes('#openstack_networking_secgroup_v2.') && e.address.includes(`.${system}-`));
    expect(group?.scope).toBe(system);
    const zone = entries.find((e) => /#openstack_networking_subnet_v2\.[a-z-]+-subnet$/.test(e.address) && !dev.context.cloud.systems.some((s) => e.address.includes(`.${s.id}-`)));
    expect(zone?.scope).toBe(PLATFORM_SCOPE);
    const crd = entries.find((e) => e.address.includes('#CustomResourceDefinition.apiextensions.k8s.io/'));
    expect(crd?.scope).toBe(PLATFORM_SCOPE);
    const namespace = entries.find((e) => e.address.endsWith(`#Namespace/${system}`));
    expect(namespace?.scope).toBe(system);
  });

  it('gives a Terraform local (an instance pool\'s user data) to the one scope whose resources read it', () => {
    const system = dev.context.cloud.systems[0].id;
    const locals = entries.filter((e) => e.address.includes('@locals.'));
    expect(locals.length).toBeGreaterThan(0);
    const own = locals.find((e) => e.address.includes(`@locals.${system}-`));
    expect(own?.scope).toBe(system);
    // Read by one system's resource it is that system's; read by a system's and a platform resource, the
    // platform's; `local.<name>-more` does not read `local.<name>`.
    const withLocal = (readers: string[], reference: string) =>
      editTerraform('cluster-', (json) => {
        const j = json as unknown as { locals?: Record<string, unknown>; resource: Record<string, Record<string, Record<string, unknown>>> };
        j.locals = { ...j.locals, probe: 'x' };
        for (const scope of readers) {
          const found = Object.values(j.resource).flatMap((named) => Object.keys(named).map((name) => [named, name] as const)).find(([named, name]) => JSON.stringify(named[name]).includes(`"scope":"${scope}"`));
          if (!found) throw new Error(`no resource of scope ${scope}`);
          const [named, name] = found;
          named[name] = { ...named[name], description: `\${${reference}}` };
        }
      });
    const probe = (edited: ScopeInput[]) => scopedResources(edited).find((e) => e.address.endsWith('@locals.probe'))?.scope;
    expect(probe(withLocal([system], 'local.probe'))).toBe(system);
    expect(probe(withLocal([system, PLATFORM_SCOPE], 'local.probe'))).toBe(PLATFORM_SCOPE);
    expect(probe(withLocal([system], 'local.probe-more'))).toBe(PLATFORM_SCOPE);
    // A name character before `local.` makes it another name; a later exact reference in the same text still counts.
    expect(probe(withLocal([system], 'xlocal.probe'))).toBe(PLATFORM_SCOPE);
    expect(probe(withLocal([system], 'local.probe-more} ${local.probe'))).toBe(system);
  });

  it('reads artifacts back from disk as in memory: formatting does not change an entry', () => {
    const reformatted = artifacts.map((a) => (a.path.endsWith('.json') ? { ...a, content: `${JSON.stringify(JSON.parse(a.content))}\n` } : a));
    expect(scopedResources(reformatted).map((e) => [e.address, e.sha256])).toEqual(entries.map((e) => [e.address, e.sha256]));
  });

  it('refuses a Terraform resource without a scope, naming the artifact and the address', () => {
    const edited = editTerraform('cluster-', (json) => {
      const [type, named] = Object.entries(json.resource)[0];
      const [name, body] = Object.entries(named)[0];
      delete (body['//'] as Record<string, unknown>).scope;
      json.resource[type][name] = body;
    });
    expect(() => scopedResources(edited)).toThrow(/^terraform\/cluster-[a-z]+\/cdk\.tf\.json#[a-z0-9_]+\.[A-Za-z0-9_-]+: has no scope/);
  });

  it('refuses a resource marked for one system but tagged for another', () => {
    const edited = editTerraform('cluster-', (json) => {
      for (const named of Object.values(json.resource)) {
        for (const body of Object.values(named)) {
          if (Array.isArray(body.tags) && body.tags.some((t) => String(t).startsWith('ndc:system='))) {
            (body['//'] as Record<string, unknown>).scope = PLATFORM_SCOPE;
            return;
          }
        }
      }
    });
    expect(() => scopedResources(edited)).toThrow(/is marked scope "national-cloud-platform" but tagged ndc:system=/);
  });

  it('refuses a Kubernetes object and a CloudFormation resource without a scope', () => {
    const yaml = '# header\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: loose\n  namespace: x\n';
    expect(() => scopedResources([{ path: 'kubernetes/x.yaml', engine: 'kubernetes', stack: 'x', content: yaml }])).toThrow('kubernetes/x.yaml#ConfigMap/x/loose: has no scope');
    const template = JSON.stringify({ Resources: { Bucket1: { Type: 'AWS::S3::Bucket', Properties: {} } } });
    expect(() => scopedResources([{ path: 'cloudformation/x.template.json', engine: 'cloudformation', stack: 'x', content: template }])).toThrow('cloudformation/x.template.json#Bucket1: has no scope');
  });

  it('refuses a scope that is neither a system of the environment nor the platform', () => {
    const levels = new Map([[PLATFORM_SCOPE, 4]]);
    expect(() => scopeDigests(entries, levels, new Map())).toThrow(/names scope "[a-z-]+", which is neither a system of this environment nor national-cloud-platform/);
  });
});

describe('Merkle proofs', () => {
  const leaves = (n: number) => Array.from({ length: n }, (_, i) => ({ address: `a#r${i}`, sha256: String(i).padStart(64, '0') }));

  it('prove every leaf of trees of 1 to 9 leaves, and nothing else', () => {
    for (let n = 1; n <= 9; n++) {
      const entries = leaves(n);
      const root = merkleRoot(entries);
      for (const entry of entries) {
        const proof = merkleProof(entries, entry.address);
        expect(verifyMerkleProof(proof, root)).toBe(true);
        expect(verifyMerkleProof({ ...proof, sha256: 'f'.repeat(64) }, root)).toBe(false);
        expect(verifyMerkleProof({ ...proof, address: `${entry.address}x` }, root)).toBe(false);
      }
    }
  });

  it('does not depend on listing order, and changes with any leaf', () => {
    const entries = leaves(7);
    expect(merkleRoot([...entries].reverse())).toBe(merkleRoot(entries));
    expect(merkleRoot(entries.map((e, i) => (i === 3 ? { ...e, sha256: 'e'.repeat(64) } : e)))).not.toBe(merkleRoot(entries));
  });
});
