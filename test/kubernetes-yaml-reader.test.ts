import { isPrerequisitesStack } from '../stacks/kubernetes/prerequisites';
/**
 * The fast reader of the Kubernetes artifacts (stacks/kubernetes/yaml-reader.ts), cross-checked against
 * the `yaml` parser: it must read exactly what the writer writes to the same data, and hand anything
 * else back (undefined) so the full parser reads it.
 */
import { parseAllDocuments } from 'yaml';
import { toYaml } from '../stacks/kubernetes/render';
import { toYamlDocument } from '../stacks/kubernetes/yaml';
import { readWrittenYaml } from '../stacks/kubernetes/yaml-reader';
import { renderEnvironment } from '../stacks/synth';
import { generateEnvironment } from '../scripts/generate-cloud';
import { REPO, tempProject, writeEnvironmentJson } from './helpers';

const parse = (text: string): unknown[] => parseAllDocuments(text).map((d) => d.toJS() as unknown).filter((d) => d !== null);

const TRICKY = {
  bools: ['true', 'no', 'On', 'y', 'null', '~'],
  numbers: ['1e5', '0x1F', '.5', '12', '-3', '.inf', '2026-11-27', '10.0.0.0/16', '1:20'],
  quantities: ['24Gi', '500m', '87600h0m0s'],
  indicators: ['', ' x', 'x ', 'a: b', 'x #y', '- dash', 'x -y', '@at', '*star', '!bang', '|pipe', '>gt', '%pct', '`tick', "'q", '"dq', '=', '? q', '{}', '[a]', 'a,b', 'quote " inside', 'back\\slash'],
  text: ['Ω ünïcode', 'line\nbreak', 'tab\tin', 'Government Office', 'National Platform (development)', 'pod-security.kubernetes.io/enforce'],
  values: [3.5, -2, 0, 1e21, 2.5e-7, false, true, null],
  empty: { list: [], map: {} },
  nested: [{ m: 1, n: [1, 'two', { o: null, p: [[1, 2], []] }] }, [['deep']], [{ a: { b: [{ c: 1 }] } }]],
  'key: with colon': 'v',
  '"quoted key"': { x: 1 },
  '123': 'numeric key',
};

describe('the reader of what the Kubernetes YAML writer writes', () => {
  it('reads tricky data as the yaml parser does', () => {
    // An own key named __proto__ (as JSON.parse makes one) must stay a key, never become a prototype.
    const tricky = { ...TRICKY, ...(JSON.parse('{"__proto__": "not a prototype"}') as object) };
    expect(Object.keys(tricky)).toContain('__proto__');
    const stream = toYaml([tricky as never, { kind: 'List', items: [] } as never], ['a header', 'of two lines']);
    expect(readWrittenYaml(stream)).toEqual(parse(stream));
    expect(Object.getPrototypeOf(readWrittenYaml(stream)![0])).toBe(Object.prototype);
  });

  it.each(['dev', 'staging', 'prod'])('reads every artifact of %s as the yaml parser does', (name) => {
    // What the YAML writer writes: the system objects (prerequisites are JSON documents, the Pulumi settings are copies).
    const kubernetes = renderEnvironment(REPO, name).artifacts.filter((a) => a.engine === 'kubernetes' && a.path.startsWith('kubernetes/') && !isPrerequisitesStack(a.stack));
    expect(kubernetes.length).toBeGreaterThan(0);
    for (const artifact of kubernetes) {
      const read = readWrittenYaml(artifact.content);
      expect(read).toBeDefined();
      expect(read).toEqual(parse(artifact.content));
    }
  });

  it('reads a generated cloud of 10 systems per region as the yaml parser does', () => {
    const root = tempProject('ndc-yaml-reader-');
    writeEnvironmentJson(root, 'generated', generateEnvironment(10));
    for (const artifact of renderEnvironment(root, 'generated').artifacts.filter((a) => a.engine === 'kubernetes' && a.path.startsWith('kubernetes/') && !isPrerequisitesStack(a.stack))) {
      expect(readWrittenYaml(artifact.content)).toEqual(parse(artifact.content));
    }
  });

  it.each([
    ['flow style', '---\na: {b: 1}\n'],
    ['a comment inside a document', '---\na: 1\n# note\nb: 2\n'],
    ['a trailing comment', '---\na: 1 # note\n'],
    ['four-space indents', '---\na:\n    b: 1\n'],
    ['a quoted string the writer writes plain', '---\na: "plain"\n'],
    ['a plain string the writer quotes', '---\na: yes\n'],
    ['a duplicate key', '---\na: 1\na: 2\n'],
    ['a directive', '%YAML 1.2\n---\na: 1\n'],
    ['no final newline', '---\na: 1'],
    ['a single-quoted string', "---\na: 'x'\n"],
    ['an anchor', '---\na: &x 1\nb: *x\n'],
    ['a block scalar', '---\na: |\n  text\n'],
  ])('hands %s to the full parser', (_what, text) => {
    expect(readWrittenYaml(text)).toBeUndefined();
  });

  it('reads single values and nested lists as the writer writes them', () => {
    for (const value of [[[1, [2, []]], 'x'], { a: [[{ b: 'c' }]] }, [{}, [], null]]) {
      const stream = `---\n${toYamlDocument(value)}`;
      expect(readWrittenYaml(stream)).toEqual([value]);
    }
  });
});
