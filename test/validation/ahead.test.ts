import { artifactSetOf } from '../../policies/artifacts';
import { validateArtifacts } from '../../policies/validation';
import { AHEAD_LIMIT_CHARS, validateAhead, validationsTakenAhead } from '../../policies/validation/ahead';
import { sha256 } from '../../core/canonical-json';
import type { Artifact } from '../../stacks/manifest';
import { variant } from '../policy-fixtures';

/**
 * ndc start validates a fresh render on the helper thread (policies/validation/ahead.ts) and the
 * validation rules take those findings only for exactly the bytes the manifest lists. Here the helper
 * runs from the TypeScript sources, as every test does.
 */

/** Dev, with one Terraform resource given an argument its provider does not have (a finding to carry). */
const broken = variant('dev', () => undefined);
const artifacts: Artifact[] = broken.artifacts.map((a) => {
  if (a.engine !== 'terraform' || a.stack !== 'national-core') return a;
  const config = JSON.parse(a.content) as { resource: Record<string, Record<string, Record<string, unknown>>> };
  const [type] = Object.keys(config.resource).sort();
  const [name] = Object.keys(config.resource[type]).sort();
  config.resource[type][name].no_such_argument = 'x';
  return { ...a, content: JSON.stringify(config, null, 2) };
});
const systems = broken.context.cloud.systems;
const listing = (list: readonly Artifact[]) => ({
  artifacts: list.map((a) => ({ path: a.path, engine: a.engine, stack: a.stack, sha256: sha256(a.content) })).sort((a, b) => (a.path < b.path ? -1 : 1)),
});

describe('the validation of a render started on the helper thread', () => {
  it('gives the findings validating in place gives, and is taken for the very artifacts it validated', () => {
    const inPlace = validateArtifacts({ artifacts: artifactSetOf(artifacts), manifest: listing(artifacts), systems });
    expect(inPlace.some((f) => f.check === 'NDC-VAL-003' && f.path === 'no_such_argument')).toBe(true);
    const before = validationsTakenAhead();
    expect(validateAhead(artifacts, systems)).toBe(true);
    const ahead = validateArtifacts({ artifacts: artifactSetOf(artifacts), manifest: listing(artifacts), systems });
    expect(validationsTakenAhead()).toBe(before + 1);
    expect(ahead).toEqual(inPlace);
  });

  it('is not taken for other bytes than the manifest lists: those are validated in place', () => {
    // Started for the broken render, asked about the shipped one (as if out/ had changed in between).
    const shipped = broken.artifacts;
    const before = validationsTakenAhead();
    validateAhead(artifacts, systems);
    const findings = validateArtifacts({ artifacts: artifactSetOf(shipped), manifest: listing(shipped), systems });
    expect(validationsTakenAhead()).toBe(before);
    expect(findings.some((f) => f.path === 'no_such_argument')).toBe(false);
  });

  it('is not started for a render too large to copy to another thread', () => {
    const huge = [...artifacts, { path: 'terraform/huge/cdk.tf.json', engine: 'terraform' as const, stack: 'huge', content: ' '.repeat(AHEAD_LIMIT_CHARS), resources: 0 }];
    expect(validateAhead(huge, systems)).toBe(false);
  });
});
