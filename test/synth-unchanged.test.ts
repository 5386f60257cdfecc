/**
 * Writing a render to out/<env>/ (stacks/synth.ts writeRendered): an out/<env>/ that already holds exactly
 * the render, byte for byte and nothing else, is left as it is; any difference (an edited, missing or extra
 * file, an extra folder) replaces it whole, as before. A small in-memory render stands in for a synthesis.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeRendered, type SynthResult } from '../stacks/synth';

type Rendered = Omit<SynthResult, 'outDir'>;

function render(content = '{"resource":{"a":1}}'): Rendered {
  const artifacts = [
    { path: 'terraform/north/cdk.tf.json', engine: 'terraform', stack: 'north', content, resources: 1 },
    { path: 'kubernetes/north.yaml', engine: 'kubernetes', stack: 'north', content: 'kind: Namespace\n', resources: 1 },
  ];
  // Only what writeRendered reads: the environment's name, the artifacts, the scoped resources and the manifest.
  return { env: { name: 'demo' }, artifacts, resources: [], reach: new Map(), manifest: { env: 'demo', digest: content.length.toString(), scopes: [] } } as unknown as Rendered;
}

/** Every file under out/demo with its bytes and inode (a rewrite swaps in new inodes). */
function files(root: string): Record<string, { text: string; ino: number }> {
  const found: Record<string, { text: string; ino: number }> = {};
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      else found[`${prefix}${entry.name}`] = { text: readFileSync(join(dir, entry.name), 'utf8'), ino: statSync(join(dir, entry.name)).ino };
    }
  };
  walk(join(root, 'out', 'demo'), '');
  return found;
}

const texts = (snapshot: Record<string, { text: string }>) => Object.fromEntries(Object.entries(snapshot).map(([path, { text }]) => [path, text]));

describe('writing a render to out/<env>/', () => {
  it('leaves an out/<env>/ that already holds exactly the render as it is', () => {
    const root = mkdtempSync(join(tmpdir(), 'ndc-unchanged-'));
    writeRendered(root, render());
    const first = files(root);
    expect(Object.keys(first).sort()).toEqual(['kubernetes/north.yaml', 'manifest.json', 'resources.json', 'terraform/north/cdk.tf.json']);
    writeRendered(root, render());
    expect(files(root)).toEqual(first);
  });

  it.each([
    ['it holds an edited artifact of the same length', (dir: string) => writeFileSync(join(dir, 'terraform/north/cdk.tf.json'), '{"resource":{"a":2}}')],
    ['it holds a file the render does not have', (dir: string) => writeFileSync(join(dir, 'kubernetes/stray.yaml'), 'kind: Secret\n')],
    ['it holds an empty folder the render does not have', (dir: string) => mkdirSync(join(dir, 'pulumi'))],
    ['it lacks a file', (dir: string) => rmSync(join(dir, 'resources.json'))],
  ])('replaces out/<env>/ whole when %s', (_, change) => {
    const root = mkdtempSync(join(tmpdir(), 'ndc-unchanged-'));
    writeRendered(root, render());
    const written = files(root);
    change(join(root, 'out', 'demo'));
    writeRendered(root, render());
    const after = files(root);
    expect(texts(after)).toEqual(texts(written));
    expect(readdirSync(join(root, 'out', 'demo')).sort()).toEqual(['kubernetes', 'manifest.json', 'resources.json', 'terraform']);
    expect(after['manifest.json'].ino).not.toBe(written['manifest.json'].ino);
  });

  it('writes a changed render', () => {
    const root = mkdtempSync(join(tmpdir(), 'ndc-unchanged-'));
    writeRendered(root, render());
    writeRendered(root, render('{"resource":{"b":22}}'));
    expect(files(root)['terraform/north/cdk.tf.json'].text).toBe('{"resource":{"b":22}}');
  });
});
