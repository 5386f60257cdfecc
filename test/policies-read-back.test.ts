import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../core/errors';
import { artifactSetOf, loadArtifactSet, verifiedArtifactSet } from '../policies/artifacts';
import type { Manifest } from '../stacks/manifest';
import { tempProject } from './helpers';
import { reportOf, variant, type Fixture } from './policy-fixtures';

/**
 * The two ways a check gets its artifacts: right after synthesis, from the render this process holds (its
 * bytes checked against the manifest), and from out/<env>/ written by another process (read back, checked
 * against the manifest the same way). Both must judge the same objects, and neither may judge bytes the
 * manifest does not vouch for.
 */

let dev: Fixture;
let root: string;
let manifest: Manifest;

beforeAll(() => {
  dev = variant('dev', () => undefined);
  manifest = dev.context.manifest;
  root = tempProject('ndc-read-back-');
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** out/<env>/ as synth writes it: every artifact of the render at its manifest path. */
function writeOut(): void {
  rmSync(join(root, 'out'), { recursive: true, force: true });
  for (const a of dev.artifacts) {
    const file = join(root, 'out', manifest.env, a.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, a.content);
  }
}

const refusal = (read: () => unknown): InputError => {
  try {
    read();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error('the read was not refused');
};

describe('reading the artifacts back versus judging the render held in memory', () => {
  beforeEach(writeOut);

  it('gives byte-identical findings from out/<env>/ and from the render held in memory', () => {
    const inMemory = JSON.stringify(reportOf(dev, undefined, verifiedArtifactSet(root, manifest, dev.artifacts)).findings);
    const readBack = JSON.stringify(reportOf(dev, undefined, loadArtifactSet(root, manifest)).findings);
    expect(readBack).toBe(inMemory);
    // And the same as the fixture's own parse, which never touched the disk.
    expect(inMemory).toBe(JSON.stringify(reportOf(dev, undefined, artifactSetOf(dev.artifacts)).findings));
    expect(JSON.parse(inMemory).length).toBeGreaterThan(100);
  });

  it('parses every engine on both paths into the same objects', () => {
    const held = verifiedArtifactSet(root, manifest, dev.artifacts);
    const read = loadArtifactSet(root, manifest);
    expect(read.kubernetes.size).toBeGreaterThan(0);
    expect(read.terraform.size).toBeGreaterThan(0);
    expect([...read.kubernetes]).toEqual([...held.kubernetes]);
    expect([...read.terraform]).toEqual([...held.terraform]);
    expect([...read.cloudformation]).toEqual([...held.cloudformation]);
    expect([...read.text]).toEqual([...held.text]);
  });

  it.each(['kubernetes', 'terraform'])('refuses a %s artifact changed on disk since synthesis, naming the file', (engine) => {
    const target = manifest.artifacts.find((a) => a.engine === engine && a.path.startsWith(`${engine}/`))!;
    const file = join(root, 'out', manifest.env, target.path);
    const text = readFileSync(file, 'utf8');
    // One changed character inside a value: still valid YAML / JSON, so only the sha256 can tell.
    const at = text.lastIndexOf('1');
    writeFileSync(file, `${text.slice(0, at)}2${text.slice(at + 1)}`);
    const error = refusal(() => loadArtifactSet(root, manifest));
    expect(error.message).toContain(`out/${manifest.env}/${target.path}`);
    expect(error.message).toContain('sha256');
  });

  it('refuses an artifact the manifest lists but out/<env>/ lacks', () => {
    const target = manifest.artifacts.find((a) => a.engine === 'kubernetes')!;
    rmSync(join(root, 'out', manifest.env, target.path));
    const error = refusal(() => loadArtifactSet(root, manifest));
    expect(error.message).toContain(`out/${manifest.env}/${target.path}`);
    expect(error.message).toContain('missing');
  });

  it('refuses held bytes that differ from the manifest on the in-process path too', () => {
    const target = dev.artifacts.find((a) => a.engine === 'kubernetes')!;
    const held = dev.artifacts.map((a) => (a === target ? { ...a, content: `${a.content}# appended\n` } : a));
    const error = refusal(() => verifiedArtifactSet(root, manifest, held));
    expect(error.message).toContain(`out/${manifest.env}/${target.path}`);
    expect(error.message).toContain('sha256');
  });
});
