import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/main';
import { cacheSeal } from '../../core/cache-seal';
import { stableJson } from '../../core/canonical-json';
import { recordApprovedState } from '../../policies/approvals/approved-state';
import { useSynthCache } from '../../stacks/cache';
import { combinedDigest, requireManifest, scopesDigest, type Manifest } from '../../stacks/manifest';
import { scopeRecordKey } from '../../stacks/scope-record';
import { scopedResources } from '../../stacks/scopes';
import { renderLoaded, synthEnvironment } from '../../stacks/synth';
import { captureIO, environmentInput, tempProject, writeEnvironmentJson } from '../helpers';

// Wrapped so the test sees which artifacts are parsed and whether the environment is rendered.
jest.mock('../../stacks/scopes', () => {
  const actual = jest.requireActual<typeof import('../../stacks/scopes')>('../../stacks/scopes');
  return { ...actual, scopedResources: jest.fn(actual.scopedResources) };
});
jest.mock('../../stacks/synth', () => {
  const actual = jest.requireActual<typeof import('../../stacks/synth')>('../../stacks/synth');
  return { ...actual, renderLoaded: jest.fn(actual.renderLoaded) };
});

const parsing = scopedResources as jest.MockedFunction<typeof scopedResources>;
const rendering = renderLoaded as jest.MockedFunction<typeof renderLoaded>;
const PORTAL = 'open-data-portal';

