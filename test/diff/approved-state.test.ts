import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stableJson } from '../../core/canonical-json';
import { InputError } from '../../core/errors';
import { latestApprovedDigest, readApprovedState, writeApprovedState } from '../../policies/approvals/approved-state';
import { resourceDigest } from '../../stacks/scope-state';
import { merkleRoot, scopeDigestOf } from '../../stacks/scopes';
import { BASE_RESOURCES, rule, stateOf } from './states';

describe('approved states under approvals/<env>/approved/', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'ndc-approved-state-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const first = stateOf('first', BASE_RESOURCES);
  const second = stateOf('second', [...BASE_RESOURCES, rule('open-data-portal', 9090)]);

  it('reads back what was written, and `approved` is the latest state every scope was approved in', () => {
    expect(latestApprovedDigest(root, 'prod')).toBeUndefined();
    writeApprovedState(root, second.manifest, second.state, new Date('2026-11-02T00:00:00Z'));
    writeApprovedState(root, first.manifest, first.state, new Date('2026-11-01T00:00:00Z'));
    expect(latestApprovedDigest(root, 'prod')).toBe(second.state.digest);
    // Approving the first digest again (a revert) makes it the latest.
    writeApprovedState(root, first.manifest, first.state, new Date('2026-11-03T00:00:00Z'));
    expect(latestApprovedDigest(root, 'prod')).toBe(first.state.digest);
    const read = readApprovedState(root, 'prod', first.state.digest);
    expect(read.scopes).toEqual(first.state.scopes);
    expect(read.approvedAt).toBe('2026-11-03T00:00:00.000Z');
  });

  function tamper(edit: (file: { scopes: { id: string; digest: string; root: string; reach: string; resources: { address: string; sha256: string; body: Record<string, unknown> }[] }[] }) => void): () => unknown {
    const { shown } = writeApprovedState(root, first.manifest, first.state, new Date('2026-11-01T00:00:00Z'));
    const path = join(root, shown);
    const content = JSON.parse(readFileSync(path, 'utf8'));
    edit(content);
    writeFileSync(path, stableJson(content));
    return () => readApprovedState(root, 'prod', first.state.digest);
  }

  const portal = (file: Parameters<Parameters<typeof tamper>[0]>[0]) => file.scopes.find((s) => s.id === 'open-data-portal')!;

  it('refuses a state whose resource attributes were edited', () => {
    const read = tamper((file) => (portal(file).resources[0].body.port_range_min = 1));
    expect(read).toThrow(InputError);
    expect(read).toThrow(/approved\/[0-9a-f]{64}\.json: scopes\[open-data-portal\]\.resources\[.*\]: its attributes do not hash to its sha256; the file was edited after approval/);
  });

  it('refuses a state whose resource was edited with its sha256 recomputed (the scope Merkle root no longer matches)', () => {
    const read = tamper((file) => {
      const resource = portal(file).resources[0];
      resource.body.port_range_min = 1;
      resource.sha256 = resourceDigest(resource.body);
    });
    expect(read).toThrow(/scopes\[open-data-portal\]\.root: is not the Merkle root of its resources/);
  });

  it('refuses a state whose resource, sha256 and Merkle root were all recomputed (the scope digest no longer matches)', () => {
    const read = tamper((file) => {
      const scope = portal(file);
      scope.resources[0].body.port_range_min = 1;
      scope.resources[0].sha256 = resourceDigest(scope.resources[0].body);
      scope.root = merkleRoot(scope.resources);
    });
    expect(read).toThrow(/scopes\[open-data-portal\]\.digest: is not the digest of its id, level, Merkle root and reachability/);
  });

  it('refuses a state whose scope was rebuilt consistently from edited attributes: the manifest records the approved scope digest', () => {
    const read = tamper((file) => {
      const scope = portal(file);
      scope.resources[0].body.port_range_min = 1;
      scope.resources[0].sha256 = resourceDigest(scope.resources[0].body);
      scope.root = merkleRoot(scope.resources);
      scope.digest = scopeDigestOf('open-data-portal', 2, scope.root, scope.reach);
    });
    expect(read).toThrow(/scopes\[open-data-portal\]\.digest: is [0-9a-f]{12}\.\.\., but its manifest records [0-9a-f]{12}\.\.\./);
  });

  it('refuses a state whose manifest was edited, or that is filed under another digest', () => {
    expect(tamper((file) => ((file as unknown as { manifest: { stage: string } }).manifest.stage = 'dev'))).toThrow(/manifest: manifest\.json \(its body/);
    expect(tamper((file) => ((file as unknown as { digest: string }).digest = 'a'.repeat(64)))).toThrow(/digest: is aaaaaaaaaaaa\.\.\., but the file is named after/);
  });
});
