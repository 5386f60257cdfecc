import { chmodSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { approvalsCommand, approveCommand } from '../../cli/commands/approve';
import { composeCommandLine } from '../../cli/composition';
import { keysGenerateCommand } from '../../cli/commands/keys';
import { ledgerVerifyCommand } from '../../cli/commands/ledger';
import { reviewersAddCommand, reviewersListCommand, reviewersRemoveCommand, reviewersSignCommand } from '../../cli/commands/reviewers';
import { sha256 } from '../../core/canonical-json';
import { SqliteLedger } from '../../ledger/sqlite';
import type { PolicyFindings } from '../../policies/approvals/gate';
import { versionHash } from '../../policies/approvals/trust-store';
import { Fixture, NOW, POLICY } from './fixture';

let f: Fixture;
beforeEach(() => {
  f = new Fixture('prod');
});
afterEach(() => f.cleanup());

const policy = (outcome: PolicyFindings = POLICY) => () => outcome;
const trustRoot = () => f.trustRoots.join(',');

/** Generates keys for reviewers with the command, as a reviewer would. */
async function keys(...ids: string[]): Promise<void> {
  for (const id of ids) expect(await keysGenerateCommand({ id, out: 'keys' }, f.io())).toBe(0);
}

/** Builds and pins the prod trust store through the commands. */
async function bootstrapTrust(): Promise<void> {
  await keys('su-go', 'owner-go', 'owner-mps', 'nca-1', 'nca-2');
  // The threshold can never exceed the reviewers there are, so it is raised with the last one.
  const add = (id: string, roles: string[], agencies: string[]) =>
    reviewersAddCommand({ env: 'prod', id, publicKey: `keys/${id}.pub`, roles, agencies, notBefore: '2026-01-01', notAfter: '2027-06-30', threshold: id === 'nca-2' ? 2 : undefined }, f.io());
  expect(await add('su-go', ['security-unit'], ['Government Office', 'Ministry of Science and Technology'])).toBe(0);
  expect(await add('owner-go', ['system-owner'], ['Government Office'])).toBe(0);
  expect(await add('owner-mps', ['system-owner'], ['Ministry of Public Security'])).toBe(0);
  expect(await add('nca-1', ['national-authority'], ['*'])).toBe(0);
  expect(await add('nca-2', ['national-authority'], ['*'])).toBe(0);
  f.trustRoots = [versionHash(f.readTrustStoreFile().versions[0].body)];
}

describe('ndc keys generate', () => {
  it('writes an Ed25519 pair, the private key mode 0600, and refuses to overwrite', async () => {
    const code = await keysGenerateCommand({ id: 'alice', out: 'keys' }, f.io());
    expect(code).toBe(0);
    expect(statSync(f.path('keys', 'alice.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(f.path('keys', 'alice.key'), 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(readFileSync(f.path('keys', 'alice.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    expect(f.out[2]).toMatch(/^key id [0-9a-f]{64}$/);
    const before = readFileSync(f.path('keys', 'alice.key'), 'utf8');
    expect(await keysGenerateCommand({ id: 'alice', out: 'keys' }, f.io())).toBe(2);
    expect(f.err).toEqual(['ndc keys generate: keys/alice.key: already exists; refusing to overwrite a key (choose another --id or --out)']);
    expect(readFileSync(f.path('keys', 'alice.key'), 'utf8')).toBe(before);
  });

  it('rejects a bad id in one line', async () => {
    expect(await keysGenerateCommand({ id: 'Alice Smith', out: 'keys' }, f.io())).toBe(2);
    expect(f.err).toEqual(['ndc keys generate: --id: "Alice Smith": must be lower-case letters, digits and dashes, starting with a letter, at most 40 characters']);
  });

  it('prints JSON with --json', async () => {
    expect(await keysGenerateCommand({ id: 'bob', out: 'keys' }, f.io(true))).toBe(0);
    expect(JSON.parse(f.out.join('\n'))).toEqual({ schema: 'ndc/keys-generate/v1', id: 'bob', keyId: expect.stringMatching(/^[0-9a-f]{64}$/), privateKey: 'keys/bob.key', publicKey: 'keys/bob.pub' });
  });

  it('refuses a private key that others can read', async () => {
    await bootstrapTrust();
    chmodSync(f.path('keys', 'su-go.key'), 0o644);
    const code = await approveCommand({ env: 'prod', key: 'keys/su-go.key', as: 'su-go', evaluatePolicy: policy(), trustRoot: trustRoot() }, f.io());
    expect(code).toBe(2);
    expect(f.err).toEqual(['ndc approve: keys/su-go.key: permissions 0644 are too open for a private key; run chmod 600 keys/su-go.key']);
  });
});

describe('ndc reviewers', () => {
  it('builds version 1 as a draft, then needs the threshold of version 1 to change it', async () => {
    await bootstrapTrust();
    // Unpinned, the store is not in force and list says how to pin it.
    expect(await reviewersListCommand({ env: 'prod', trustRoot: '' }, f.io())).toBe(1);
    expect(f.out.at(-1)).toBe(`pin it (after checking it out of band): NDC_TRUST_ROOT=${f.trustRoots[0]}`);
    expect(await reviewersListCommand({ env: 'prod', trustRoot: trustRoot() }, f.io())).toBe(0);
    expect(f.out[0]).toMatch(/^approvals\/prod\/trust-store\.json: version 1 in force/);
    expect(f.out.some((l) => /^\s+nca-1\s+national-authority\s+agency \*\s+2026-01-01\.\.2027-06-30/.test(l))).toBe(true);

    // mallory adds herself and tries to sign: refused, she is not in version 1.
    await keys('mallory');
    expect(await reviewersAddCommand({ env: 'prod', id: 'mallory', publicKey: 'keys/mallory.pub', roles: ['national-authority'], agencies: ['*'], signWith: 'keys/mallory.key', as: 'mallory', trustRoot: trustRoot() }, f.io())).toBe(1);
    expect(f.err).toEqual(['ndc reviewers add: refused: mallory is not a reviewer of version 1, so cannot sign version 2']);
    expect(f.readTrustStoreFile().versions).toHaveLength(1);

    // Proposed by nca-1 with its signature: pending at 1 of 2.
    await keys('nca-3');
    expect(await reviewersAddCommand({ env: 'prod', id: 'nca-3', publicKey: 'keys/nca-3.pub', roles: ['national-authority'], agencies: ['*'], signWith: 'keys/nca-1.key', as: 'nca-1', trustRoot: trustRoot() }, f.io())).toBe(0);
    expect(f.out).toContain('version 2 pending (adds nca-3): 1 of 2 signature(s) (nca-1)');
    // The reviewer being added cannot sign for themselves.
    expect(await reviewersSignCommand({ env: 'prod', key: 'keys/nca-3.key', as: 'nca-3', trustRoot: trustRoot() }, f.io())).toBe(1);
    expect(f.err).toEqual(['ndc reviewers sign: refused: nca-3 is not a reviewer of version 1, so cannot sign version 2']);
    // A key that is not the signer's.
    expect(await reviewersSignCommand({ env: 'prod', key: 'keys/nca-1.key', as: 'nca-2', trustRoot: trustRoot() }, f.io())).toBe(1);
    expect(f.err[0]).toMatch(/^ndc reviewers sign: refused: keys\/nca-1\.key is not nca-2's key in version 1/);
    // The second signature puts version 2 in force.
    expect(await reviewersSignCommand({ env: 'prod', key: 'keys/nca-2.key', as: 'nca-2', trustRoot: trustRoot() }, f.io())).toBe(0);
    expect(f.out[0]).toMatch(/^approvals\/prod\/trust-store\.json: version 2 in force/);
  });

  it('drops the signatures of a pending version when it changes again, and lists it as JSON', async () => {
    await bootstrapTrust();
    await keys('nca-3', 'nca-4');
    const add = (id: string) => reviewersAddCommand({ env: 'prod', id, publicKey: `keys/${id}.pub`, roles: ['national-authority'], agencies: ['*'], signWith: 'keys/nca-1.key', as: 'nca-1', trustRoot: trustRoot() }, f.io());
    expect(await add('nca-3')).toBe(0);
    expect(await reviewersSignCommand({ env: 'prod', key: 'keys/su-go.key', as: 'su-go', trustRoot: trustRoot() }, f.io())).toBe(0);
    // su-go's signature was the second: version 2 is in force. The next change starts version 3.
    expect(await add('nca-4')).toBe(0);
    expect(await reviewersAddCommand({ env: 'prod', id: 'nca-4', publicKey: 'keys/nca-4.pub', roles: ['national-authority'], agencies: ['Government Office'], trustRoot: trustRoot() }, f.io())).toBe(0);
    expect(f.out[0]).toBe('note: version 3 changed, so its 1 earlier signature(s) no longer apply and were dropped');
    expect(await reviewersListCommand({ env: 'prod', trustRoot: trustRoot() }, f.io(true))).toBe(0);
    const listed = JSON.parse(f.out.join('\n'));
    expect(listed).toMatchObject({ env: 'prod', pinned: true, rootHash: f.trustRoots[0], current: { version: 2, threshold: 2 }, pending: { version: 3, needed: 2, signedBy: [], changes: ['adds nca-4'] } });
    expect(listed.current.reviewers.map((r: { id: string }) => r.id)).toEqual(['nca-1', 'nca-2', 'nca-3', 'owner-go', 'owner-mps', 'su-go']);
  });

  it('refuses a version that changes the signer’s own entry', async () => {
    await bootstrapTrust();
    await keys('su-go-2');
    // su-go replaces its own key: su-go cannot sign that; two others can.
    expect(await reviewersAddCommand({ env: 'prod', id: 'su-go', publicKey: 'keys/su-go-2.pub', roles: ['security-unit'], agencies: ['Government Office'], signWith: 'keys/su-go.key', as: 'su-go', trustRoot: trustRoot() }, f.io())).toBe(1);
    expect(f.err).toEqual(["ndc reviewers add: refused: version 2 changes su-go's own entry; other reviewers must sign it"]);
  });

  it('remove revokes the key, and re-adding that key is refused', async () => {
    await bootstrapTrust();
    expect(await reviewersRemoveCommand({ env: 'prod', id: 'owner-mps', signWith: 'keys/nca-1.key', as: 'nca-1', trustRoot: trustRoot() }, f.io())).toBe(0);
    expect(await reviewersSignCommand({ env: 'prod', key: 'keys/nca-2.key', as: 'nca-2', trustRoot: trustRoot() }, f.io())).toBe(0);
    const v2 = f.readTrustStoreFile().versions[1].body;
    expect(v2.reviewers.map((r) => r.id)).toEqual(['nca-1', 'nca-2', 'owner-go', 'su-go']);
    expect(v2.revokedKeys).toHaveLength(1);
    expect(await reviewersAddCommand({ env: 'prod', id: 'owner-mps', publicKey: 'keys/owner-mps.pub', roles: ['system-owner'], agencies: ['Ministry of Public Security'], trustRoot: trustRoot() }, f.io())).toBe(2);
    expect(f.err[0]).toMatch(/^ndc reviewers add: keys\/owner-mps\.pub: key [0-9a-f]{16}\.\.\. was revoked; generate a new key$/);
  });

  it('explains bad input in one line', async () => {
    await keys('x1');
    expect(await reviewersAddCommand({ env: 'prod', id: 'x1', publicKey: 'keys/x1.pub', roles: ['boss'], agencies: ['*'] }, f.io())).toBe(2);
    expect(f.err).toEqual(['ndc reviewers add: --roles: "boss": not a role (known: security-unit, system-owner, national-authority)']);
    expect(await reviewersAddCommand({ env: 'nowhere', id: 'x1', publicKey: 'keys/x1.pub', roles: ['security-unit'], agencies: ['*'] }, f.io())).toBe(2);
    expect(f.err[0]).toMatch(/^ndc reviewers add: environments\/nowhere\.ts: no such environment file \(known: dev, prod, staging\)$/);
    expect(await reviewersAddCommand({ env: 'prod', id: 'x1', publicKey: 'keys/none.pub', roles: ['security-unit'], agencies: ['*'] }, f.io())).toBe(2);
    expect(f.err).toEqual(['ndc reviewers add: keys/none.pub: no such public key file']);
    expect(await reviewersAddCommand({ env: 'prod', id: 'x1', publicKey: 'keys/x1.pub', roles: ['security-unit'], agencies: ['*'], threshold: 3 }, f.io())).toBe(2);
    expect(f.err).toEqual(['ndc reviewers add: approvals/prod/trust-store.json: version 1.threshold: 3: more than the 1 reviewer(s) of this version could ever sign']);
  });
});

describe('ndc approve and ndc approvals', () => {
  const approve = (as: string, extra: Partial<Parameters<typeof approveCommand>[0]> = {}, json = false) =>
    approveCommand({ env: 'prod', key: `keys/${as}.key`, as, evaluatePolicy: policy(), trustRoot: trustRoot(), ...extra }, f.io(json));
  const approvals = (json = false) => approvalsCommand({ env: 'prod', evaluatePolicy: policy(), assessmentCurrent: () => true, trustRoot: trustRoot() }, f.io(json));

  beforeEach(bootstrapTrust);

  it('shows what is approved, writes a deterministic file, and the gate opens once every level is covered', async () => {
    expect(await approvals()).toBe(1);
    expect(f.out).toContain('population-db (level 5, Ministry of Public Security): requires national-authority x2 + system-owner: missing national-authority x2 + system-owner');

    expect(await approve('su-go')).toBe(0);
    expect(f.out.slice(0, 2)).toEqual([`Approval to DEPLOY prod by su-go as security-unit (key ${f.readTrustStoreFile().versions[0].body.reviewers.find((r) => r.id === 'su-go')!.keyId.slice(0, 16)}...)`, `  manifest digest  ${f.manifest.digest}`]);
    expect(f.out).toContain('Mandatory findings: none');
    expect(f.out.some((l) => /^\s+open-data-portal\s+level 2\s+needs security-unit\s+APPROVING$/.test(l))).toBe(true);
    expect(f.out.some((l) => /^\s+population-db\s+level 5\s+needs national-authority x2 \+ system-owner\s+not approving: su-go may not approve population-db/.test(l))).toBe(true);
    const name = `su-go-${f.manifest.digest.slice(0, 12)}.json`;
    expect(f.out.at(-1)).toBe(`wrote approvals/prod/${name}: su-go approves the deploy of 2 system(s) as security-unit until 2026-12-20T09:00:00.000Z`);
    const written = JSON.parse(readFileSync(f.path('approvals', 'prod', name), 'utf8'));
    expect(written.statement).toEqual({
      env: 'prod',
      operation: 'deploy',
      digest: f.manifest.digest,
      policyDigest: POLICY.policyDigest,
      systems: [
        { id: 'e-document-exchange', level: 3 },
        { id: 'open-data-portal', level: 2 },
      ],
      reviewer: 'su-go',
      role: 'security-unit',
      keyId: expect.stringMatching(/^[0-9a-f]{64}$/),
      issued: NOW.toISOString(),
      expires: '2026-12-20T09:00:00.000Z',
    });

    expect(await approve('owner-go')).toBe(0);
    expect(await approve('owner-mps', { expires: '14d' })).toBe(0);
    expect(await approve('nca-1')).toBe(0);
    expect(await approvals()).toBe(1);
    expect(f.out).toContain('population-db (level 5, Ministry of Public Security): requires national-authority x2 + system-owner: missing national-authority');
    expect(await approve('nca-2', { systems: ['population-db'] })).toBe(0);
    expect(await approvals()).toBe(0);
    expect(f.out.at(-1)).toBe('4 of 4 system(s) fully approved; approvals complete; deploy gate open');

    expect(await approvals(true)).toBe(0);
    const json = JSON.parse(f.out.join('\n'));
    expect(json).toMatchObject({ complete: true, open: true, reasons: [], digest: f.manifest.digest });

    // Every approval is in the ledger, and the chain is intact.
    const ledger = new SqliteLedger(f.path('.ndc', 'ledger.sqlite'));
    const records = await ledger.records();
    await ledger.close();
    expect(records.filter((r) => r.kind === 'approve').map((r) => `${r.actor} ${r.result}`)).toEqual(['su-go signed', 'owner-go signed', 'owner-mps signed', 'nca-1 signed', 'nca-2 signed']);
    expect(await ledgerVerifyCommand({}, f.io())).toBe(0);
    expect(f.out[0]).toMatch(/^ledger intact: \d+ record\(s\), head [0-9a-f]{64}/);
  });

  it('refuses while mandatory findings are open, and writes nothing', async () => {
    const findings = { ...POLICY, mandatoryFindings: [{ ruleId: 'NDC-BAK-002', systemId: 'population-db', message: 'no copy 30 km away' }] };
    expect(await approve('nca-1', { evaluatePolicy: policy(findings) })).toBe(1);
    expect(f.out).toContain('  NDC-BAK-002 population-db: no copy 30 km away');
    expect(f.err).toEqual(['ndc approve: refused: 1 mandatory finding(s) are open; fix them (ndc check --env prod) before approving']);
    expect(existsSync(f.path('approvals', 'prod')) && readdirSync(f.path('approvals', 'prod')).filter((n) => n !== 'trust-store.json')).toEqual([]);
  });

  it('refuses the author of the change (NDC_CHANGE_AUTHOR or option)', async () => {
    expect(await approve('owner-go', { author: 'owner-go' })).toBe(1);
    expect(f.err).toEqual(['ndc approve: refused: owner-go is the author of this change (NDC_CHANGE_AUTHOR) and cannot approve it (separation of duties)']);
    expect(await approve('nca-1', { author: composeCommandLine(f.io(), { NDC_CHANGE_AUTHOR: 'nca-1' }).changeAuthor })).toBe(1);
  });

  it('refuses systems outside the reviewer’s scope or role, and unknown systems are bad input', async () => {
    expect(await approve('owner-go', { systems: ['population-db'] })).toBe(1);
    expect(f.err).toEqual(['ndc approve: refused: owner-go may not approve population-db (owner Ministry of Public Security; allowed: Government Office)']);
    expect(await approve('su-go', { systems: ['public-service-portal'] })).toBe(1);
    expect(f.err).toEqual(['ndc approve: refused: role security-unit does not count for public-service-portal at level 4 (needs national-authority + system-owner)']);
    expect(await approve('su-go', { systems: ['no-such-system'] })).toBe(2);
    expect(f.err[0]).toMatch(/^ndc approve: --systems: "no-such-system" is not in out\/prod\/manifest\.json \(systems: /);
    expect(await approve('su-go', { expires: '400d' })).toBe(2);
    expect(f.err).toEqual(['ndc approve: --expires: "400d": prod allows approvals of at most 30 days']);
    expect(await approve('su-go', { expires: 'soon' })).toBe(2);
    expect(f.err).toEqual(['ndc approve: --expires: "soon": must be a duration like 30d or 12h']);
  });

  it('refuses a key that is not the reviewer’s, and a reviewer not in the store', async () => {
    expect(await approve('nca-1', { key: 'keys/nca-2.key' })).toBe(1);
    expect(f.err[0]).toMatch(/^ndc approve: refused: unknown key: [0-9a-f]{16}\.\.\. is not nca-1's key in trust store version 1 \(expected [0-9a-f]{16}\.\.\.\)$/);
    await keys('mallory');
    expect(await approve('mallory')).toBe(1);
    expect(f.err).toEqual(['ndc approve: refused: mallory is not a reviewer in trust store version 1 of prod']);
  });

  it('refuses a reviewer whose key is outside its validity window', async () => {
    const later = new Date('2027-07-01T00:00:00.000Z');
    expect(await approveCommand({ env: 'prod', key: 'keys/nca-1.key', as: 'nca-1', evaluatePolicy: policy(), trustRoot: trustRoot() }, f.io(false, later))).toBe(1);
    expect(f.err).toEqual(["ndc approve: refused: nca-1's key is valid only from 2026-01-01 to 2027-06-30"]);
  });

  it('refuses when the trust store is not pinned', async () => {
    expect(await approveCommand({ env: 'prod', key: 'keys/nca-1.key', as: 'nca-1', evaluatePolicy: policy(), trustRoot: '' }, f.io())).toBe(1);
    expect(f.err[0]).toMatch(/^ndc approve: refused: approvals\/prod\/trust-store\.json: version 1 \(sha256 [0-9a-f]{64}\) is not pinned/);
  });

  it('reports a missing manifest as bad input', async () => {
    rmSync(f.path('out'), { recursive: true });
    expect(await approvals()).toBe(2);
    expect(f.err).toEqual(['ndc approvals: out/prod/manifest.json: not found; run ndc synth --env prod first']);
  });

  it('lists why a present approval does not count', async () => {
    expect(await approve('su-go')).toBe(0);
    f.writeManifest({ ...f.manifest, digest: sha256('changed') });
    expect(await approvals()).toBe(1);
    expect(f.out).toContain('Approvals that count for no system:');
    expect(f.out.some((l) => /^ {2}approvals\/prod\/su-go-[0-9a-f]{12}\.json: approves digest [0-9a-f]{12}\.\.\., but the manifest digest is [0-9a-f]{12}\.\.\. \(what would be deployed changed after approval\)$/.test(l))).toBe(true);
  });
});

describe('ndc ledger verify', () => {
  it('exits 1 and lists the problem when a record was edited', async () => {
    const ledger = new SqliteLedger(f.path('.ndc', 'ledger.sqlite'));
    for (let i = 0; i < 3; i++) await ledger.append({ kind: 'synth', env: 'prod', actor: 'ci', digest: sha256(String(i)), result: 'ok', at: NOW });
    await ledger.close();
    expect(await ledgerVerifyCommand({}, f.io())).toBe(0);
    const db = new Database(f.path('.ndc', 'ledger.sqlite'));
    db.exec("DROP TRIGGER ledger_no_update; UPDATE ledger SET actor = 'someone-else' WHERE seq = 2");
    db.close();
    expect(await ledgerVerifyCommand({}, f.io())).toBe(1);
    expect(f.err[0]).toMatch(/^ledger TAMPERED: 1 problem\(s\) in 3 record\(s\)/);
    expect(f.err[1]).toBe('  record seq 2: contents do not match its hash (edited)');
    expect(await ledgerVerifyCommand({}, f.io(true))).toBe(1);
    expect(JSON.parse(f.out.join('\n'))).toMatchObject({ intact: false, records: 3, problems: ['record seq 2: contents do not match its hash (edited)'] });
  });

  it('rejects an NDC_LEDGER_URL that is not PostgreSQL in one line', async () => {
    process.env.NDC_LEDGER_URL = 'mysql://x';
    try {
      expect(await ledgerVerifyCommand({}, f.io())).toBe(2);
      expect(f.err).toEqual(['ndc ledger verify: NDC_LEDGER_URL: mysql://x: must be a postgres:// URL (unset it for the embedded SQLite ledger)']);
    } finally {
      delete process.env.NDC_LEDGER_URL;
    }
  });
});

it('leaves no temporary files behind and ignores files under approvals/ that are not .json', async () => {
  await bootstrapTrust();
  expect(readdirSync(f.path('approvals', 'prod'))).toEqual(['trust-store.json']);
  writeFileSync(f.path('approvals', 'prod', 'README'), 'not an approval');
  expect(await approvalsCommand({ env: 'prod', evaluatePolicy: policy(), assessmentCurrent: () => true, trustRoot: trustRoot() }, f.io())).toBe(1);
  expect(f.out.join('\n')).not.toContain('README');
  expect(f.out).toContain('0 of 4 system(s) fully approved; approvals incomplete; deploy gate closed');
});
