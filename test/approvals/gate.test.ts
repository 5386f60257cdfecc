import { copyFileSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { composeCommandLine } from '../../cli/composition';
import { sha256 } from '../../core/canonical-json';
import { InputError } from '../../core/errors';
import { approvalFileName, statementScopesDigest } from '../../policies/approvals/statement';
import { versionHash, writeTrustStore } from '../../policies/approvals/trust-store';
import { COMPLETE, Fixture, keyOf, manifestFor, NOW, POLICY, reviewerEntry, scopesFor } from './fixture';

let f: Fixture;
beforeEach(() => {
  f = new Fixture('prod');
  f.trustStore();
});
afterEach(() => f.cleanup());

/** The file name of a reviewer's deploy approval of the scopes COMPLETE gives them, at the manifest's scope digests. */
const nameOf = (reviewer: string) => {
  const systems = COMPLETE.find(([r]) => r === reviewer)?.[2] ?? [];
  return approvalFileName(reviewer, statementScopesDigest(f.statement(reviewer, 'security-unit', systems).scopes), 'deploy');
};
const fileOf = (reviewer: string) => f.path('approvals', 'prod', nameOf(reviewer));
const shownAt = (file: string) => `approvals/prod/${basename(file)}`;
const shownOf = (reviewer: string) => `approvals/prod/${nameOf(reviewer)}`;
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
      'national-cloud-platform': ['nca-1:national-authority', 'owner-mps:system-owner'],
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

  it('in dev with the floor’s roles: one national-authority reviewer at level 5, as the dev environment asks', () => {
    const dev = new Fixture('dev');
    try {
      dev.trustStore();
      dev.approve('su-go', 'security-unit', ['e-document-exchange', 'open-data-portal']);
      dev.approve('nca-1', 'national-authority', ['national-cloud-platform', 'population-db', 'public-service-portal']);
      let result = dev.gate();
      expect(result.open).toBe(false);
      // Dev asks for the vn-2016 floor: the system owner from level 3, and one national authority at 4-5.
      expect(result.reasons).toContain('e-document-exchange (level 3): missing system-owner approval (0 of 1 valid)');
      expect(result.reasons).not.toContain('population-db (level 5): missing national-authority approval (1 of 2 valid)');
      const su = reviewerEntry('su-all', ['security-unit'], ['*']);
      dev.addVersion((v1) => ({ ...v1, reviewers: [...v1.reviewers, su] }), ['nca-1', 'nca-2']);
      // A security-unit approval does not count at level 5 in dev either.
      dev.approve('su-all', 'security-unit', ['population-db']);
      expect(dev.gate().notCounting).toContainEqual(expect.objectContaining({ system: 'population-db', reason: 'role security-unit does not count for population-db at level 5 (needs national-authority + system-owner)' }));
      dev.approve('owner-go', 'system-owner', ['e-document-exchange', 'public-service-portal']);
      dev.approve('owner-mps', 'system-owner', ['national-cloud-platform', 'population-db']);
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

  it('a scope changed after approval (its digest changed): only that scope\'s approvals stop counting', () => {
    const shown = shownOf('su-go');
    const old = f.manifest.scopes.find((s) => s.id === 'open-data-portal')!.digest;
    const { env, stage, profile, approvals, systems } = f.manifest;
    f.writeManifest(manifestFor({ env, stage, profile, approvals, systems }, sha256('artifacts of prod v2'), scopesFor(f.manifest, { 'open-data-portal': 'v2' })));
    const now = f.manifest.scopes.find((s) => s.id === 'open-data-portal')!.digest;
    const result = expectClosedWith(`${shown}: does not count for open-data-portal: approves open-data-portal at digest ${old.slice(0, 12)}..., but its current digest is ${now.slice(0, 12)}... (what it deploys changed after approval)`);
    expect(result.perSystem.filter((s) => !s.approved).map((s) => s.id)).toEqual(['open-data-portal']);
    expect(result.blocking).toEqual(['open-data-portal']);
    expect(result.notCounting).toHaveLength(1);
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
    const mallory = f.approve('mallory', 'security-unit', ['open-data-portal']);
    unlinkSync(fileOf('su-go'));
    expectClosedWith(`${shownAt(mallory)}: does not count: unknown key: mallory is not a reviewer in trust store version 1`);
  });

  it('an unknown key: a known reviewer id signed with another key', () => {
    f.approve('su-go', 'security-unit', ['e-document-exchange', 'open-data-portal'], { keyId: keyOf('mallory').keyId }, 'mallory');
    expectClosedWith(`${shownOf('su-go')}: does not count: unknown key: ${keyOf('mallory').keyId.slice(0, 16)}... is not su-go's key in trust store version 1 (expected ${keyOf('su-go').keyId.slice(0, 16)}...)`);
  });

  it('the wrong role for the level', () => {
    // A security-unit approval of a level-4 system, which needs national-authority and system-owner.
    unlinkSync(fileOf('nca-1'));
    const file = f.approve('su-go', 'security-unit', ['e-document-exchange', 'open-data-portal', 'public-service-portal']);
    const result = expectClosedWith(`${shownAt(file)}: does not count for public-service-portal: role security-unit does not count for public-service-portal at level 4 (needs national-authority + system-owner)`);
    expect(result.reasons).toContain('public-service-portal (level 4): missing national-authority approval (0 of 1 valid)');
    // It still counts where the role is the right one.
    expect(result.perSystem.find((s) => s.id === 'open-data-portal')!.approved).toBe(true);
  });

  it('a role the reviewer does not hold', () => {
    unlinkSync(fileOf('owner-go'));
    const file = f.approve('su-go', 'system-owner', ['e-document-exchange', 'public-service-portal']);
    expectClosedWith(`${shownAt(file)}: does not count: su-go does not hold role system-owner in trust store version 1 (holds security-unit)`);
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
    expect(result.reasons).toContain(`approvals/prod/zz-nca-1-copy.json: does not count for population-db: nca-1's key already counts for population-db through ${shownOf('nca-1')} (one key counts once)`);
  });

  it('the same reviewer twice under two roles', () => {
    // A reviewer holding both roles cannot fill both slots of a level-3 system.
    f.addVersion((v1) => ({ ...v1, reviewers: v1.reviewers.map((r) => (r.id === 'owner-go' ? { ...r, roles: ['security-unit', 'system-owner'] } : r)) }), ['nca-1', 'nca-2']);
    unlinkSync(fileOf('su-go'));
    f.approve('owner-go', 'system-owner', ['e-document-exchange', 'public-service-portal']);
    // The deterministic file name would make the second approval replace the first: move the first aside.
    renameSync(fileOf('owner-go'), f.path('approvals', 'prod', 'zz-owner-go.json'));
    const first = f.approve('owner-go', 'security-unit', ['e-document-exchange', 'open-data-portal']);
    const result = expectClosedWith(/^e-document-exchange \(level 3\): missing (security-unit|system-owner) approval \(0 of 1 valid\)$/);
    expect(result.reasons).toContain(`approvals/prod/zz-owner-go.json: does not count for e-document-exchange: owner-go's key already counts for e-document-exchange through ${shownAt(first)} (one key counts once)`);
  });

  it('the same system listed twice in one signed approval (a level-5 slot filled twice by one key)', () => {
    unlinkSync(fileOf('nca-2'));
    unlinkSync(fileOf('nca-1'));
    const file = f.approve('nca-1', 'national-authority', ['population-db', 'population-db', 'public-service-portal']);
    const result = expectClosedWith('population-db (level 5): missing national-authority approval (1 of 2 valid)');
    expect(result.reasons).toContain(`${shownAt(file)}: does not count for population-db: lists population-db more than once (one key counts once)`);
  });

  it('an approval file that cannot be read', () => {
    unlinkSync(fileOf('nca-2'));
    mkdirSync(f.path('approvals', 'prod', 'nca-2-dir.json'));
    expectClosedWith('approvals/prod/nca-2-dir.json: does not count: cannot be read (EISDIR)');
  });

  it('the author approving their own change (separation of duties)', () => {
    const result = expectClosedWith(`${shownOf('owner-go')}: does not count: owner-go is the author of this change (NDC_CHANGE_AUTHOR) and cannot approve it (separation of duties)`, f.gate({ author: 'owner-go' }));
    expect(result.reasons).toContain('e-document-exchange (level 3): missing system-owner approval (0 of 1 valid)');
    expect(result.reasons).toContain('public-service-portal (level 4): missing system-owner approval (0 of 1 valid)');
    expect(f.gate({ author: 'someone-else' }).open).toBe(true);
  });

  it('the author from NDC_CHANGE_AUTHOR, read by the composition root and passed to the gate', () => {
    const { changeAuthor } = composeCommandLine(f.io(), { NDC_CHANGE_AUTHOR: 'nca-2' });
    expectClosedWith(`${shownOf('nca-2')}: does not count: nca-2 is the author of this change (NDC_CHANGE_AUTHOR) and cannot approve it (separation of duties)`, f.gate({ author: changeAuthor }));
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
      (json.statement.scopes as unknown[]).push({ id: 'population-db', level: 5, digest: f.manifest.scopes.find((s) => s.id === 'population-db')!.digest });
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
    expectClosedWith(`${shownOf('nca-2')}: does not count: is not an approval: statement.policyDigest: Invalid input: expected string, received undefined`);
  });

  it('one of several systems missing its approvals', () => {
    unlinkSync(fileOf('owner-mps'));
    const result = f.gate();
    expect(result.open).toBe(false);
    expect(result.reasons).toEqual([
      'national-cloud-platform (level 4): missing system-owner approval (0 of 1 valid)',
      'population-db (level 5): missing system-owner approval (0 of 1 valid)',
      'scopes blocking the deploy: national-cloud-platform, population-db (the stacks are per cluster, so no scope is deployed without the others)',
    ]);
    expect(result.perSystem.map((s) => [s.id, s.approved])).toEqual([
      ['e-document-exchange', true],
      ['national-cloud-platform', false],
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
    expect(result.reasons).toEqual([
      'mandatory finding NDC-NET-001 on population-db: database zone reachable from the DMZ',
      'scopes blocking the deploy: population-db (the stacks are per cluster, so no scope is deployed without the others)',
    ]);
  });

  it('a security assessment that is not current', () => {
    const result = f.gate({ assessmentCurrent: (id) => (id === 'population-db' ? 'last assessed 2025-11-01; level 5 needs one every 6 months' : true) });
    expect(result.reasons).toEqual([
      'population-db: security assessment not current: last assessed 2025-11-01; level 5 needs one every 6 months',
      'scopes blocking the deploy: population-db (the stacks are per cluster, so no scope is deployed without the others)',
    ]);
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
    const file = f.approve('mallory', 'national-authority', ['population-db']);
    const result = expectClosedWith(`${shownAt(file)}: does not count: unknown key: mallory is not a reviewer in trust store version 1`);
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
    const file = f.approve('su-go', 'national-authority', ['population-db']);
    const result = expectClosedWith(`${shownAt(file)}: does not count: su-go does not hold role national-authority in trust store version 1 (holds security-unit)`);
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

describe('the trust store cannot be rolled back, and revocation is permanent', () => {
  const revokeSuGo = () => f.addVersion((v1) => ({ ...v1, reviewers: v1.reviewers.filter((r) => r.id !== 'su-go'), revokedKeys: [keyOf('su-go').keyId] }), ['nca-1', 'nca-2']);
  const version1 = () => ({ versions: f.readTrustStoreFile().versions.slice(0, 1) });
  const closedWith = (reason: string | RegExp, result: ReturnType<Fixture['gate']>) => {
    expect(result.open).toBe(false);
    expect(result.reasons[0]).toMatch(reason);
  };

  it('refuses a store older than the version the ledger accepted, and one whose history was rewritten', () => {
    f.approveAll();
    const v2 = revokeSuGo();
    const accepted = { version: 2, hash: versionHash(v2), at: NOW.toISOString() };
    expect(f.gate({ acceptedTrust: accepted }).reasons).toContain('e-document-exchange (level 3): missing security-unit approval (0 of 1 valid)');
    // Put back the file holding only version 1: su-go's key would count again.
    writeTrustStore(f.root, 'prod', version1());
    expect(f.gate().open).toBe(true);
    closedWith(/^trust store: approvals\/prod\/trust-store\.json: version 1 is in force, but version 2 \(sha256 [0-9a-f]{16}\.\.\.\) was accepted on 2026-11-20 \(ledger\): an older trust store cannot be brought back$/, f.gate({ acceptedTrust: accepted }));
    // A different version 2 (here: one that revokes nobody) is not the version 2 the ledger saw.
    f.addVersion((v1) => ({ ...v1, threshold: 1 }), ['nca-1', 'nca-2']);
    closedWith(/^trust store: .*: version 2 \(sha256 [0-9a-f]{16}\.\.\.\) is not the version 2 accepted on 2026-11-20 \(ledger\) \([0-9a-f]{16}\.\.\.\): the trust store's history was rewritten$/, f.gate({ acceptedTrust: accepted }));
  });

  it('a later version pinned in NDC_TRUST_ROOT (<version>:<sha256>) refuses an older store even with no ledger', () => {
    f.approveAll();
    const v2 = revokeSuGo();
    const pinned = [`2:${versionHash(v2)}`];
    expect(f.gate({ trustRoots: pinned }).trust).toMatchObject({ version: 2 });
    writeTrustStore(f.root, 'prod', version1());
    closedWith(/^trust store: .*: version 2 \(sha256 [0-9a-f]{16}\.\.\.\) is pinned in NDC_TRUST_ROOT, but this store ends at version 1: an older trust store cannot be brought back$/, f.gate({ trustRoots: [...f.trustRoots, ...pinned] }));
    // A pin for another environment does not apply to prod.
    expect(f.gate({ trustRoots: [...f.trustRoots, `staging:${pinned[0]}`] }).open).toBe(true);
  });

  it('a version that takes a key out of revokedKeys is refused even when the threshold signed it', () => {
    revokeSuGo();
    f.addVersion((v2) => ({ ...v2, reviewers: [...v2.reviewers, reviewerEntry('su-go', ['security-unit'], ['Government Office'])], revokedKeys: [] }), ['nca-1', 'nca-2']);
    f.approve('su-go', 'security-unit', ['e-document-exchange', 'open-data-portal']);
    closedWith(/^trust store: approvals\/prod\/trust-store\.json: version 3 drops key [0-9a-f]{16}\.\.\. from revokedKeys \(revoked in version 2\); a revoked key stays revoked in every later version$/, f.gate());
  });
});

describe('one author identity', () => {
  beforeEach(() => f.approveAll());

  it.each([
    ['upper case', 'OWNER-GO'],
    ['fullwidth letters', 'ｏｗｎｅｒ－ｇｏ'],
    ['surrounding spaces', ' owner-go '],
  ])('%s name the same reviewer: their approval does not count', (_what, author) => {
    const result = f.gate({ author });
    expect(result.open).toBe(false);
    expect(result.notCounting).toContainEqual(expect.objectContaining({ reviewer: 'owner-go', reason: 'owner-go is the author of this change (NDC_CHANGE_AUTHOR) and cannot approve it (separation of duties)' }));
  });

  it.each([
    ['Cyrillic lookalikes mixed with Latin', 'оwner-gо', /mixes scripts \(Cyrillic and Latin\)/],
    ['a trailing zero-width space', 'owner-go\u200b', /contains an invisible character \(U\+200B\)/],
    ['a right-to-left override', 'owner\u202e-go', /contains an invisible character \(U\+202E\)/],
    ['a list', 'owner-go,su-go', /contains a separator \(","\)/],
    ['a digit for a letter', 'nca-l', /looks like reviewer nca-1 but is spelled with other characters/],
  ])('%s are refused as bad input naming NDC_CHANGE_AUTHOR', (_what, author, reason) => {
    expect(() => f.gate({ author })).toThrow(InputError);
    expect(() => f.gate({ author })).toThrow(reason);
    expect(() => f.gate({ author })).toThrow(/^NDC_CHANGE_AUTHOR: /);
  });

  it('an all-Cyrillic spelling of a reviewer id is refused as a lookalike; another name in one script is a non-reviewer author', () => {
    expect(f.gate({ author: 'иван' }).open).toBe(true);
    f.addVersion((v1) => ({ ...v1, reviewers: [...v1.reviewers, reviewerEntry('ace', ['security-unit'], ['*'])] }), ['nca-1', 'nca-2']);
    expect(() => f.gate({ author: 'асе' })).toThrow('NDC_CHANGE_AUTHOR: "асе": looks like reviewer ace but is spelled with other characters; use the reviewer id exactly');
  });
});
