import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { EVIDENCE_KINDS, latestEvidence, loadEvidence } from '../../environments/evidence';
import { loadEnvironment } from '../../environments/load';
import { REPO } from '../helpers';

const env = { name: 'lab', systems: [{ id: 'portal' }, { id: 'registry' }] } as Parameters<typeof loadEvidence>[1];
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const record = (over: Record<string, unknown> = {}) => ({
  kind: 'assessment',
  system: 'portal',
  performed: '2026-05-12',
  by: 'Authority of Information Security (AIS)',
  result: 'pass',
  document: { sha256: sha('report') },
  validUntil: '2027-05-12',
  ...over,
});

let root: string;
const write = (name: string, content: unknown) => {
  mkdirSync(join(root, 'evidence', 'lab'), { recursive: true });
  writeFileSync(join(root, 'evidence', 'lab', name), typeof content === 'string' ? content : JSON.stringify(content));
};
const problem = (): string => {
  try {
    loadEvidence(root, env);
  } catch (error) {
    return (error as Error).message;
  }
  return 'loaded';
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ndc-evidence-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('evidence records (evidence/<env>/*.json)', () => {
  it('knows the kinds the interval rules and the security controls use', () => {
    expect(EVIDENCE_KINDS).toEqual(expect.arrayContaining(['assessment', 'restore-test', 'penetration-test', 'vulnerability-scan', 'incident-drill', 'risk-assessment', 'monitoring-contract', 'endpoint-protection']));
  });

  it('an environment without an evidence folder has no records', () => {
    expect(loadEvidence(root, env)).toEqual([]);
  });

  it('reads every record in file-name order with its source, whatever order the directory lists them', () => {
    write('b.json', record({ system: 'registry' }));
    write('a.json', record({ performed: '2026-01-02', validUntil: '2027-01-02', notes: 'first' }));
    write('README.txt', 'not a record');
    const records = loadEvidence(root, env);
    expect(records.map((r) => [r.source, r.system, r.performed])).toEqual([
      ['evidence/lab/a.json', 'portal', '2026-01-02'],
      ['evidence/lab/b.json', 'registry', '2026-05-12'],
    ]);
    expect(records[0].notes).toBe('first');
  });

  it('accepts the shared national infrastructure as a subject', () => {
    write('platform.json', record({ system: 'national-cloud-platform', kind: 'monitoring-contract' }));
    expect(loadEvidence(root, env)[0].system).toBe('national-cloud-platform');
  });

  it('verifies the document a record points to, inside evidence/<env>/', () => {
    mkdirSync(join(root, 'evidence', 'lab', 'documents'), { recursive: true });
    writeFileSync(join(root, 'evidence', 'lab', 'documents', 'report.txt'), 'the signed report');
    write('a.json', record({ document: { path: 'documents/report.txt', sha256: sha('the signed report') } }));
    expect(loadEvidence(root, env)).toHaveLength(1);
    write('a.json', record({ document: { path: 'documents/report.txt', sha256: sha('another report') } }));
    expect(problem()).toBe(`evidence/lab/a.json: document.sha256: ${sha('another report').slice(0, 12)}... is not the sha256 of evidence/lab/documents/report.txt (${sha('the signed report').slice(0, 12)}...)`);
  });

  it.each([
    ['an unknown system', record({ system: 'payroll' }), 'evidence/lab/x.json: system: "payroll" is not a system of environment lab (systems: national-cloud-platform, portal, registry)'],
    ['an impossible date', record({ performed: '2026-02-30' }), 'evidence/lab/x.json: performed: has day 30; 2026-02 has 28 days'],
    ['validUntil before performed', record({ validUntil: '2026-05-11' }), 'evidence/lab/x.json: validUntil: 2026-05-11 is before performed 2026-05-12'],
    ['a malformed hash', record({ document: { sha256: 'ABC' } }), 'evidence/lab/x.json: document.sha256: must be 64 lower-case hex digits (the sha256 of the document)'],
    ['an unknown kind', record({ kind: 'audit' }), 'evidence/lab/x.json: kind: Invalid option: expected one of "assessment"|"restore-test"|"penetration-test"|"vulnerability-scan"|"incident-drill"|"risk-assessment"|"monitoring-contract"|"endpoint-protection"'],
    ['a result that is not pass, fail or partial', record({ result: 'ok' }), 'evidence/lab/x.json: result: Invalid option: expected one of "pass"|"fail"|"partial"'],
    ['an unknown field', record({ lastAssessed: '2026-01-01' }), 'evidence/lab/x.json: (top level): unknown field "lastAssessed"'],
    ['a missing field', (({ by: _by, ...rest }) => rest)(record()), 'evidence/lab/x.json: by: Invalid input: expected string, received undefined'],
    ['a blank assessor', record({ by: '  ' }), 'evidence/lab/x.json: by: must name the person or organisation'],
    ['a document outside the folder', record({ document: { path: '../../environments/prod.ts', sha256: sha('x') } }), 'evidence/lab/x.json: document.path: "../../environments/prod.ts" must be a relative path inside evidence/lab/'],
    ['a missing document', record({ document: { path: 'documents/none.pdf', sha256: sha('x') } }), 'evidence/lab/x.json: document.path: evidence/lab/documents/none.pdf does not exist (or is not a regular file)'],
    ['invalid JSON', '{"kind": "assessment",', 'evidence/lab/x.json:1:23: is not valid JSON'],
  ])('refuses %s in one line naming file, field and reason', (_case, content, message) => {
    write('x.json', content);
    expect(problem().startsWith(message)).toBe(true);
  });

  it('refuses the same activity recorded twice', () => {
    write('a.json', record());
    write('b.json', record({ by: 'someone else' }));
    expect(problem()).toBe('evidence/lab/b.json: duplicate of evidence/lab/a.json (the same assessment of portal on 2026-05-12)');
  });

  it('skips records of systems a variant removed only when asked to', () => {
    write('a.json', record({ system: 'gone' }));
    expect(loadEvidence(root, env, { unknownSystems: 'skip' })).toEqual([]);
    expect(problem()).toMatch(/"gone" is not a system/);
  });

  it('the latest record of a kind is the one performed last', () => {
    write('a.json', record({ performed: '2026-09-01', validUntil: '2027-09-01' }));
    write('b.json', record());
    write('c.json', record({ kind: 'penetration-test', performed: '2026-10-01', validUntil: '2027-10-01' }));
    const records = loadEvidence(root, env);
    expect(latestEvidence(records, 'portal', 'assessment')?.source).toBe('evidence/lab/a.json');
    expect(latestEvidence(records, 'registry', 'assessment')).toBeUndefined();
  });

  it('is loaded once with the environment, validated against its systems', () => {
    const loaded = loadEnvironment(REPO, 'prod');
    expect(loaded.evidence.length).toBeGreaterThan(30);
    expect(new Set(loaded.evidence.map((r) => r.system))).toEqual(new Set([...loaded.env.systems.map((s) => s.id), 'national-cloud-platform']));
    expect(loaded.evidence.find((r) => r.document.path !== undefined)?.source).toMatch(/^evidence\/prod\//);
  });
});
