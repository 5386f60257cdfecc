import { copyFileSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { composeCommandLine } from '../../cli/composition';
import { sha256 } from '../../core/canonical-json';
import { approvalFileName } from '../../policies/approvals/statement';
import { COMPLETE, Fixture, keyOf, NOW, POLICY, reviewerEntry } from './fixture';

let f: Fixture;
beforeEach(() => {
  f = new Fixture('prod');
  f.trustStore();
});
afterEach(() => f.cleanup());

const fileOf = (reviewer: string) => f.path('approvals', 'prod', approvalFileName(reviewer, f.manifest.digest, 'deploy'));
const shownOf = (reviewer: string) => `approvals/prod/${approvalFileName(reviewer, f.manifest.digest, 'deploy')}`;
const editJson = (file: string, edit: (json: { statement: Record<string, unknown>; signature: string }) => void) => {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  edit(json);
  writeFileSync(file, JSON.stringify(json));
};

describe('the gate opens', () => {
  it('when every system has valid approvals for its level and nothing else is wrong', () => {
    f.approveAll();
    const result = f.gate();
    expect(result.reasons).toEqual([]);
    expect(result.open).toBe(true);
    expect(result.notCounting).toEqual([]);
    expect(result.trust).toMatchObject({ version: 1 });
    const bySystem = Object.fromEntries(result.perSystem.map((s) => [s.id, s.counted.map((c) => `${c.reviewer}:${c.role}`).sort()]));
    expect(bySystem).toEqual({
      'e-document-exchange': ['owner-go:system-owner', 'su-go:security-unit'],
      'open-data-portal': ['su-go:security-unit'],
      'population-db': ['nca-1:national-authority', 'nca-2:national-authority', 'owner-mps:system-owner'],
      'public-service-portal': ['nca-1:national-authority', 'owner-go:system-owner'],
    });
  });

  it('with approvals from a later trust-store version signed by the threshold of the one before', () => {
    f.addVersion((v1) => ({ ...v1, reviewers: [...v1.reviewers.filter((r) => r.id !== 'nca-2'), reviewerEntry('nca-3', ['national-authority'], ['*'])], revokedKeys: [keyOf('nca-2').keyId] }), ['nca-1', 'su-go']);
    for (const [reviewer, role, systems] of COMPLETE.filter(([r]) => r !== 'nca-2')) f.approve(reviewer, role, systems);
    f.approve('nca-3', 'national-authority', ['population-db']);
    const result = f.gate();
    expect(result.reasons).toEqual([]);
    expect(result.trust).toMatchObject({ version: 2 });
  });

  it('while an extra, broken approval file is present (it is reported, not counted)', () => {
    f.approveAll();
    writeFileSync(f.path('approvals', 'prod', 'zz-junk.json'), '{');
    const result = f.gate();
    expect(result.open).toBe(true);
    expect(result.notCounting).toEqual([{ file: 'approvals/prod/zz-junk.json', reason: expect.stringMatching(/^is not valid JSON/) }]);
  });

  it('in dev with fewer roles, as the dev environment asks', () => {
    const dev = new Fixture('dev');
    try {
      dev.trustStore();
      dev.approve('su-go', 'security-unit', ['e-document-exchange', 'open-data-portal']);
      dev.approve('nca-1', 'national-authority', ['population-db']);
      let result = dev.gate();
      expect(result.open).toBe(false);
      // Dev needs security-unit + system-owner at levels 4-5; national-authority does not count there.
      expect(result.reasons).toContain('population-db (level 5): missing security-unit approval (0 of 1 valid)');
      expect(result.notCounting).toContainEqual(expect.objectContaining({ system: 'population-db', reason: 'role national-authority does not count for population-db at level 5 (needs security-unit + system-owner)' }));
      const go = reviewerEntry('su-all', ['security-unit'], ['*']);
      dev.addVersion((v1) => ({ ...v1, reviewers: [...v1.reviewers, go] }), ['nca-1', 'nca-2']);
      dev.approve('su-all', 'security-unit', ['population-db', 'public-service-portal']);
      dev.approve('owner-go', 'system-owner', ['public-service-portal']);
      dev.approve('owner-mps', 'system-owner', ['population-db']);
      result = dev.gate();
      expect(result.reasons).toEqual([]);
      expect(result.open).toBe(true);
    } finally {
      dev.cleanup();
    }
  });
});

describe('tamper suite: the gate refuses, with the reason', () => {
  beforeEach(() => f.approveAll());

  const expectClosedWith = (reason: string | RegExp, result = f.gate()) => {
    expect(result.open).toBe(false);
    if (typeof reason === 'string') expect(result.reasons).toContain(reason);
    else expect(result.reasons).toEqual(expect.arrayContaining([expect.stringMatching(reason)]));
    return result;
  };

  it('an artifact changed after approval (the manifest digest changed)', () => {
    const old = f.manifest.digest;
    f.writeManifest({ ...f.manifest, digest: sha256('artifacts of prod v2'), artifacts: [{ ...f.manifest.artifacts[0], sha256: sha256('tf v2') }] });
    const result = expectClosedWith(
      `approvals/prod/${approvalFileName('su-go', old, 'deploy')}: does not count: approves digest ${old.slice(0, 12)}..., but the manifest digest is ${f.manifest.digest.slice(0, 12)}... (what would be deployed changed after approval)`,
    );
    expect(result.perSystem.every((s) => !s.approved)).toBe(true);
    expect(result.notCounting).toHaveLength(5);
  });

  it('a staging approval used on prod', () => {
    // The same reviewer is trusted in staging; their staging approval is copied into prod.
    f.trustStore(undefined, 2, 'staging');
    f.writeManifest({ ...f.manifest, env: 'staging' }, 'staging');
    const stagingFile = f.approve('su-go', 'security-unit', ['e-document-exchange', 'open-data-portal'], { env: 'staging' }, 'su-go', 'staging');
    unlinkSync(fileOf('su-go'));
    copyFileSync(stagingFile, fileOf('su-go'));
    expectClosedWith(`${shownOf('su-go')}: does not count: approves environment staging, not prod`);
    expectClosedWith('open-data-portal (level 2): missing security-unit approval (0 of 1 valid)');
  });

  it('an expired approval', () => {
    f.approve('su-go', 'security-unit', ['e-document-exchange', 'open-data-portal'], { expires: '2026-11-20T08:59:59.000Z' });
    expectClosedWith(`${shownOf('su-go')}: does not count: expired at 2026-11-20T08:59:59.000Z`);
    // One second earlier it was still valid.
    expect(f.gate({ now: new Date('2026-11-20T08:59:58.000Z') }).open).toBe(true);
  });

  it('a revoked key', () => {
    // Version 2 removes su-go and revokes the key; su-go's approval, still on disk, no longer counts.
    f.addVersion((v1) => ({ ...v1, reviewers: v1.reviewers.filter((r) => r.id !== 'su-go'), revokedKeys: [keyOf('su-go').keyId] }), ['nca-1', 'nca-2']);
    expectClosedWith(`${shownOf('su-go')}: does not count: key ${keyOf('su-go').keyId.slice(0, 16)}... of su-go is revoked (trust store version 2)`);
  });

  it('an unknown key: a reviewer the trust store does not know', () => {
    f.approve('mallory', 'security-unit', ['open-data-portal']);
    unlinkSync(fileOf('su-go'));
    expectClosedWith(`${shownOf('mallory')}: does not count: unknown key: mallory is not a reviewer in trust store version 1`);
  });

  it('an unknown key: a known reviewer id signed with another key', () => {
    f.approve('su-go', 'security-unit', ['e-document-exchange', 'open-data-portal'], { keyId: keyOf('mallory').keyId }, 'mallory');
    expectClosedWith(`${shownOf('su-go')}: does not count: unknown key: ${keyOf('mallory').keyId.slice(0, 16)}... is not su-go's key in trust store version 1`);
  });

  it('the wrong role for the level', () => {
    // A security-unit approval of a level-4 system, which needs national-authority and system-owner.
    unlinkSync(fileOf('nca-1'));
    f.approve('su-go', 'security-unit', ['e-document-exchange', 'open-data-portal', 'public-service-portal']);
    const result = expectClosedWith(`${shownOf('su-go')}: does not count for public-service-portal: role security-unit does not count for public-service-portal at level 4 (needs national-authority + system-owner)`);
    expect(result.reasons).toContain('public-service-portal (level 4): missing national-authority approval (0 of 1 valid)');
    // It still counts where the role is the right one.
    expect(result.perSystem.find((s) => s.id === 'open-data-portal')!.approved).toBe(true);
  });

  it('a role the reviewer does not hold', () => {
    unlinkSync(fileOf('owner-go'));
    f.approve('su-go', 'system-owner', ['e-document-exchange', 'public-service-portal']);
    expectClosedWith(`${shownOf('su-go')}: does not count: su-go does not hold role system-owner in trust store version 1 (holds security-unit)`);
  });

  it('a system outside the reviewer’s agencies', () => {
    unlinkSync(fileOf('owner-mps'));
    f.approve('owner-go', 'system-owner', ['e-document-exchange', 'population-db', 'public-service-portal']);
    expectClosedWith(/does not count for population-db: owner-go may not approve population-db \(owner Ministry of Public Security; allowed: Government Office\)$/);
  });

  it('the same reviewer twice (one key counts once)', () => {
    // nca-2 drops out; nca-1's approval appears twice, under two names.
    unlinkSync(fileOf('nca-2'));
    copyFileSync(fileOf('nca-1'), f.path('approvals', 'prod', 'zz-nca-1-copy.json'));
    const result = expectClosedWith('population-db (level 5): missing national-authority approval (1 of 2 valid)');
    expect(result.reasons).toContain(`approvals/prod/zz-nca-1-copy.json: does not count: nca-1's key already counts through ${shownOf('nca-1')} (one key counts once)`);
  });

  it('the same reviewer twice under two roles', () => {
    // A reviewer holding both roles cannot fill both slots of a level-3 system.
    f.addVersion((v1) => ({ ...v1, reviewers: v1.reviewers.map((r) => (r.id === 'owner-go' ? { ...r, roles: ['security-unit', 'system-owner'] } : r)) }), ['nca-1', 'nca-2']);
    unlinkSync(fileOf('su-go'));
    f.approve('owner-go', 'system-owner', ['e-document-exchange', 'public-service-portal']);
    // The deterministic file name would make the second approval replace the first: move the first aside.
    renameSync(fileOf('owner-go'), f.path('approvals', 'prod', 'zz-owner-go.json'));
    f.approve('owner-go', 'security-unit', ['e-document-exchange', 'open-data-portal']);
    const result = expectClosedWith(/^e-document-exchange \(level 3\): missing (security-unit|system-owner) approval \(0 of 1 valid\)$/);
    expect(result.reasons).toContain(`approvals/prod/zz-owner-go.json: does not count: owner-go's key already counts through ${shownOf('owner-go')} (one key counts once)`);
  });

  it('the same system listed twice in one signed approval (a level-5 slot filled twice by one key)', () => {
    unlinkSync(fileOf('nca-2'));
    f.approve('nca-1', 'national-authority', ['population-db', 'population-db', 'public-service-portal']);
    const result = expectClosedWith('population-db (level 5): missing national-authority approval (1 of 2 valid)');
    expect(result.reasons).toContain(`${shownOf('nca-1')}: does not count for population-db: lists population-db more than once (one key counts once)`);
  });

  it('an approval file that cannot be read', () => {
    unlinkSync(fileOf('nca-2'));
    mkdirSync(f.path('approvals', 'prod', 'nca-2-dir.json'));
    expectClosedWith('approvals/prod/nca-2-dir.json: does not count: cannot be read (EISDIR)');
  });

  it('the author approving their own change (separation of duties)', () => {
    const result = expectClosedWith(`${shownOf('owner-go')}: does not count: owner-go is the author of this change and cannot approve it (separation of duties)`, f.gate({ author: 'owner-go' }));
    expect(result.reasons).toContain('e-document-exchange (level 3): missing system-owner approval (0 of 1 valid)');
    expect(result.reasons).toContain('public-service-portal (level 4): missing system-owner approval (0 of 1 valid)');
    expect(f.gate({ author: 'someone-else' }).open).toBe(true);
  });

  it('the author from NDC_CHANGE_AUTHOR, read by the composition root and passed to the gate', () => {
    const { changeAuthor } = composeCommandLine(f.io(), { NDC_CHANGE_AUTHOR: 'nca-2' });
    expectClosedWith(`${shownOf('nca-2')}: does not count: nca-2 is the author of this change and cannot approve it (separation of duties)`, f.gate({ author: changeAuthor }));
  });

  it('decides from the author and trust roots it is given, never from the process environment', () => {
    process.env.NDC_CHANGE_AUTHOR = 'nca-2';
    process.env.NDC_TRUST_ROOT = 'f'.repeat(64);
    try {
      expect(f.gate().open).toBe(true);
      expect(f.gate({ author: 'nca-2' }).open).toBe(false);
      expect(f.gate({ trustRoots: ['f'.repeat(64)] }).open).toBe(false);
    } finally {
      delete process.env.NDC_CHANGE_AUTHOR;
      delete process.env.NDC_TRUST_ROOT;
    }
  });

  it('signature bytes flipped', () => {
    editJson(fileOf('owner-mps'), (json) => {
      const bytes = Buffer.from(json.signature, 'base64');
      bytes[10] ^= 0x01;
      json.signature = bytes.toString('base64');
    });
    expectClosedWith(`${shownOf('owner-mps')}: does not count: signature does not verify against owner-mps's key ${keyOf('owner-mps').keyId.slice(0, 16)}... (the file was altered after signing)`);
  });

  it('a payload field edited (expiry pushed out)', () => {
    editJson(fileOf('owner-mps'), (json) => {
      json.statement.expires = '2027-01-01T00:00:00.000Z';
    });
    expectClosedWith(/owner-mps-[0-9a-f]{12}\.json: does not count: signature does not verify against owner-mps's key/);
  });

  it('a payload field edited (a system added)', () => {
    editJson(fileOf('su-go'), (json) => {
      (json.statement.systems as unknown[]).push({ id: 'population-db', level: 5 });
    });
    expectClosedWith(/su-go-[0-9a-f]{12}\.json: does not count: signature does not verify/);
  });

  it('a truncated approval file', () => {
    const text = readFileSync(fileOf('nca-2'), 'utf8');
    writeFileSync(fileOf('nca-2'), text.slice(0, text.length / 2));
    expectClosedWith(new RegExp(`^${shownOf('nca-2')}: does not count: is not valid JSON`));
    expectClosedWith('population-db (level 5): missing national-authority approval (1 of 2 valid)');
  });

  it('a non-JSON approval file', () => {
    writeFileSync(fileOf('nca-2'), 'approved by nca-2, honest\n');
    expectClosedWith(new RegExp(`^${shownOf('nca-2')}: does not count: is not valid JSON`));
  });

  it('JSON that is not an approval', () => {
    writeFileSync(fileOf('nca-2'), JSON.stringify({ statement: { env: 'prod' }, signature: 'x' }));
    expectClosedWith(`${shownOf('nca-2')}: does not count: is not an approval: statement.digest: Invalid input: expected string, received undefined`);
  });

  it('one of several systems missing its approvals', () => {
    unlinkSync(fileOf('owner-mps'));
    const result = f.gate();
    expect(result.open).toBe(false);
    expect(result.reasons).toEqual(['population-db (level 5): missing system-owner approval (0 of 1 valid)']);
    expect(result.perSystem.map((s) => [s.id, s.approved])).toEqual([
      ['e-document-exchange', true],
      ['open-data-portal', true],
      ['population-db', false],
      ['public-service-portal', true],
    ]);
  });

  it('a key outside its validity window', () => {
    f.addVersion((v1) => ({ ...v1, reviewers: v1.reviewers.map((r) => (r.id === 'owner-mps' ? { ...r, notAfter: '2026-11-19' } : r)) }), ['nca-1', 'nca-2']);
    expectClosedWith(`${shownOf('owner-mps')}: does not count: owner-mps's key is valid only from 2026-01-01 to 2026-11-19`);
  });

  it('an approval valid for longer than the environment allows', () => {
    f.approve('nca-2', 'national-authority', ['population-db'], { expires: '2027-01-01T00:00:00.000Z' });
    expectClosedWith(`${shownOf('nca-2')}: does not count: valid for more than the 30 days this environment allows`);
  });

  it('a change in the rule packs (policy digest)', () => {
    const result = expectClosedWith(new RegExp(`^${shownOf('su-go')}: does not count: approved under policy digest`), f.gate({ policy: { ...POLICY, policyDigest: sha256('rule packs v2') } }));
    expect(result.perSystem.every((s) => !s.approved)).toBe(true);
  });

  it('a mandatory finding, even with every approval present', () => {
    const result = f.gate({ policy: { ...POLICY, mandatoryFindings: [{ ruleId: 'NDC-NET-001', systemId: 'population-db', message: 'database zone reachable from the DMZ' }] } });
    expect(result.open).toBe(false);
    expect(result.reasons).toEqual(['mandatory finding NDC-NET-001 on population-db: database zone reachable from the DMZ']);
  });

  it('a security assessment that is not current', () => {
    const result = f.gate({ assessmentCurrent: (id) => (id === 'population-db' ? 'last assessed 2025-11-01; level 5 needs one every 6 months' : true) });
    expect(result.reasons).toEqual(['population-db: security assessment not current: last assessed 2025-11-01; level 5 needs one every 6 months']);
  });

  it('a trust store whose version 1 is not pinned', () => {
    const result = expectClosedWith(/^trust store: approvals\/prod\/trust-store\.json: version 1 \(sha256 [0-9a-f]{64}\) is not pinned; after checking it out of band, add it to NDC_TRUST_ROOT$/, f.gate({ trustRoots: [] }));
    expect(result.perSystem.every((s) => !s.approved)).toBe(true);
  });

  it('a pinned version 1 edited afterwards (adding a reviewer to it)', () => {
    const store = f.readTrustStoreFile();
    store.versions[0].body.reviewers.push(reviewerEntry('mallory', ['national-authority'], ['*']));
    writeFileSync(f.path('approvals', 'prod', 'trust-store.json'), JSON.stringify(store));
    expectClosedWith(/^trust store: .*version 1 \(sha256 [0-9a-f]{64}\) is not pinned/);
  });

  it('a reviewer adding their own key in the same change (version 2 not signed by version 1)', () => {
    // mallory adds herself and signs the new version herself: it stays pending, version 1 stays in force.
    f.addVersion((v1) => ({ ...v1, reviewers: [...v1.reviewers, reviewerEntry('mallory', ['national-authority'], ['*'])] }), ['mallory']);
    unlinkSync(fileOf('nca-2'));
    f.approve('mallory', 'national-authority', ['population-db']);
    const result = expectClosedWith(`${shownOf('mallory')}: does not count: unknown key: mallory is not a reviewer in trust store version 1`);
    expect(result.trust).toMatchObject({ version: 1 });
  });

  it('a reviewer granting themselves a role and signing it (their own entry changes)', () => {
    // Threshold 1 would let su-go alone sign version 2, but not a version that changes su-go's own entry.
    const store = f.readTrustStoreFile();
    store.versions[0].body.threshold = 1;
    writeFileSync(f.path('approvals', 'prod', 'trust-store.json'), JSON.stringify(store));
    f.trustRoots = [sha256(JSON.stringify(sortedBody(store.versions[0].body)))];
    f.addVersion((v1) => ({ ...v1, reviewers: v1.reviewers.map((r) => (r.id === 'su-go' ? { ...r, roles: ['national-authority', 'security-unit'], agencies: ['*'] } : r)) }), ['su-go']);
    unlinkSync(fileOf('nca-2'));
    f.approve('su-go', 'national-authority', ['population-db']);
    const result = expectClosedWith(`${shownOf('su-go')}: does not count: su-go does not hold role national-authority in trust store version 1 (holds security-unit)`);
    expect(result.trust).toMatchObject({ version: 1 });
  });

  it('a forged version 2 after a pending one (broken chain: nothing in the store is trusted)', () => {
    f.addVersion((v1) => ({ ...v1, threshold: 1 }), ['nca-1']);
    f.addVersion((v2) => ({ ...v2 }), ['nca-1', 'nca-2']);
    expectClosedWith(/^trust store: approvals\/prod\/trust-store\.json: version 2 has 1 of 2 required signatures but later versions follow it$/);
  });
});

it('verifies at NOW only: the fixture clock is what the gate uses', () => {
  f.approveAll();
  expect(f.gate({ now: new Date(NOW.getTime() + 8 * 86_400_000) }).reasons.filter((r) => r.includes('expired at'))).toHaveLength(5);
});

/** canonicalJson of a body, as versionHash computes it (sorted keys). */
function sortedBody(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(sortedBody);
  if (body && typeof body === 'object') return Object.fromEntries(Object.keys(body).sort().map((k) => [k, sortedBody((body as Record<string, unknown>)[k])]));
  return body;
}
