import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/main';
import { artifactSetOf } from '../../policies/artifacts';
import { packsOf, rulesOf } from '../../policies/registry';
import type { RuleContext, TerraformConfig } from '../../policies/rule';
import { validateArtifacts } from '../../policies/validation';
import { renderEnvironment } from '../../stacks/synth';
import { captureIO, REPO, tempProject } from '../helpers';

/** Every environment as synthesized passes validation; the check pack and the command report rejections. */

const ENVS = ['dev', 'staging', 'prod'] as const;

describe('every environment passes validation with no rejection', () => {
  it.each(ENVS)('%s', (name) => {
    const rendered = renderEnvironment(REPO, name);
    const findings = validateArtifacts({ artifacts: artifactSetOf(rendered.artifacts), manifest: rendered.manifest, systems: rendered.cloud.systems });
    expect(findings.map((f) => `${f.check} ${f.artifact}: ${f.address} ${f.path}: ${f.reason}`)).toEqual([]);
  });
});

describe('the validation rule pack in ndc check', () => {
  const rendered = renderEnvironment(REPO, 'dev');

  it('is in force for vn-2016 with mandatory rules NDC-VAL-001 to NDC-VAL-033', () => {
    expect(packsOf('vn-2016')).toContain('validation');
    const rules = rulesOf(['validation']).map((r) => r.rule);
    expect(rules.map((r) => r.id)).toEqual(['NDC-VAL-001', 'NDC-VAL-002', 'NDC-VAL-003', 'NDC-VAL-004', 'NDC-VAL-005', 'NDC-VAL-006', 'NDC-VAL-007', 'NDC-VAL-010', 'NDC-VAL-011', 'NDC-VAL-020', 'NDC-VAL-021', 'NDC-VAL-022', 'NDC-VAL-023', 'NDC-VAL-030', 'NDC-VAL-031', 'NDC-VAL-032', 'NDC-VAL-033']);
    expect(new Set(rules.map((r) => r.enforcement))).toEqual(new Set(['mandatory']));
  });

  it('fails the rule of the rejection and passes the others', () => {
    const artifacts = artifactSetOf(rendered.artifacts);
    const [stack, config] = [...artifacts.terraform].find(([, c]) => Object.keys(c.resource ?? {}).some((t) => t.startsWith('openstack_')))!;
    const broken = new Map(artifacts.terraform);
    broken.set(stack, { ...config, resource: { ...config.resource, openstack_networking_secgroup_rules_v2: { x: {} } } } as TerraformConfig);
    const context = { env: rendered.env, cloud: rendered.cloud, manifest: rendered.manifest, artifacts: { ...artifacts, terraform: broken }, asOf: new Date('2026-11-27'), evidence: rendered.evidence } as RuleContext;
    const results = rulesOf(['validation']).map(({ rule }) => ({ id: rule.id, results: rule.check(context) }));
    const failed = results.filter((r) => r.results.some((x) => x.status === 'fail'));
    expect(failed.map((r) => r.id)).toEqual(['NDC-VAL-001']);
    expect(failed[0].results).toEqual([{ status: 'fail', subject: `terraform/${stack}/cdk.tf.json: openstack_networking_secgroup_rules_v2.x`, message: expect.stringContaining('does not exist in terraform-provider-openstack/openstack v3.4.0') }]);
  });
});

describe('ndc validate', () => {
  it('synthesizes a missing out/E/, validates it and exits 0 with a one-line verdict (text and --json)', async () => {
    const root = tempProject('ndc-validate-');
    const text = captureIO(root);
    expect(await main(['validate', '--env', 'dev'], text.io)).toBe(0);
    expect(existsSync(join(root, 'out', 'dev', 'manifest.json'))).toBe(true);
    expect(text.err).toEqual(['ndc validate: synthesized out/dev/ first (out/dev/manifest.json is missing)']);
    expect(text.out).toEqual([expect.stringMatching(/^VALID: \d+ Terraform, \d+ Kubernetes and 0 CloudFormation artifact\(s\) of dev \(digest [0-9a-f]{12}\): no rejection$/)]);
    const json = captureIO(root, true);
    expect(await main(['validate', '--env', 'dev', '--json'], json.io)).toBe(0);
    expect(json.err).toEqual([]);
    expect(JSON.parse(json.out.join('\n'))).toMatchObject({ env: 'dev', valid: true, findings: [], checked: { kubernetes: expect.any(Number), cloudformation: 0 } });
  });

  it('renders again only when an input of the last synthesis changed or out/E/ no longer matches it', async () => {
    const root = tempProject('ndc-validate-');
    const run = async () => {
      const c = captureIO(root, true);
      const code = await main(['validate', '--env', 'dev', '--json'], c.io);
      return { code, err: c.err, rendered: (JSON.parse(c.out.join('\n')) as { rendered: boolean }).rendered };
    };
    expect(await run()).toEqual({ code: 0, err: ['ndc validate: synthesized out/dev/ first (out/dev/manifest.json is missing)'], rendered: true });
    expect(await run()).toEqual({ code: 0, err: [], rendered: false });
    // An edited environment file changes the inputs: rendered again (and synthesized when its digest changed).
    const file = join(root, 'environments', 'dev.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace("{ name: 'web', zone: 'dmz', instances: 1, flavor: 'c4.small', volumeGb: 20 }", "{ name: 'web', zone: 'dmz', instances: 1, flavor: 'c4.small', volumeGb: 30 }"));
    expect(await run()).toMatchObject({ code: 0, rendered: true });
    expect(await run()).toEqual({ code: 0, err: [], rendered: false });
    // An edited artifact no longer matches the manifest: re-synthesized, never validated as it stands.
    const manifest = JSON.parse(readFileSync(join(root, 'out', 'dev', 'manifest.json'), 'utf8')) as { artifacts: { path: string; engine: string }[] };
    const artifact = join(root, 'out', 'dev', manifest.artifacts.find((a) => a.engine === 'terraform')!.path);
    writeFileSync(artifact, `${readFileSync(artifact, 'utf8')} `);
    expect(await run()).toEqual({ code: 0, err: [expect.stringMatching(/^ndc validate: synthesized out\/dev\/ first \(out\/dev\/ does not match its manifest\)$/)], rendered: true });
  });

  it('exits 2 with one line for an unknown environment or a missing --env', async () => {
    const root = tempProject('ndc-validate-');
    const unknown = captureIO(root);
    expect(await main(['validate', '--env', 'nope'], unknown.io)).toBe(2);
    expect(unknown.err).toEqual([expect.stringMatching(/^ndc validate: environments\/nope\.ts: no such environment file/)]);
    const missing = captureIO(root);
    const saved = process.env.NDC_ENV;
    delete process.env.NDC_ENV;
    try {
      expect(await main(['validate'], missing.io)).toBe(2);
    } finally {
      if (saved !== undefined) process.env.NDC_ENV = saved;
    }
    expect(missing.err).toEqual(['ndc validate: --env: is required (for example --env prod)']);
  });
});
