import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/main';
import { latestApprovedDigest, recordApprovedState } from '../../policies/approvals/approved-state';
import { readTrustStore, versionHash, writeTrustStore, type TrustVersionBody } from '../../policies/approvals/trust-store';
import { keyOf, reviewerEntry } from '../approvals/fixture';
import { removeTree, takeSnapshot } from '../../deploy/snapshot';
import { requireManifest, type Manifest } from '../../stacks/manifest';
import { synthEnvironment } from '../../stacks/synth';
import { captureIO, environmentInput, tempProject, writeEnvironmentJson } from '../helpers';

describe('ndc diff against the approved state and stored digests (dev, synthesized once)', () => {
  let root: string;
  let approved: Manifest;
  beforeAll(() => {
    root = tempProject('ndc-diff-');
    // As JSON, so the changed environment is read again (a .ts environment stays in the require cache).
    rmSync(join(root, 'environments', 'dev.ts'));
    const dev = environmentInput('dev');
    writeEnvironmentJson(root, 'dev', dev);
    synthEnvironment(root, 'dev');
    approved = requireManifest(root, 'dev');
    recordApprovedState(root, approved, new Date('2026-11-20T09:00:00.000Z'));
    takeSnapshot(root, approved);
    // The change under review, made after the approval: a flow on port 9090 inside the level-2 portal (DMZ to its internal servers).
    const portal = dev.systems!.find((s) => s.id === 'open-data-portal')!;
    portal.flows = [...(portal.flows ?? []), { from: 'dmz', to: 'internal-server', protocol: 'tcp', ports: 9090 }];
    writeEnvironmentJson(root, 'dev', dev);
  });
  afterAll(() => {
    removeTree(join(root, '.ndc', 'snapshots'));
    rmSync(root, { recursive: true, force: true });
  });

  async function diff(...args: string[]) {
    const { io, out, err } = captureIO(root);
    const code = await main(['diff', '--env', 'dev', ...args], io);
    return { code, out: out.join('\n'), err };
  }

  it('by default compares with the last approved state: only the changed system, its new rule, who must sign', async () => {
    const result = await diff();
    expect(result.code).toBe(0);
    expect(result.out).toContain(`against the last approved state (approvals/dev/approved/${approved.digest}.json; its scopes are not checked against signed approvals (no trust store in force: set NDC_TRUST_ROOT)) (digest ${approved.digest.slice(0, 12)}..., approved 2026-11-20T09:00:00.000Z)`);
    expect(result.out).toMatch(/^1 of \d+ scope\(s\) changed/m);
    expect(result.out).toMatch(/^open-data-portal \(level 2\): /m);
    expect(result.out).toMatch(/^ {6}port_range_min: 22 -> 9090$|^ {6}\+port_range_min: 9090$/m);
    expect(result.out).toContain('must sign again: security-unit');
    expect(result.out).not.toMatch(/^e-document-exchange \(/m);
  });

  it('the HTML reports of ndc start and ndc check show the same change since the last approval', async () => {
    const section = (html: string) => html.slice(html.indexOf('<h2 id="change">'), html.indexOf('<h2 id="overrides">'));
    const { io } = captureIO(root);
    expect(await main(['start', '--env', 'dev'], io)).toBe(0);
    const started = section(readFileSync(join(root, 'reports', 'dev', 'report.html'), 'utf8'));
    expect(started).toContain(`Against the last approved state (approvals/dev/approved/${approved.digest}.json`);
    expect(started).toContain('1 scope(s) changed.');
    expect(started).toMatch(/<td>open-data-portal \(level 2\)<\/td><td><code>kubernetes\/north.yaml#NetworkPolicy/);
    expect(started).toContain('<code>terraform/cluster-north/cdk.tf.json#openstack_networking_secgroup_rule_v2.open-data-portal-');
    expect(started).toContain('<code>+ reach: in vm:north/open-data-portal/web -&gt; vm:north/open-data-portal/catalog tcp/8080,tcp/9090</code>');
    expect(started).toContain('<td>security-unit</td>');
    expect(started).not.toContain('Not computed');
    const checked = captureIO(root);
    await main(['check', '--env', 'dev', '--format', 'html', '--output', 'check.html'], checked.io);
    expect(section(readFileSync(join(root, 'check.html'), 'utf8'))).toBe(started);
    // Without an approved state the section says so instead of showing an empty change.
    const states = join(root, 'approvals', 'dev', 'approved');
    renameSync(states, `${states}.aside`);
    try {
      await main(['check', '--env', 'dev', '--format', 'html', '--output', 'check.html'], captureIO(root).io);
      expect(section(readFileSync(join(root, 'check.html'), 'utf8'))).toContain('No approved state of dev yet');
    } finally {
      renameSync(`${states}.aside`, states);
    }
  });

  it('prints json (schema ndc/diff/v1) and markdown, and refuses another format', async () => {
    const json = JSON.parse((await diff('--format', 'json')).out) as { schema: string; against: { kind: string; digest: string }; scopes: { id: string }[] };
    expect(json).toMatchObject({ schema: 'ndc/diff/v1', against: { kind: 'approved', digest: approved.digest } });
    expect(json.scopes.map((s) => s.id)).toEqual(['open-data-portal']);
    const markdown = (await diff('--format', 'markdown')).out;
    expect(markdown).toMatch(/^### ndc diff: dev$/m);
    expect(markdown).toMatch(/^\| open-data-portal \| 2 \| \d+ \| \d+ \| \d+ \| 0 \| security-unit \|$/m);
    const bad = await diff('--format', 'yaml');
    expect(bad.code).toBe(2);
    expect(bad.err).toEqual(['ndc diff: --format: "yaml" is not a diff format (formats: text, json, markdown)']);
  });

  it('finds a stored approved state, then a deploy snapshot, by a digest prefix', async () => {
    const prefix = approved.digest.slice(0, 10);
    expect(JSON.parse((await diff('--against', prefix, '--format', 'json')).out).against).toMatchObject({ kind: 'approved-state', digest: approved.digest });
    const file = join(root, 'approvals', 'dev', 'approved', `${approved.digest}.json`);
    renameSync(file, `${file}.away`);
    try {
      const viaSnapshot = JSON.parse((await diff('--against', prefix, '--format', 'json')).out) as { against: { kind: string; source: string }; scopes: { id: string }[] };
      expect(viaSnapshot.against).toMatchObject({ kind: 'snapshot', source: `deploy snapshot .ndc/snapshots/${approved.digest}` });
      expect(viaSnapshot.scopes.map((s) => s.id)).toEqual(['open-data-portal']);
      const none = await diff();
      expect(none.code).toBe(2);
      expect(none.err).toEqual([expect.stringMatching(/^ndc diff: --against approved: no approved state of dev yet/)]);
    } finally {
      renameSync(`${file}.away`, file);
    }
  });

  it('refuses a tampered approved state in one line instead of diffing against it', async () => {
    const portal = approved.scopes.find((s) => s.id === 'open-data-portal')!;
    const file = join(root, 'approvals', 'dev', 'approved', 'scopes', `${portal.digest}.json`);
    const original = readFileSync(file, 'utf8');
    // Widen an approved rule, as someone hiding a change from reviewers would: the resource no longer hashes to its sha256.
    writeFileSync(file, original.replace(/"port_range_min":\s*8080/, '"port_range_min":1'));
    try {
      expect(readFileSync(file, 'utf8')).not.toBe(original);
      const result = await diff();
      expect(result.code).toBe(2);
      expect(result.out).toBe('');
      expect(result.err).toEqual([expect.stringMatching(/^ndc diff: approvals\/dev\/approved\/scopes\/[0-9a-f]{64}\.json: resources\[.+\]: its attributes do not hash to its sha256; the file was edited after approval/)]);
    } finally {
      writeFileSync(file, original);
    }
  });

  it('ndc approve shows the diff of the scopes it signs before signing, and records the approved state once every scope is approved', async () => {
    const reviewers = [reviewerEntry('su', ['security-unit'], ['*']), reviewerEntry('owner', ['system-owner'], ['*']), reviewerEntry('nca', ['national-authority'], ['*'])];
    const body: TrustVersionBody = { env: 'dev', version: 1, previous: null, threshold: 1, reviewers, revokedKeys: [] };
    writeTrustStore(root, 'dev', { versions: [{ body, signatures: [] }] });
    mkdirSync(join(root, 'keys'), { recursive: true });
    const approve = async (id: string) => {
      const key = join(root, 'keys', `${id}.key`);
      writeFileSync(key, keyOf(id).privatePem, { mode: 0o600 });
      const { io, out, err } = captureIO(root);
      const code = await main(['approve', '--env', 'dev', '--key', key, '--as', id], io, { NDC_TRUST_ROOT: versionHash(body), CHECKPOINT_DISABLE: '1' });
      return { code, out: out.join('\n'), err };
    };
    synthEnvironment(root, 'dev');
    const su = await approve('su');
    expect(su.err).toEqual([]);
    expect(su.code).toBe(0);
    // The diff comes before the signature, limited to the scopes signed; the approved state is not replaced yet.
    const diffAt = su.out.indexOf('Changes since the last approval, in the scopes being signed:');
    expect(diffAt).toBeGreaterThan(-1);
    expect(su.out.indexOf('\n  open-data-portal (level 2): ')).toBeGreaterThan(diffAt);
    expect(su.out.indexOf('wrote approvals/dev/')).toBeGreaterThan(diffAt);
    expect(latestApprovedDigest(root, 'dev')).toBe(approved.digest);
    expect((await approve('owner')).code).toBe(0);
    const last = await approve('nca');
    expect(last.code).toBe(0);
    const current = requireManifest(root, 'dev');
    expect(last.out).toContain(`recorded approvals/dev/approved/${current.digest}.json`);
    expect(existsSync(join(root, 'approvals', 'dev', 'approved', `${current.digest}.json`))).toBe(true);
    expect(latestApprovedDigest(root, 'dev')).toBe(current.digest);
    expect((await diff()).out).toMatch(/^No change: all \d+ scope\(s\) are as in the last approved state/m);
  });

  it('shows a scope in full when the approved state claims a digest no trusted reviewer signed (a planted baseline hides nothing)', async () => {
    const pin = versionHash(readTrustStore(root, 'dev')!.versions[0].body);
    const dev = environmentInput('dev');
    const portal = dev.systems!.find((s) => s.id === 'open-data-portal')!;
    portal.flows = [...(portal.flows ?? []), { from: 'dmz', to: 'internal-server', protocol: 'tcp', ports: 9091 }];
    writeEnvironmentJson(root, 'dev', dev);
    synthEnvironment(root, 'dev');
    // An author writes an approved state of exactly the changed environment, dated after every real one.
    const planted = requireManifest(root, 'dev');
    recordApprovedState(root, planted, new Date('2030-01-01T00:00:00.000Z'));
    expect(latestApprovedDigest(root, 'dev')).toBe(planted.digest);
    const unpinned = await diff();
    expect(unpinned.out).toContain('its scopes are not checked against signed approvals (no trust store in force: set NDC_TRUST_ROOT)');
    const { io, out } = captureIO(root);
    expect(await main(['diff', '--env', 'dev'], io, { NDC_TRUST_ROOT: pin })).toBe(0);
    const pinned = out.join('\n');
    expect(pinned).toContain('1 scope(s) of it no trusted reviewer signed, shown in full: open-data-portal');
    expect(pinned).toMatch(/^open-data-portal \(level 2\): /m);
    expect(pinned).not.toMatch(/^No change/m);
  });
});
