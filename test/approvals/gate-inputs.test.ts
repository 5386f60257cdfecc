/**
 * A change author's ways around the gate's mandatory checks without touching an artifact: what the checks
 * read besides the approved content (the date they judge at, the evidence records) must not let the
 * author switch a finding off after the reviewers signed. The real composition root's gate, in process.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeCommandLine, createDeployPorts } from '../../cli/composition';
import { approvalPolicyContext } from '../../policies/outcome';
import { synthEnvironment } from '../../stacks/synth';
import { captureIO, tempProject } from '../helpers';

/** Two years after dev's evidence records: every assessment of dev is overdue by the clock. */
const LATER = new Date('2029-01-15T09:00:00Z');

async function gateAt(root: string, now: Date, digest: string) {
  const io = { ...captureIO(root).io, now: () => now };
  const ports = createDeployPorts(composeCommandLine(io, {}));
  try {
    return await ports.gate.evaluate('dev', digest, 'deploy');
  } finally {
    await ports.close();
  }
}

describe('the gate judges mandatory checks at the clock, not at a date the author writes', () => {
  it('an environment file setting asOf back in time does not hide an overdue assessment from the gate', async () => {
    const root = tempProject('ndc-gate-asof-');
    const file = join(root, 'environments/dev.ts');
    // asOf is not part of any artifact or of the manifest body: setting it leaves the digest the reviewers approved unchanged.
    writeFileSync(file, readFileSync(file, 'utf8').replace("profile: 'vn-2016',", "profile: 'vn-2016',\n  asOf: '2026-11-01',"));
    const { manifest } = synthEnvironment(root, 'dev');
    const decision = await gateAt(root, LATER, manifest.digest);
    expect(decision.open).toBe(false);
    expect(decision.reasons).toContainEqual(expect.stringMatching(/^mandatory finding NDC-LVL-008 on e-document-exchange: /));
    // ndc approve's view is the same: a reviewer is not asked to sign over a finding the asOf hid.
    const findings = approvalPolicyContext(root, LATER).evaluatePolicy('dev', manifest).mandatoryFindings;
    expect(findings).toContainEqual(expect.objectContaining({ ruleId: 'NDC-LVL-008', systemId: 'e-document-exchange' }));
  });
});

describe('evidence records are part of what reviewers sign', () => {
  it('a record added after the approvals changes the policy digest they bind to, so it cannot clear a finding on its own', () => {
    const root = tempProject('ndc-gate-evidence-');
    const { manifest } = synthEnvironment(root, 'dev');
    const before = approvalPolicyContext(root, LATER).evaluatePolicy('dev', manifest);
    expect(before.mandatoryFindings).toContainEqual(expect.objectContaining({ ruleId: 'NDC-LVL-008', systemId: 'e-document-exchange' }));
    // The author writes the assessment nobody performed: no document, so nothing but the record to check.
    const record = { kind: 'assessment', system: 'e-document-exchange', performed: '2028-12-01', by: 'Platform team security unit', result: 'pass', document: { sha256: 'a'.repeat(64) }, validUntil: '2029-12-01' };
    writeFileSync(join(root, 'evidence/dev/e-document-exchange-assessment-2028-12-01.json'), JSON.stringify(record));
    const after = approvalPolicyContext(root, LATER).evaluatePolicy('dev', manifest);
    expect(after.mandatoryFindings).not.toContainEqual(expect.objectContaining({ ruleId: 'NDC-LVL-008', systemId: 'e-document-exchange' }));
    // Approvals signed under the earlier digest stop counting (gate check 4): reviewers must see the new record.
    expect(after.policyDigest).not.toBe(before.policyDigest);
  });
});
