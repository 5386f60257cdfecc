import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  interface ScopeFile {
    id: string;
    level: number;
    digest: string;
    root: string;
    reach: string;
    resources: { address: string; sha256: string; body: Record<string, unknown> }[];
  }
  interface StateFile {
    scopes: { id: string; digest: string; root: string; resources: number }[];
  }

  /** Writes the first state, lets `edit` change its open-data-portal scope file and its index, and returns the read. */
  function tamper(edit: (scope: ScopeFile, index: StateFile) => void): () => unknown {
    const { shown } = writeApprovedState(root, first.manifest, first.state, new Date('2026-11-01T00:00:00Z'));
    const indexPath = join(root, shown);
    const index = JSON.parse(readFileSync(indexPath, 'utf8')) as StateFile;
    const scopePath = join(root, 'approvals/prod/approved/scopes', `${index.scopes.find((s) => s.id === 'open-data-portal')!.digest}.json`);
    const scope = JSON.parse(readFileSync(scopePath, 'utf8')) as ScopeFile;
    edit(scope, index);
    writeFileSync(indexPath, stableJson(index));
    writeFileSync(scopePath, stableJson(scope));
    return () => readApprovedState(root, 'prod', first.state.digest);
  }

  const portal = (file: StateFile) => file.scopes.find((s) => s.id === 'open-data-portal')!;

  it('keeps each scope\'s resources in a file of its own, shared by the states that hold the scope unchanged', () => {
    writeApprovedState(root, first.manifest, first.state, new Date('2026-11-01T00:00:00Z'));
    writeApprovedState(root, second.manifest, second.state, new Date('2026-11-02T00:00:00Z'));
    const scopeFiles = readdirSync(join(root, 'approvals/prod/approved/scopes')).sort();
    // Three scopes in the first state; the second changes only the portal, so one file more.
    expect(scopeFiles).toEqual([...new Set([...first.state.scopes, ...second.state.scopes].map((s) => `${s.digest}.json`))].sort());
    expect(scopeFiles).toHaveLength(4);
    const index = JSON.parse(readFileSync(join(root, `approvals/prod/approved/${first.state.digest}.json`), 'utf8')) as StateFile;
    expect(index.scopes.map((s) => s.resources)).toEqual(first.state.scopes.map((s) => s.resources.length));
  });

  it('reads only the scopes a diff shows: a scope verified otherwise is not read, and comes back without resources', () => {
    const { file } = writeApprovedState(root, first.manifest, first.state, new Date('2026-11-01T00:00:00Z'));
    const platform = first.state.scopes.find((s) => s.id === 'national-cloud-platform')!;
    // Its file gone: reading it is refused, unless the platform is verified at that digest.
    rmSync(join(root, 'approvals/prod/approved/scopes', `${platform.digest}.json`));
    expect(() => readApprovedState(root, 'prod', first.state.digest)).toThrow(/approved\/scopes\/[0-9a-f]{64}\.json: cannot be read \(ENOENT\)/);
    const read = readApprovedState(root, 'prod', first.state.digest, new Map([['national-cloud-platform', platform.digest]]));
    expect(read.scopes.find((s) => s.id === 'national-cloud-platform')!.resources).toEqual([]);
    expect(read.scopes.find((s) => s.id === 'open-data-portal')).toEqual(first.state.scopes.find((s) => s.id === 'open-data-portal'));
    // A verified map with another digest does not spare the read.
    expect(() => readApprovedState(root, 'prod', first.state.digest, new Map([['national-cloud-platform', 'f'.repeat(64)]]))).toThrow(/cannot be read/);
    expect(file).toContain(first.state.digest);
  });

  it('refuses a scope file that describes another scope or another count than its state records', () => {
    expect(tamper((scope) => (scope.level = 3))).toThrow(/approved\/scopes\/[0-9a-f]{64}\.json: level: is 3, but .* records 2 for open-data-portal/);
    expect(tamper((scope) => scope.resources.pop())).toThrow(/resources: lists 0, but .* records 1 for open-data-portal/);
  });

  it('still reads a state of the first format (every resource inline in one file), and checks it the same way', () => {
    const v1 = (edit: (scope: ScopeFile) => void = () => undefined) => {
      const { shown } = writeApprovedState(root, first.manifest, first.state, new Date('2026-11-01T00:00:00Z'));
      const path = join(root, shown);
      const index = JSON.parse(readFileSync(path, 'utf8')) as { schema: string; scopes: unknown[] };
      index.schema = 'ndc/approved-state/v1';
      index.scopes = first.state.scopes.map((s) => JSON.parse(JSON.stringify(s)) as ScopeFile);
      edit((index.scopes as ScopeFile[]).find((s) => s.id === 'open-data-portal')!);
      writeFileSync(path, stableJson(index));
      rmSync(join(root, 'approvals/prod/approved/scopes'), { recursive: true });
      return readApprovedState(root, 'prod', first.state.digest);
    };
    expect(v1().scopes).toEqual(first.state.scopes);
    expect(() => v1((scope) => (scope.resources[0].body.port_range_min = 1))).toThrow(/approved\/[0-9a-f]{64}\.json: scopes\[open-data-portal\]\.resources\[.*\]: its attributes do not hash to its sha256/);
  });

  it('refuses a state whose resource attributes were edited', () => {
    const read = tamper((scope) => (scope.resources[0].body.port_range_min = 1));
    expect(read).toThrow(InputError);
    expect(read).toThrow(/approved\/scopes\/[0-9a-f]{64}\.json: resources\[.*\]: its attributes do not hash to its sha256; the file was edited after approval/);
  });

  it('refuses a state whose resource was edited with its sha256 recomputed (the scope Merkle root no longer matches)', () => {
    const read = tamper((scope) => {
      const resource = scope.resources[0];
      resource.body.port_range_min = 1;
      resource.sha256 = resourceDigest(resource.body);
    });
    expect(read).toThrow(/approved\/scopes\/[0-9a-f]{64}\.json: root: is not the Merkle root of its resources/);
  });

  it('refuses a state whose resource, sha256 and Merkle root were all recomputed (the scope digest no longer matches)', () => {
    const read = tamper((scope, index) => {
      scope.resources[0].body.port_range_min = 1;
      scope.resources[0].sha256 = resourceDigest(scope.resources[0].body);
      scope.root = merkleRoot(scope.resources);
      portal(index).root = scope.root;
    });
    expect(read).toThrow(/scopes\[open-data-portal\]\.digest: is not the digest of its id, level, Merkle root and reachability/);
  });

  it('refuses a state whose scope was rebuilt consistently from edited attributes: the manifest records the approved scope digest', () => {
    const read = tamper((scope, index) => {
      scope.resources[0].body.port_range_min = 1;
      scope.resources[0].sha256 = resourceDigest(scope.resources[0].body);
      scope.root = merkleRoot(scope.resources);
      scope.digest = scopeDigestOf('open-data-portal', 2, scope.root, scope.reach);
      // The forged scope filed under its own digest, and the index pointing at it.
      Object.assign(portal(index), { root: scope.root, digest: scope.digest });
      writeFileSync(join(root, 'approvals/prod/approved/scopes', `${scope.digest}.json`), stableJson(scope));
    });
    expect(read).toThrow(/scopes\[open-data-portal\]\.digest: is [0-9a-f]{12}\.\.\., but its manifest records [0-9a-f]{12}\.\.\./);
  });

  it('refuses a state whose manifest was edited, or that is filed under another digest', () => {
    expect(tamper((_, file) => ((file as unknown as { manifest: { stage: string } }).manifest.stage = 'dev'))).toThrow(/manifest: manifest\.json \(its body/);
    expect(tamper((_, file) => ((file as unknown as { digest: string }).digest = 'a'.repeat(64)))).toThrow(/digest: is aaaaaaaaaaaa\.\.\., but the file is named after/);
  });
});
