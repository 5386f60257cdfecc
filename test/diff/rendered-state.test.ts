import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyArtifacts } from '../../stacks/manifest';
import { environmentState, renderedState } from '../../stacks/scope-state';
import { renderEnvironment, staleReason, synthEnvironment } from '../../stacks/synth';
import { tempProject } from '../helpers';
import { BASE_RESOURCES, manifestOf, rule } from './states';

describe('the current state of a render', () => {
  it('takes each scope digest from the manifest built from the same resources: the same as computing them again', () => {
    const resources = [...BASE_RESOURCES, rule('open-data-portal', 9090)].sort((a, b) => (a.address < b.address ? -1 : 1));
    const manifest = manifestOf('render', resources);
    const reach = new Map<string, readonly string[]>();
    const summary = (state: ReturnType<typeof environmentState>) => state.scopes.map((s) => ({ id: s.id, level: s.level, digest: s.digest, root: s.root, reach: s.reach, addresses: s.resources.map((r) => r.address) }));
    expect(summary(renderedState(manifest, resources, reach))).toEqual(summary(environmentState(manifest, resources, reach)));
    // A scope the manifest does not record is computed from its resources.
    const unrecorded = { ...manifest, scopes: manifest.scopes.filter((s) => s.id !== 'open-data-portal') };
    expect(summary(renderedState(unrecorded, resources, reach))).toEqual(summary(environmentState(manifest, resources, reach)));
  });
});

describe('out/<env>/ checked against a render of the same digest', () => {
  let root: string;
  beforeAll(() => {
    root = tempProject('ndc-rendered-state-');
    synthEnvironment(root, 'dev');
  });

  it('is fresh as written, and stale once resources.json was edited, naming it', () => {
    const rendered = renderEnvironment(root, 'dev');
    expect(staleReason(root, rendered)).toBeUndefined();
    const file = join(root, 'out', 'dev', 'resources.json');
    const original = readFileSync(file, 'utf8');
    // Move one resource to another scope in resources.json alone: the artifacts and manifest are untouched.
    const content = JSON.parse(original) as { resources: { scope: string; kind: string }[] };
    const moved = content.resources.find((r) => r.kind === 'resource' && r.scope !== 'national-cloud-platform')!;
    moved.scope = 'national-cloud-platform';
    writeFileSync(file, `${JSON.stringify(content, null, 2)}\n`);
    try {
      expect(verifyArtifacts(root, rendered.manifest, rendered.manifest)).toEqual(["resources.json (not the file the manifest's resources.sha256 names)"]);
      expect(staleReason(root, rendered)).toMatch(/^out\/dev\/ does not match its manifest \(resources\.json/);
      // Without a render in hand the artifacts are parsed again, and the edit is found the same way.
      expect(verifyArtifacts(root, rendered.manifest).join('\n')).toMatch(/resources\.json/);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('is stale when an artifact was edited, whatever the render', () => {
    const rendered = renderEnvironment(root, 'dev');
    const artifact = rendered.manifest.artifacts.find((a) => a.path.endsWith('.tf.json'))!;
    const file = join(root, 'out', 'dev', artifact.path);
    const original = readFileSync(file, 'utf8');
    mkdirSync(join(root, 'out', 'dev'), { recursive: true });
    writeFileSync(file, original.replace('"', ' "'));
    try {
      expect(verifyArtifacts(root, rendered.manifest, rendered.manifest)).toEqual([artifact.path]);
    } finally {
      writeFileSync(file, original);
    }
  });
});
