import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../cli/main';
import { evaluatePolicies } from '../policies/evaluate';
import { approvalPolicyContext, assessmentCheckOf, deployPolicyOutcome, evaluateManifest, gatePolicyOutcome } from '../policies/outcome';
import { requireManifest } from '../stacks/manifest';
import { captureIO, environmentInput, tempProject, writeEnvironmentJson } from './helpers';
import { AS_OF, evidenceOf, fixture, reportOf, withEvidence } from './policy-fixtures';

describe('policy outcomes for the approvals gate and deploy', () => {
  const failing = () => {
    const input = environmentInput('prod');
    const ca = input.systems!.find((s) => s.id === 'digital-signature-ca')!;
    Object.assign(ca.backup!, { rpoHours: 6, schedule: '0 */6 * * *' });
    return reportOf(fixture(input, { evidence: withEvidence(evidenceOf('prod'), 'digital-signature-ca', 'assessment', { performed: '2025-01-10', validUntil: '2026-01-10' }) }));
  };

  it('the gate gets the policy digest and every open mandatory finding', () => {
    const report = failing();
    expect(gatePolicyOutcome(report)).toEqual({
      policyDigest: report.policyDigest,
      mandatoryFindings: [
        { ruleId: 'NDC-LVL-008', systemId: 'digital-signature-ca', message: 'prod/digital-signature-ca: last assessment 2025-01-10 by Authority of Information Security (AIS) (evidence/prod/digital-signature-ca-assessment-2026-04-21.json): overdue since 2026-01-10 (every 12 months at level 4, confirmed)' },
        { ruleId: 'NDC-BAK-004', systemId: 'digital-signature-ca', message: 'prod/digital-signature-ca: RPO 6 h exceeds 4 h for level 4' },
      ],
    });
  });

  it('answers whether each system\'s assessment is current from NDC-LVL-008', () => {
    const check = assessmentCheckOf(failing());
    expect(check('population-db')).toBe(true);
    expect(check('digital-signature-ca')).toBe('last assessment 2025-01-10 by Authority of Information Security (AIS) (evidence/prod/digital-signature-ca-assessment-2026-04-21.json): overdue since 2026-01-10 (every 12 months at level 4, confirmed)');
    expect(check('no-such-system')).toBe('no assessment verdict for no-such-system (NDC-LVL-008)');
  });

  it('deploy and plan get the count and one line', () => {
    expect(deployPolicyOutcome(failing())).toEqual({ mandatoryFailures: 2, summary: '84 rules (vn-2016 2026.12): 2 mandatory failures, 0 advisory, 0 waived' });
  });

  describe('on a project', () => {
    let root: string;
    beforeAll(() => {
      root = tempProject('ndc-outcome-');
      writeEnvironmentJson(root, 'demo', { ...environmentInput('prod'), name: 'demo' });
    });

    it('evaluates exactly the manifest on disk, and refuses a stale or tampered one', () => {
      const checked = evaluatePolicies(root, 'demo', { asOf: AS_OF });
      const manifest = requireManifest(root, 'demo');
      const evaluation = evaluateManifest(root, manifest, { asOf: AS_OF });
      expect(evaluation.policyDigest).toBe(checked.policyDigest);
      expect(evaluation.manifestDigest).toBe(manifest.digest);
      expect(evaluation.findings).toEqual(checked.findings);

      const file = join(root, 'out/demo/terraform/backup-vaults/cdk.tf.json');
      const original = readFileSync(file, 'utf8');
      writeFileSync(file, original.replace('"COMPLIANCE"', '"GOVERNANCE"'));
      expect(() => evaluateManifest(root, manifest)).toThrow('out/demo/: does not match its manifest (terraform/backup-vaults/cdk.tf.json); run ndc synth --env demo');
      writeFileSync(file, original);

      const input = { ...environmentInput('prod'), name: 'demo' };
      input.systems![0].tiers[0].instances = 9;
      writeEnvironmentJson(root, 'demo', input);
      expect(() => evaluateManifest(root, manifest)).toThrow(/^out\/demo\/manifest\.json: digest [0-9a-f]{12}\.\.\. is not what environments\/demo\.json renders now/);
      writeEnvironmentJson(root, 'demo', { ...environmentInput('prod'), name: 'demo' });
    });

    it('the approval context evaluates once and answers assessments from that evaluation', () => {
      const context = approvalPolicyContext(root, AS_OF);
      expect(() => context.assessmentCurrent('population-db')).toThrow('internal: assessmentCurrent asked before the policies were evaluated');
      const outcome = context.evaluatePolicy('demo', requireManifest(root, 'demo'));
      expect(outcome.mandatoryFindings).toEqual([]);
      expect(context.assessmentCurrent('population-db')).toBe(true);
    });

    it('ndc approvals shows the policy digest ndc check reports, and the gate closed without approvals', async () => {
      const check = captureIO(root, true);
      expect(await main(['check', '--env', 'demo'], check.io)).toBe(0);
      const policyDigest = JSON.parse(check.out.join('\n')).policyDigest as string;
      const { io, out } = captureIO(root);
      expect(await main(['approvals', '--env', 'demo'], io)).toBe(1);
      expect(out[0]).toContain(`policy digest ${policyDigest.slice(0, 16)}...`);
      expect(out).toContain('0 of 6 system(s) fully approved; approvals incomplete; deploy gate closed');
    });
  });
});
