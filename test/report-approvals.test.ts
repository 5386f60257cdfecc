import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { approvalsForReport } from '../cli/commands/report-inputs';
import { loadEnvironment } from '../environments/load';
import type { PolicyEvaluation } from '../policies/evaluate';
import { Fixture, NOW, POLICY } from './approvals/fixture';

/** The report's approval status per system and role comes from the approvals and the trust store, as the gate judges them. */

let f: Fixture;
beforeEach(() => {
  f = new Fixture('prod');
});
afterEach(() => f.cleanup());

// The evaluation's parts the approval status reads: the policy digest approvals sign, no open finding.
const evaluation = { env: 'prod', policyDigest: POLICY.policyDigest, findings: [], rules: [] } as unknown as PolicyEvaluation;
const status = () => approvalsForReport(f.root, loadEnvironment(f.root, 'prod'), f.manifest, evaluation, { trustRoot: f.trustRoots.join(','), now: NOW });

describe('approval status in the report', () => {
  it('is not evaluated while the environment has no trust store', () => {
    expect(status()).toBeUndefined();
  });

  it('lists per system the approvals that count and the roles still missing', () => {
    f.trustStore();
    f.approve('su-go', 'security-unit', ['e-document-exchange']);
    const shown = status()!;
    expect(shown.trust).toBe('trust store version 1');
    const system = shown.systems.find((s) => s.id === 'e-document-exchange')!;
    expect(system.counted).toEqual([{ role: 'security-unit', reviewer: 'su-go', expires: expect.any(String) }]);
    expect(system.missing).toEqual(['system-owner']);
    expect(shown.systems.map((s) => s.id).sort()).toEqual(f.manifest.systems.map((s) => s.id).sort());
    expect(shown.systems.find((s) => s.id === 'population-db')!.counted).toEqual([]);
  });

  it('says why when the trust store is not in force or cannot be read', () => {
    f.trustStore();
    const unpinned = approvalsForReport(f.root, loadEnvironment(f.root, 'prod'), f.manifest, evaluation, { now: NOW })!;
    expect(unpinned.trust).toMatch(/^trust store not in force: approvals\/prod\/trust-store\.json: version 1 \(sha256 [0-9a-f]+\) is not pinned/);
    writeFileSync(join(f.root, 'approvals', 'prod', 'trust-store.json'), '{');
    expect(status()!.trust).toMatch(/^not evaluated: approvals\/prod\/trust-store\.json/);
  });
});
