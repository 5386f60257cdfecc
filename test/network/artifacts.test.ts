import { parse } from 'yaml';
import { InputError } from '../../core/errors';
import { artifactSetOf } from '../../policies/artifacts';
import { networkArtifactsOf, readBlockYaml } from '../../policies/network/artifacts';
import { variant } from '../policy-fixtures';

describe('the fast artifact reader of ndc reach', () => {
  it('reads every document the renderer writes exactly as the YAML library does, for prod and staging', () => {
    for (const env of ['prod', 'staging'] as const) {
      const { artifacts } = variant(env, () => undefined);
      const documents = artifacts.filter((a) => a.engine === 'kubernetes').flatMap((a) => a.content.split(/^---[ \t]*$/m));
      expect(documents.length).toBeGreaterThan(50);
      // Block YAML (system objects) goes through the strict reader; one-line JSON documents (prerequisites) through JSON.parse.
      const json = documents.filter((doc) => /^\{/m.test(doc));
      expect(json.length).toBeGreaterThan(0);
      for (const doc of documents) if (!json.includes(doc)) expect(readBlockYaml(doc)).toEqual(parse(doc) ?? null);
      for (const doc of json) expect(JSON.parse(doc.replace(/^#.*$/gm, ''))).toEqual(parse(doc));
      // And the Namespaces and NetworkPolicies it keeps are those the general reader finds.
      const general = artifactSetOf(artifacts);
      const fast = networkArtifactsOf(artifacts);
      for (const [stack, objects] of general.kubernetes) expect(fast.kubernetes.get(stack)).toEqual(objects.filter((o) => o.kind === 'Namespace' || o.kind === 'NetworkPolicy'));
      expect([...fast.terraform.keys()]).toEqual([...general.terraform.keys()]);
    }
  });

  it('hands whatever is outside the renderer\'s subset to the general parser, so a hand edit is never misread', () => {
    const edited = [
      'apiVersion: networking.k8s.io/v1',
      'kind: NetworkPolicy   # opened by hand',
      'metadata: {name: open, namespace: ns1}',
      'spec:',
      '  podSelector: {}',
      "  policyTypes: ['Ingress']",
      '  ingress:',
      '  - from:',
      '    - ipBlock: {cidr: 0.0.0.0/0}',
    ].join('\n');
    expect(() => readBlockYaml(edited)).toThrow();
    const fast = networkArtifactsOf([{ path: 'kubernetes/c.yaml', engine: 'kubernetes', stack: 'c', content: `${edited}\n` }]);
    expect(fast.kubernetes.get('c')).toEqual([parse(edited)]);
    expect(readBlockYaml('a:\n- x: 1\n  y: "two"\n- 3\nb: yes-please\n')).toEqual({ a: [{ x: 1, y: 'two' }, 3], b: 'yes-please' });
    for (const bad of ['a: yes', 'a: 1\n   b: 2', "a: 'quoted'", 'a: [1, 2]', 'a:\tb']) expect(() => readBlockYaml(bad)).toThrow();
  });

  it('refuses invalid YAML with one line naming the file and document', () => {
    const read = () => networkArtifactsOf([{ path: 'kubernetes/c.yaml', engine: 'kubernetes', stack: 'c', content: 'kind: Namespace\nmetadata:\n  name: [unclosed\n' }], (s) => `out/prod/${s.path}`);
    expect(read).toThrow(InputError);
    expect(read).toThrow(/^out\/prod\/kubernetes\/c\.yaml: document 1 is not valid YAML/);
  });
});
