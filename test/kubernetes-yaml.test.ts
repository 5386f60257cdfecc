import { parseAllDocuments } from 'yaml';
import { renderEnvironment } from '../stacks/synth';
import { parseKubernetesYaml } from '../stacks/kubernetes/artifact';
import { isPrerequisitesStack } from '../stacks/kubernetes/prerequisites';
import { toYamlDocument } from '../stacks/kubernetes/yaml';
import { REPO } from './helpers';

const parse = (text: string): unknown => parseAllDocuments(text).map((d) => d.toJS());

describe('the Kubernetes YAML writer', () => {
  it('writes plain data that a YAML parser reads back unchanged, quoting whatever would read differently', () => {
    const tricky = {
      bools: ['true', 'no', 'On', 'y', 'null', '~'],
      numbers: ['1e5', '0x1F', '.5', '12', '-3', '.inf', '2026-11-27', '10.0.0.0/16', '1:20'],
      quantities: ['24Gi', '500m', '87600h0m0s'],
      indicators: ['', ' x', 'x ', 'a: b', 'x #y', '- dash', 'x -y', '@at', '*star', '!bang', '|pipe', '>gt', '%pct', '`tick', "'q", '"dq', '=', '? q', '{}', '[a]', 'a,b'],
      text: ['Ω ünïcode', 'line\nbreak', 'tab\tin', 'Government Office', 'National Platform (development)', 'pod-security.kubernetes.io/enforce'],
      values: [3.5, -2, 0, false, true, null],
      empty: { list: [], map: {} },
      nested: [{ m: 1, n: [1, 'two', { o: null, p: [[1, 2], []] }] }, [['deep']]],
      'key: with colon': 'v',
      '123': 'numeric key',
    };
    expect(parse(toYamlDocument(tricky))).toEqual([tricky]);
  });

  it('sorts keys and is byte-stable', () => {
    expect(toYamlDocument({ b: 1, a: { d: [1], c: 'x' } })).toBe('a:\n  c: x\n  d:\n    - 1\nb: 1\n');
    expect(toYamlDocument([{ name: 'web', port: 443 }])).toBe('- name: web\n  port: 443\n');
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => toYamlDocument({ n: Number.NaN })).toThrow('cannot write NaN as YAML');
    expect(() => toYamlDocument({ f: () => 1 })).toThrow('cannot write a function as YAML');
  });

  it.each(['dev', 'staging', 'prod'])('every object of %s reads back as rendered', (name) => {
    const { artifacts } = renderEnvironment(REPO, name);
    // The prerequisites are written as JSON documents (JSON is YAML); the writer is tested on the rest.
    const yamlArtifacts = artifacts.filter((a) => a.engine === 'kubernetes' && !isPrerequisitesStack(a.stack) && a.path.startsWith('kubernetes/'));
    expect(yamlArtifacts.length).toBeGreaterThan(0);
    for (const artifact of artifacts.filter((a) => isPrerequisitesStack(a.stack))) {
      const docs = parse(artifact.content) as unknown[];
      expect(docs).toHaveLength(artifact.resources);
      expect(parseKubernetesYaml(artifact.content, artifact.path)).toEqual(docs);
    }
    for (const artifact of yamlArtifacts) {
      const docs = parse(artifact.content) as { kind: string }[];
      expect(docs.length).toBe(artifact.resources);
      // Re-writing what was read gives the same bytes: nothing was lost or reinterpreted.
      const header = artifact.content.slice(0, artifact.content.indexOf('---\n'));
      expect(`${header}${docs.map((d) => `---\n${toYamlDocument(d)}`).join('')}`).toBe(artifact.content);
    }
  });
});