describe('ndc diff reading out/<env>/ without rendering it (stacks/recorded-render.ts)', () => {
  let root: string;
  let approved: Manifest;
  beforeAll(() => {
    root = tempProject('ndc-diff-recorded-');
    rmSync(join(root, 'environments', 'dev.ts'));
    const dev = environmentInput('dev');
    writeEnvironmentJson(root, 'dev', dev);
    // Synthesized through the cache, as ndc synth does: its entries and the scope record are what a diff recognizes.
    const previous = useSynthCache(true);
    try {
      synthEnvironment(root, 'dev');
      approved = requireManifest(root, 'dev');
      recordApprovedState(root, approved, new Date('2026-11-20T09:00:00.000Z'));
      const portal = dev.systems!.find((s) => s.id === PORTAL)!;
      portal.flows = [...(portal.flows ?? []), { from: 'dmz', to: 'internal-server', protocol: 'tcp', ports: 9090 }];
      writeEnvironmentJson(root, 'dev', dev);
      synthEnvironment(root, 'dev');
    } finally {
      useSynthCache(previous);
    }
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  beforeEach(() => {
    parsing.mockClear();
    rendering.mockClear();
  });

  async function diff(...args: string[]) {
    const { io, out, err } = captureIO(root);
    const code = await main(['diff', '--env', 'dev', ...args], io);
    return { code, out: out.join('\n'), err };
  }

  /** The diff computed in full: --no-cache renders afresh and parses every artifact. */
  async function full(...args: string[]) {
    const result = await diff(...args, '--no-cache');
    expect(rendering).toHaveBeenCalled();
    rendering.mockClear();
    parsing.mockClear();
    return result.out;
  }

  function parsedArtifacts(): Set<string> {
    return new Set(parsing.mock.calls.flatMap(([artifacts]) => artifacts.map((a) => a.path)));
  }

  it('prints byte for byte what the full computation prints, in every format, without rendering', async () => {
    for (const format of ['text', 'json', 'markdown']) {
      const fast = await diff('--format', format);
      expect(fast.code).toBe(0);
      expect(fast.err).toEqual([]);
      expect(rendering).not.toHaveBeenCalled();
      expect(fast.out).toBe(await full('--format', format));
    }
    expect((await diff()).out).toMatch(/^open-data-portal \(level 2\): /m);
  });

  it('parses only the artifacts that hold the changed scope', async () => {
    const manifest = requireManifest(root, 'dev');
    const listed = JSON.parse(readFileSync(join(root, 'out', 'dev', 'resources.json'), 'utf8')) as { resources: { scope: string; artifact: string }[] };
    const portalArtifacts = new Set(listed.resources.filter((r) => r.scope === PORTAL).map((r) => r.artifact));
    expect(portalArtifacts.size).toBeLessThan(manifest.artifacts.length);
    await diff();
    expect(rendering).not.toHaveBeenCalled();
    expect(parsedArtifacts()).toEqual(portalArtifacts);
    // The full computation parses every one of them.
    await diff('--no-cache');
    expect(parsedArtifacts()).toEqual(new Set(manifest.artifacts.map((a) => a.path)));
  });

  function currentRecordOf(digest: string): object {
    const key = scopeRecordKey(digest)!;
    return JSON.parse(cacheSeal.openSealed(`dev/scopes:${key}`, readFileSync(join(root, '.ndc', 'cache', 'dev', 'scopes', `${key}.json`), 'utf8'))!) as object;
  }

  /** The scope record of the current manifest: its file, the store's seal purpose and its value. */
  function currentRecord() {
    const digest = requireManifest(root, 'dev').digest;
    const key = scopeRecordKey(digest)!;
    const file = join(root, '.ndc', 'cache', 'dev', 'scopes', `${key}.json`);
    const purpose = `dev/scopes:${key}`;
    const value = JSON.parse(cacheSeal.openSealed(purpose, readFileSync(file, 'utf8'))!) as { digest: string; artifactsOf: Record<string, string[]> };
    expect(value.digest).toBe(digest);
    return { file, purpose, value };
  }

  it('does not believe a scope record that leaves out an artifact of a shown scope, even sealed with this machine\'s key: it renders instead, and shows the same', async () => {
    const expected = await full();
    const { file, purpose, value } = currentRecord();
    expect(value.artifactsOf[PORTAL].length).toBeGreaterThan(1);
    value.artifactsOf[PORTAL] = value.artifactsOf[PORTAL].slice(1);
    // Sealed as this machine writes entries, so only the Merkle root of what the artifacts hold tells.
    writeFileSync(file, cacheSeal.sealText(purpose, JSON.stringify(value))!);
    const result = await diff();
    expect(rendering).toHaveBeenCalled();
    expect(result.out).toBe(expected);
  });

  it('does not read a scope record without this machine\'s seal (planted in the project)', async () => {
    await diff();
    expect(rendering).not.toHaveBeenCalled();
    const { file, value } = currentRecord();
    writeFileSync(file, JSON.stringify(value));
    const expected = await full();
    // The full render above recorded it again, sealed: plant the unsealed copy once more and diff.
    writeFileSync(file, JSON.stringify(value));
    const result = await diff();
    expect(rendering).toHaveBeenCalled();
    expect(result.out).toBe(expected);
  });

  it('does not believe an artifact edited in out/<env>/: it synthesizes again, as before', async () => {
    const expected = await full();
    const manifest = requireManifest(root, 'dev');
    const listed = JSON.parse(readFileSync(join(root, 'out', 'dev', 'resources.json'), 'utf8')) as { resources: { scope: string; artifact: string }[] };
    const portalArtifacts = new Set(listed.resources.filter((r) => r.scope === PORTAL).map((r) => r.artifact));
    // An artifact no shown scope needs, so only the check of every file against the manifest can notice it.
    const other = manifest.artifacts.find((a) => a.path.endsWith('.json') && !portalArtifacts.has(a.path))!;
    const file = join(root, 'out', 'dev', other.path);
    writeFileSync(file, `${readFileSync(file, 'utf8')} `);
    const result = await diff();
    expect(rendering).toHaveBeenCalled();
    expect(result.err).toEqual([expect.stringContaining(`ndc diff: synthesized out/dev/ first (out/dev/ does not match its manifest (${other.path}`)]);
    expect(result.out).toBe(expected);
  });

  it('does not believe a manifest edited to give the changed scope its approved digest', async () => {
    // A change that leaves the portal's reachability as approved (a bigger volume), so only the scope record tells the forgery.
    const dev = environmentInput('dev');
    dev.systems!.find((s) => s.id === PORTAL)!.tiers![0].volumeGb = 30;
    writeEnvironmentJson(root, 'dev', dev);
    const previous = useSynthCache(true);
    try {
      synthEnvironment(root, 'dev');
    } finally {
      useSynthCache(previous);
    }
    const expected = await full();
    expect(expected).toMatch(/^open-data-portal \(level 2\): /m);
    const manifest = requireManifest(root, 'dev');
    const approvedPortal = approved.scopes.find((s) => s.id === PORTAL)!;
    const currentPortal = manifest.scopes.find((s) => s.id === PORTAL)!;
    expect(currentPortal.reach).toBe(approvedPortal.reach);
    expect(currentPortal.digest).not.toBe(approvedPortal.digest);
    // Every digest of the forged manifest is its own, so only recomputing (or the record of what was computed) can tell.
    const scopes = manifest.scopes.map((s) => (s.id === PORTAL ? approvedPortal : s));
    const digests = { ...manifest.digests, scopes: scopesDigest(scopes, manifest.resources) };
    const forged = combinedDigest(digests);
    writeFileSync(join(root, 'out', 'dev', 'manifest.json'), stableJson({ ...manifest, scopes, digests, digest: forged }));
    // With a record of the forged digest planted beside it, as the genuine record reads but without this machine's seal.
    const planted = join(root, '.ndc', 'cache', 'dev', 'scopes', `${scopeRecordKey(forged)!}.json`);
    writeFileSync(planted, JSON.stringify({ ...currentRecordOf(manifest.digest), digest: forged }));
    const result = await diff();
    expect(rendering).toHaveBeenCalled();
    expect(result.err).toEqual([expect.stringContaining('ndc diff: synthesized out/dev/ first')]);
    expect(result.out).toBe(expected);
  });
});
