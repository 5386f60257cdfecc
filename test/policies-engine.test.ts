import { cpSync, existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors';
import { artifactSetOf } from '../policies/artifacts';
import { evaluatePolicies } from '../policies/evaluate';
import { policyInForce } from '../policies/engine';
import { PROFILES } from '../policies/profiles';
import { PACKS } from '../policies/registry';
import { validateEnvironment } from '../environments/validate';
import type { EnvironmentInput } from '../environments/schema';
import { environmentInput, tempProject, writeEnvironmentJson } from './helpers';
import { AS_OF, evidenceOf, fixture, reportOf, variant, withoutEvidence } from './policy-fixtures';

type SystemInput = NonNullable<EnvironmentInput['systems']>[number];
const system = (input: EnvironmentInput, id: string): SystemInput => input.systems!.find((s) => s.id === id)!;
const exception = (over: Record<string, unknown>) => ({ rule: 'NDC-BAK-004', system: 'e-document-exchange', reason: 'Synthetic data only in this environment, reviewed by the platform team.', grantedBy: 'Platform security unit', expires: '2027-06-30', ...over });

function withPolicy(policy: Record<string, unknown>, change: (input: EnvironmentInput) => void = () => undefined) {
  return variant('prod', (input) => {
    input.policy = policy;
    change(input);
  });
}

describe('policy engine', () => {
  it('evaluates every pack of the vn-2016 profile, with no mandatory failure on prod as shipped', () => {
    const report = reportOf(variant('prod', () => undefined));
    expect(report.profile).toMatchObject({ name: 'vn-2016', version: PROFILES['vn-2016'].version, title: 'Decree 85/2016/ND-CP, Circular 12/2022/TT-BTTTT, TCVN 11930:2017', status: 'confirmed' });
    expect(new Set(report.rules.map((r) => r.pack))).toEqual(new Set(['security-level', 'segmentation', 'backup', 'residency', 'topology-and-green', 'secrets', 'kubernetes', 'public-edge', 'network', 'assurance', 'validation']));
    expect(report.rules).toHaveLength(84);
    expect(report.mandatoryFailures).toBe(0);
    expect(report.findings.filter((f) => f.status === 'fail')).toEqual([]);
    expect(report.asOf).toBe('2026-11-27');
  });

  it('the registry adds a pack with one line: every pack is lazily loaded and exports rules with unique ids', () => {
    const ids = Object.values(PACKS).flatMap((entry) => entry.load().map((r) => r.id));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^(NDC-[A-Z0-9]{3,4}-\d{3}|AwsSolutions-[A-Z0-9]+)$/);
  });

  it('dev makes the multi-cluster rules advisory, visibly, and still fails nothing mandatory', () => {
    const report = reportOf(variant('dev', () => undefined));
    expect(report.overrides).toEqual([
      { ruleId: 'NDC-BAK-001', from: 'mandatory', to: 'advisory' },
      { ruleId: 'NDC-K8S-004', from: 'mandatory', to: 'advisory' },
      { ruleId: 'NDC-LVL-010', from: 'mandatory', to: 'advisory' },
      { ruleId: 'NDC-TOP-001', from: 'mandatory', to: 'advisory' },
    ]);
    expect(report.findings.filter((f) => f.status === 'fail').map((f) => [f.ruleId, f.enforcement])).toEqual([
      ['NDC-LVL-010', 'advisory'],
      ['NDC-BAK-001', 'advisory'],
      ['NDC-TOP-001', 'advisory'],
      ['NDC-K8S-004', 'advisory'],
    ]);
    expect(report.mandatoryFailures).toBe(0);
    expect(report.advisoryFailures).toBe(4);
    expect(report.exceptions.map((e) => [e.rule, e.status])).toEqual([['NDC-BAK-004', 'applied'], ['NDC-LVL-009', 'applied'], ['NDC-LVL-009', 'applied']]);
  });

  it('the same dev without its overrides has mandatory failures', () => {
    const report = reportOf(variant('dev', (input) => {
      input.policy = {};
    }));
    expect(report.findings.filter((f) => f.status === 'fail' && f.enforcement === 'mandatory').map((f) => f.ruleId)).toEqual(['NDC-LVL-009', 'NDC-LVL-009', 'NDC-LVL-010', 'NDC-BAK-001', 'NDC-BAK-004', 'NDC-TOP-001', 'NDC-K8S-004']);
  });

  it('a disabled rule is not evaluated but stays listed with its enforcement', () => {
    const f = withPolicy({ overrides: { 'NDC-BAK-004': 'disabled' } }, (input) => {
      system(input, 'e-document-exchange').backup!.retentionDays = 10;
    });
    const report = reportOf(f);
    expect(report.findings.some((x) => x.ruleId === 'NDC-BAK-004')).toBe(false);
    expect(report.rules.find((r) => r.id === 'NDC-BAK-004')?.enforcement).toBe('disabled');
    expect(report.overrides).toEqual([{ ruleId: 'NDC-BAK-004', from: 'mandatory', to: 'disabled' }]);
  });

  describe('exceptions', () => {
    const failing = (policy: Record<string, unknown>, asOf = AS_OF) => {
      const input = environmentInput('prod');
      input.policy = policy;
      system(input, 'e-document-exchange').backup!.retentionDays = 30;
      Object.assign(system(input, 'digital-signature-ca').backup!, { rpoHours: 6, schedule: '0 */6 * * *' });
      return reportOf(fixture(input, { asOf }));
    };

    it('a live exception waives a level-3 system\'s mandatory finding', () => {
      const report = failing({ exceptions: [exception({})] });
      const waived = report.findings.find((f) => f.ruleId === 'NDC-BAK-004' && f.systemId === 'e-document-exchange');
      expect(waived?.status).toBe('waived');
      expect(waived?.waivedBy).toBe(0);
      expect(report.exceptions[0]).toMatchObject({ status: 'applied', waived: 1 });
      expect(report.mandatoryFailures).toBe(1); // digital-signature-ca remains
    });

    it('an expired exception no longer applies (the expiry day itself still does)', () => {
      const onTheDay = failing({ exceptions: [exception({ expires: '2026-11-27' })] });
      expect(onTheDay.exceptions[0].status).toBe('applied');
      const after = failing({ exceptions: [exception({ expires: '2026-11-26' })] });
      expect(after.exceptions[0]).toMatchObject({ status: 'expired', note: 'expired on 2026-11-26; it no longer applies', waived: 0 });
      expect(after.findings.find((f) => f.ruleId === 'NDC-BAK-004' && f.systemId === 'e-document-exchange')?.status).toBe('fail');
      expect(after.mandatoryFailures).toBe(2);
    });

    it('refuses to waive a mandatory finding on a level 4-5 system from the environment file alone', () => {
      const bySystem = failing({ exceptions: [exception({ system: 'digital-signature-ca' })] });
      expect(bySystem.exceptions[0]).toMatchObject({ status: 'refused', note: 'a mandatory finding on a level 4-5 system cannot be waived by the environment file alone: it needs a signed exception', waived: 0 });
      expect(bySystem.mandatoryFailures).toBe(2);
      const byResource = failing({ exceptions: [exception({ system: undefined, resource: 'prod/digital-signature-ca' })] });
      expect(byResource.exceptions[0].status).toBe('refused');
    });

    it('an advisory finding on a level 4-5 system may be waived', () => {
      const input = environmentInput('prod');
      input.policy = { overrides: { 'NDC-BAK-005': 'advisory' }, exceptions: [exception({ rule: 'NDC-BAK-005', system: 'population-db' })] };
      const report = reportOf(fixture(input, { evidence: withoutEvidence(evidenceOf('prod'), 'population-db', 'restore-test') }));
      expect(report.exceptions[0].status).toBe('applied');
      expect(report.findings.find((f) => f.ruleId === 'NDC-BAK-005' && f.systemId === 'population-db')?.status).toBe('waived');
    });

    it('an exception that matches no failure is reported unused', () => {
      const report = failing({ exceptions: [exception({ rule: 'NDC-SEG-003', system: 'open-data-portal' })] });
      expect(report.exceptions[0]).toMatchObject({ status: 'unused', note: 'no failing finding matches it' });
    });
  });

  describe('env.policy validation (one line: file, field, value, reason)', () => {
    const error = (policy: Record<string, unknown>) => {
      const env = validateEnvironment({ ...environmentInput('prod'), policy }, 'environments/prod.ts');
      try {
        policyInForce(env, 'environments/prod.ts');
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
        return (e as Error).message;
      }
      throw new Error('expected an InputError');
    };
    it.each([
      ['an override of an unknown rule', { overrides: { 'NDC-XYZ-999': 'advisory' } }, /^environments\/prod\.ts: policy\.overrides\.NDC-XYZ-999: is not a rule of profile vn-2016 \(rules: NDC-LVL-001, /],
      ['an override to an unknown enforcement', { overrides: { 'NDC-SEG-001': 'off' } }, /^environments\/prod\.ts: policy\.overrides\.NDC-SEG-001: "off": Invalid option: expected one of "mandatory"\|"advisory"\|"disabled"$/],
      ['an exception with a short reason', { exceptions: [exception({ reason: 'because' })] }, /^environments\/prod\.ts: policy\.exceptions\[0\]\.reason: "because": must explain the exception in at least 20 characters$/],
      ['an exception with a bad expiry date', { exceptions: [exception({ expires: 'next year' })] }, /^environments\/prod\.ts: policy\.exceptions\[0\]\.expires: "next year": must be a date as YYYY-MM-DD$/],
      ['an exception naming both a system and a resource', { exceptions: [exception({ resource: 'prod/x' })] }, /^environments\/prod\.ts: policy\.exceptions\[0\]\.system: "e-document-exchange": must name exactly one of system or resource$/],
      ['an exception for an unknown system', { exceptions: [exception({ system: 'nope' })] }, /^environments\/prod\.ts: policy\.exceptions\[0\]\.system: "nope" is not a system of this environment/],
      ['an exception for an unknown rule', { exceptions: [exception({ rule: 'NDC-ABC-001' })] }, /^environments\/prod\.ts: policy\.exceptions\[0\]\.rule: "NDC-ABC-001" is not a rule of profile vn-2016$/],
      ['an unknown field', { overides: {} }, /^environments\/prod\.ts: policy: .*unknown field "overides"$/],
    ])('refuses %s', (_label, policy, expected) => {
      expect(error(policy)).toMatch(expected);
    });

    it('an unknown profile is refused', () => {
      const env = validateEnvironment({ ...environmentInput('prod'), profile: 'vn-2030' }, 'environments/prod.ts');
      expect(() => policyInForce(env, 'environments/prod.ts')).toThrow('environments/prod.ts: profile: "vn-2030" is not a regulation profile (known: vn-2016, vn-2026)');
    });
  });

  describe('policy digest', () => {
    const digest = (policy: Record<string, unknown>) => policyInForce(validateEnvironment({ ...environmentInput('prod'), policy }, 'p.ts'), 'p.ts').digest;
    it('is stable for the same pack and changes with enforcement, parameters and exceptions', () => {
      const base = digest({});
      expect(digest({})).toBe(base);
      expect(base).toMatch(/^[0-9a-f]{64}$/);
      expect(digest({ overrides: { 'NDC-SEG-001': 'mandatory' } })).toBe(base); // same effective enforcement
      const changed = [digest({ overrides: { 'NDC-SEG-001': 'advisory' } }), digest({ parameters: { minClusterDistanceKm: 200 } }), digest({ exceptions: [exception({})] })];
      for (const d of changed) expect(d).not.toBe(base);
      expect(new Set(changed).size).toBe(3);
    });
    it('does not depend on the systems, only on the pack in force', () => {
      const other = validateEnvironment({ ...environmentInput('staging'), policy: {} }, 's.ts');
      expect(policyInForce(other, 's.ts').digest).toBe(digest({}));
    });
  });

  it('parameters from env.policy change the rule and appear in the report', () => {
    const report = reportOf(withPolicy({ parameters: { minClusterDistanceKm: 700 } }));
    expect(report.parameters.minClusterDistanceKm).toBe(700);
    expect(report.findings.filter((f) => f.status === 'fail').map((f) => f.subject)).toEqual(['prod/north<->central', 'prod/central<->south']);
  });
});

describe('artifact set', () => {
  it('parses multi-document Kubernetes YAML and CloudFormation JSON', () => {
    const set = artifactSetOf([
      { path: 'kubernetes/north.yaml', engine: 'kubernetes', stack: 'north', content: 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: portal\n---\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: deny\n  namespace: portal\nspec: {}\n' },
      { path: 'cloudformation/edge.template.json', engine: 'cloudformation', stack: 'edge', content: '{"Resources":{"Site":{"Type":"AWS::S3::Bucket"}}}' },
    ]);
    expect(set.kubernetes.get('north')?.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['Namespace/portal', 'NetworkPolicy/deny']);
    expect(set.cloudformation.get('edge')?.Resources?.Site.Type).toBe('AWS::S3::Bucket');
    expect([...set.text.keys()]).toEqual(['cloudformation/edge.template.json', 'kubernetes/north.yaml']);
  });

  it('reads streams with a leading comment, empty documents, or YAML directives alike', () => {
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n';
    const read = (content: string) => artifactSetOf([{ path: 'kubernetes/n.yaml', engine: 'kubernetes', stack: 'n', content }]).kubernetes.get('n')!.map((o) => o.metadata.name);
    expect(read(`# header\n---\n${namespace}---\n---\n${namespace.replace('name: a', 'name: b')}`)).toEqual(['a', 'b']);
    expect(read(`%YAML 1.2\n---\n${namespace}...\n`)).toEqual(['a']);
    expect(read(namespace)).toEqual(['a']);
  });

  it('refuses an artifact that is not what its engine writes, naming it', () => {
    expect(() => artifactSetOf([{ path: 'kubernetes/n.yaml', engine: 'kubernetes', stack: 'n', content: 'kind: [unclosed' }])).toThrow(/^kubernetes\/n\.yaml: document 1 is not valid YAML/);
    expect(() => artifactSetOf([{ path: 'kubernetes/n.yaml', engine: 'kubernetes', stack: 'n', content: 'a: 1\n' }])).toThrow('kubernetes/n.yaml: document 1 is not a Kubernetes object (apiVersion, kind and metadata.name are required)');
    expect(() => artifactSetOf([{ path: 'terraform/x/cdk.tf.json', engine: 'terraform', stack: 'x', content: '[]' }])).toThrow(/^terraform\/x\/cdk\.tf\.json: is not valid terraform JSON/);
  });
});

describe('evaluatePolicies (the library entry point)', () => {
  let root: string;
  beforeAll(() => {
    root = tempProject('ndc-policy-');
  });

  it('synthesizes when out/<env>/ is missing, not when it is current, and again when an artifact was edited', () => {
    const first = evaluatePolicies(root, 'prod', { asOf: AS_OF });
    expect(first.synthesized).toBe(true);
    expect(first.synthReason).toBe('out/prod/manifest.json is missing');
    expect(existsSync(join(root, 'out/prod/manifest.json'))).toBe(true);
    expect(first.mandatoryFailures).toBe(0);

    const second = evaluatePolicies(root, 'prod', { asOf: AS_OF });
    expect(second.synthesized).toBe(false);
    expect(second.policyDigest).toBe(first.policyDigest);
    expect(second.findings).toEqual(first.findings);

    const file = join(root, 'out/prod/terraform/cluster-north/cdk.tf.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"port_range_max": 5432', '"port_range_max": 5440'));
    const third = evaluatePolicies(root, 'prod', { asOf: AS_OF });
    expect(third.synthesized).toBe(true);
    expect(third.synthReason).toContain('does not match its manifest (terraform/cluster-north/cdk.tf.json');
    expect(readFileSync(file, 'utf8')).not.toContain('"port_range_max": 5440');
  });

  it('re-synthesizes when the environment changed since the last synth', () => {
    const input = environmentInput('prod');
    writeEnvironmentJson(root, 'changed', { ...input, name: 'changed' });
    expect(evaluatePolicies(root, 'changed', { asOf: AS_OF }).synthesized).toBe(true);
    const before = statSync(join(root, 'out/changed/manifest.json')).mtimeMs;
    system(input, 'open-data-portal').tiers[0].instances = 4;
    writeEnvironmentJson(root, 'changed', { ...input, name: 'changed' });
    utimesSync(join(root, 'environments/changed.json'), new Date(), new Date());
    const again = evaluatePolicies(root, 'changed', { asOf: AS_OF });
    expect(again.synthesized).toBe(true);
    expect(again.synthReason).toBe('environments/changed.json no longer renders to the synthesized digest');
    expect(statSync(join(root, 'out/changed/manifest.json')).mtimeMs).toBeGreaterThanOrEqual(before);
  });

  it('synth: never evaluates the render in memory and writes nothing', () => {
    writeEnvironmentJson(root, 'memory', { ...environmentInput('staging'), name: 'memory' });
    cpSync(join(root, 'evidence/staging'), join(root, 'evidence/memory'), { recursive: true });
    const report = evaluatePolicies(root, 'memory', { asOf: AS_OF, synth: 'never' });
    expect(report.synthesized).toBe(false);
    expect(report.mandatoryFailures).toBe(0);
    expect(existsSync(join(root, 'out/memory'))).toBe(false);
  });
});
