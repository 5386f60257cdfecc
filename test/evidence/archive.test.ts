import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/main';
import { readTarGz, writeTarGz } from '../../core/tar';
import { openLedger } from '../../ledger/open';
import { versionHash, writeTrustStore, type TrustVersionBody } from '../../policies/approvals/trust-store';
import { keyOf, reviewerEntry } from '../approvals/fixture';
import { captureIO, tempProject } from '../helpers';

/**
 * One project (dev, the smallest environment) with a pinned trust store and a reviewer key; the archive
 * is built once per case that needs a fresh one, everything else reads the first.
 */
let root: string;
let environment: NodeJS.ProcessEnv;
let archive: Buffer;
const FOLDER = 'ndc-evidence-dev-2026-11-27';

beforeAll(async () => {
  root = tempProject('ndc-evidence-archive-');
  const body: TrustVersionBody = {
    env: 'dev',
    version: 1,
    previous: null,
    threshold: 1,
    reviewers: [reviewerEntry('auditor', ['security-unit'], ['*']), reviewerEntry('owner-go', ['system-owner'], ['Government Office'], { notBefore: '2027-01-01', notAfter: '2027-12-31' })],
    revokedKeys: [],
  };
  writeTrustStore(root, 'dev', { versions: [{ body, signatures: [] }] });
  for (const id of ['auditor', 'owner-go', 'stranger']) writeFileSync(join(root, `${id}.key`), keyOf(id).privatePem, { mode: 0o600 });
  environment = { NDC_TRUST_ROOT: versionHash(body) };
  // Two ledger records of dev in the period and one of prod: the extract holds dev's alone.
  const ledger = openLedger(root, environment);
  await ledger.append({ kind: 'check', env: 'dev', actor: 'ci', result: 'pass', at: new Date('2026-10-01T08:00:00Z') });
  await ledger.append({ kind: 'check', env: 'prod', actor: 'ci', result: 'pass', at: new Date('2026-10-02T08:00:00Z') });
  await ledger.append({ kind: 'approve', env: 'dev', actor: 'auditor', result: 'signed', at: new Date('2026-11-20T08:00:00Z') });
  await ledger.close();
  const { io, err } = captureIO(root);
  expect(await main(['evidence', '--env', 'dev', '--out', 'first.tar.gz', '--key', 'auditor.key', '--as', 'auditor', '--as-of', '2026-11-27'], io, environment)).toBe(0);
  expect(err.filter((l) => !l.startsWith('ndc evidence: synthesized'))).toEqual([]);
  archive = readFileSync(join(root, 'first.tar.gz'));
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const entries = () => new Map(readTarGz(archive).map((e) => [e.path.slice(FOLDER.length + 1), e.content]));
const verify = async (file: string, env = environment) => {
  const { io, out, err } = captureIO(root);
  return { code: await main(['evidence', 'verify', file], io, env), out, err };
};
const tampered = (change: (list: { path: string; content: Buffer }[]) => { path: string; content: Buffer }[], name: string): string => {
  writeFileSync(join(root, name), writeTarGz(change(readTarGz(archive)), Date.parse('2026-11-27T00:00:00Z') / 1000));
  return name;
};

describe('ndc evidence: the signed archive for the periodic assessment', () => {
  it('holds the report in every format, manifest, approvals and trust store, evidence, ledger extract, profile and a signed index', () => {
    const paths = [...entries().keys()];
    expect(paths.slice(0, 2)).toEqual(['index.json', 'index.sig.json']);
    expect(paths).toEqual(expect.arrayContaining([
      'report/policy-report.txt', 'report/policy-report.json', 'report/policy-report.sarif', 'report/policy-report.junit.xml', 'report/policy-report.md', 'report/policy-report.html',
      'manifest.json', 'approvals/trust-store.json', 'evidence/e-document-exchange-assessment-2026-02-10.json', 'ledger/records.jsonl', 'ledger/verification.json', 'profile.json', 'schedule.json',
    ]));
    const index = JSON.parse(entries().get('index.json')!.toString()) as { entries: { path: string }[]; signer: { reviewer: string }; period: unknown; manifestDigest: string };
    expect(index.entries.map((e) => e.path)).toEqual(paths.slice(2));
    expect(index.signer.reviewer).toBe('auditor');
    expect(index.period).toEqual({ since: '2025-11-27', until: '2026-11-27' });
    expect(index.manifestDigest).toBe(JSON.parse(readFileSync(join(root, 'out/dev/manifest.json'), 'utf8')).digest);
    const ledger = entries().get('ledger/records.jsonl')!.toString().trim().split('\n').map((l) => JSON.parse(l) as { env: string; kind: string });
    expect(ledger.map((r) => [r.env, r.kind])).toEqual([['dev', 'check'], ['dev', 'approve']]);
    expect(JSON.parse(entries().get('ledger/verification.json')!.toString())).toMatchObject({ intact: true, records: 3, extract: { records: 2, firstSeq: 1, lastSeq: 3 } });
    expect(JSON.parse(entries().get('report/policy-report.json')!.toString())).toMatchObject({ env: 'dev', asOf: '2026-11-27' });
  });

  it('is byte-identical for the same inputs, and a standard tar reads it', async () => {
    const { io } = captureIO(root);
    expect(await main(['evidence', '--env', 'dev', '--out', 'second.tar.gz', '--key', 'auditor.key', '--as', 'auditor', '--as-of', '2026-11-27'], io, environment)).toBe(0);
    expect(readFileSync(join(root, 'second.tar.gz')).equals(archive)).toBe(true);
    const listing = spawnSync('tar', ['-tvzf', join(root, 'first.tar.gz')], { encoding: 'utf8' });
    expect(listing.status).toBe(0);
    const lines = listing.stdout.trim().split('\n');
    expect(lines).toHaveLength(entries().size);
    expect(lines.every((l) => /^-rw-r--r-- 0\/0 .* 2026-11-27 00:00 ndc-evidence-dev-2026-11-27\//.test(l))).toBe(true);
  });

  it('verify: exit 0 when every entry matches the index and the signer is in the pinned trust store', async () => {
    const { code, out } = await verify('first.tar.gz');
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^OK: first\.tar\.gz: \d+ entries match the index of dev on 2026-11-27, signed by auditor \(key [0-9a-f]{16}\.\.\., trust store version 1\)$/);
    // --json after the archive belongs to verify (not to ndc evidence): one schema-tagged document.
    const json = captureIO(root);
    expect(await main(['evidence', 'verify', 'first.tar.gz', '--json'], json.io, environment)).toBe(0);
    expect(JSON.parse(json.out.join('\n'))).toMatchObject({ schema: 'ndc/evidence-verify/v1', intact: true, env: 'dev', signer: { reviewer: 'auditor' } });
  });

  it('verify: exit 1 naming the entry changed, added or removed after signing', async () => {
    const report = `${FOLDER}/report/policy-report.txt`;
    const changed = tampered((list) => list.map((e) => (e.path === report ? { ...e, content: Buffer.from('PASS: nothing to see') } : e)), 'changed.tar.gz');
    const c = await verify(changed);
    expect([c.code, c.err]).toEqual([1, [expect.stringMatching(new RegExp(`^ndc evidence verify: changed\\.tar\\.gz: ${report}: sha256 [0-9a-f]{16}\\.\\.\\. differs from the index \\([0-9a-f]{16}\\.\\.\\.\\): changed after signing$`))]]);
    const added = await verify(tampered((list) => [...list, { path: `${FOLDER}/evidence/extra.json`, content: Buffer.from('{}') }], 'added.tar.gz'));
    expect([added.code, added.err]).toEqual([1, [`ndc evidence verify: added.tar.gz: ${FOLDER}/evidence/extra.json: is in the archive but not in the signed index: added after signing`]]);
    const removed = await verify(tampered((list) => list.filter((e) => e.path !== `${FOLDER}/ledger/records.jsonl`), 'removed.tar.gz'));
    expect([removed.code, removed.err]).toEqual([1, [`ndc evidence verify: removed.tar.gz: ${FOLDER}/ledger/records.jsonl: is listed in the index but missing from the archive`]]);
  });

  it('verify: exit 1 when the index is re-signed by a key the pinned trust store does not hold, or nothing is pinned', async () => {
    const index = `${FOLDER}/index.json`;
    const reindexed = tampered((list) => list.map((e) => (e.path === index ? { ...e, content: Buffer.from(e.content.toString().replace('"2025-11-27"', '"2025-11-28"')) } : e)), 'reindexed.tar.gz');
    const forged = await verify(reindexed);
    expect([forged.code, forged.err]).toEqual([1, [`ndc evidence verify: reindexed.tar.gz: ${FOLDER}/index.sig.json: is not auditor's signature of this index`]]);
    const unpinned = await verify('first.tar.gz', {});
    expect(unpinned.code).toBe(1);
    expect(unpinned.err[0]).toMatch(new RegExp(`^ndc evidence verify: first\\.tar\\.gz: ${FOLDER}/index\\.sig\\.json: signer not trusted: approvals/dev/trust-store\\.json: version 1 \\(sha256 [0-9a-f]{64}\\) is not pinned`));
  });

  it('verify: exit 2 for a file that is not an archive or does not exist', async () => {
    writeFileSync(join(root, 'notes.txt'), 'hello');
    expect(await verify('notes.txt')).toMatchObject({ code: 2, err: [expect.stringMatching(/^ndc evidence verify: notes\.txt: is not an evidence archive: is not a gzip file/)] });
    expect(await verify('missing.tar.gz')).toMatchObject({ code: 2, err: ['ndc evidence verify: missing.tar.gz: no such file'] });
  });

  it.each([
    [['--key', 'stranger.key', '--as', 'auditor'], /^ndc evidence: --as: key [0-9a-f]{16}\.\.\. is not auditor's key in trust store version 1 \([0-9a-f]{16}\.\.\.\)$/],
    [['--key', 'owner-go.key', '--as', 'owner-go'], /^ndc evidence: --as: owner-go's key is valid from 2027-01-01 to 2027-12-31, not on 2026-11-27$/],
    [['--key', 'auditor.key', '--as', 'nobody'], /^ndc evidence: --as: nobody is not a reviewer of trust store version 1$/],
    [['--key', 'auditor.key'], /^ndc evidence: --as: is required/],
    [['--as', 'auditor', '--key', 'auditor.key', '--out', 'environments/x.tar.gz'], /^ndc evidence: --out: /],
  ])('refuses to sign with %j (exit 2, nothing written)', async (args, message) => {
    const { io, err } = captureIO(root);
    const argv = ['evidence', '--env', 'dev', '--out', 'refused.tar.gz', '--as-of', '2026-11-27', ...args];
    expect(await main(argv, io, environment)).toBe(2);
    expect(err).toEqual([expect.stringMatching(message)]);
    expect(() => readFileSync(join(root, 'refused.tar.gz'))).toThrow();
  });
});
