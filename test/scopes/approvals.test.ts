import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256, stableJson } from '../../core/canonical-json';
import { PLATFORM_SYSTEM_ID } from '../../environments/schema';
import type { Role } from '../../policies/approvals/requirements';
import { buildManifest, digestsOf, readManifest, verifyArtifacts, type Artifact, type Manifest } from '../../stacks/manifest';
import { diffStates } from '../../policies/approvals/scope-diff';
import { evaluateManifest } from '../../policies/outcome';
import { textDiff } from '../../policies/reports/scope-diff';
import { environmentState } from '../../stacks/scope-state';
import { reachDigest } from '../../stacks/reach';
import { scopeDigestOf, scopedResources } from '../../stacks/scopes';
import { manifestOfRender, synthEnvironment } from '../../stacks/synth';
import { Fixture } from '../approvals/fixture';
import { environmentInput, tempProject } from '../helpers';
import { fixture, variant } from '../policy-fixtures';

/**
 * Approvals bind to scope digests (issue #14): a change voids exactly the approvals of the scopes it
 * touches. Dev is rendered twice (as shipped, and with one more flow on its level-2 system); the other
 * changes are edits of the rendered artifacts, as a change author could make them.
 */
const base = fixture(environmentInput('dev'));
const LEVEL_2 = 'open-data-portal';
const LEVEL_3 = 'e-document-exchange';
const SCOPES = [LEVEL_3, PLATFORM_SYSTEM_ID, LEVEL_2];

/** Who approves each scope of dev in the approvals fixture's trust store. */
const DEV_COMPLETE: [string, Role, string[]][] = [
  ['su-go', 'security-unit', [LEVEL_3, LEVEL_2]],
  ['owner-go', 'system-owner', [LEVEL_3]],
  ['owner-mps', 'system-owner', [PLATFORM_SYSTEM_ID]],
  ['nca-1', 'national-authority', [PLATFORM_SYSTEM_ID]],
];

type TerraformJson = { resource: Record<string, Record<string, Record<string, unknown>>> };

/** The artifacts with one Terraform stack's JSON edited. */
function editTerraform(artifacts: readonly Artifact[], stack: string, edit: (json: TerraformJson & Record<string, unknown>) => void): Artifact[] {
  return artifacts.map((a) => {
    if (a.engine !== 'terraform' || a.stack !== stack) return a;
    const json = JSON.parse(a.content) as TerraformJson & Record<string, unknown>;
    edit(json);
    return { ...a, content: stableJson(json) };
  });
}

const manifestOf = (artifacts: readonly Artifact[]) => manifestOfRender(base.context.cloud, base.context.env, artifacts).manifest;
const digestOf = (manifest: Manifest, id: string) => manifest.scopes.find((s) => s.id === id)!.digest;
const changedScopes = (before: Manifest, after: Manifest) => SCOPES.filter((id) => digestOf(before, id) !== digestOf(after, id)).sort();

describe('approvals bind to scope digests', () => {
  let f: Fixture;
  beforeEach(() => {
    f = new Fixture('dev');
    f.trustStore();
    f.writeManifest(base.context.manifest);
    for (const [reviewer, role, systems] of DEV_COMPLETE) f.approve(reviewer, role, systems);
  });
  afterEach(() => f.cleanup());

  /** Writes the changed manifest and returns which scopes the gate no longer counts as approved. */
  const voided = (changed: Manifest) => {
    expect(f.gate().open).toBe(true);
    f.writeManifest(changed);
    const result = f.gate();
    return { result, unapproved: result.perSystem.filter((s) => !s.approved).map((s) => s.id).sort() };
  };

  it('a change inside one level-2 system (a new flow on port 9090) voids only that system\'s approvals', () => {
    const changed = variant('dev', (input) => {
      input.systems!.find((s) => s.id === LEVEL_2)!.flows!.push({ from: 'dmz', to: 'internal-server', protocol: 'tcp', ports: 9090 });
    });
    expect(changedScopes(base.context.manifest, changed.context.manifest)).toEqual([LEVEL_2]);
    const { result, unapproved } = voided(changed.context.manifest);
    expect(unapproved).toEqual([LEVEL_2]);
    expect(result.blocking).toEqual([LEVEL_2]);
    // The level-3 system and the platform keep their approvals; su-go's signature still counts for the level-3 system.
    expect(result.perSystem.find((s) => s.id === LEVEL_3)!.counted.map((c) => c.reviewer).sort()).toEqual(['owner-go', 'su-go']);
    expect(result.notCounting).toEqual([expect.objectContaining({ reviewer: 'su-go', system: LEVEL_2, reason: expect.stringMatching(/^approves open-data-portal at digest [0-9a-f]{12}\.\.\., but its current digest is [0-9a-f]{12}\.\.\. \(what it deploys changed after approval\)$/) })]);
  });

  it('a change to a platform security group voids only the platform\'s approvals', () => {
    const artifacts = editTerraform(base.artifacts, 'national-core', (json) => {
      const rules = json.resource.openstack_networking_secgroup_rule_v2;
      const [name, rule] = Object.entries(rules)[0];
      rules[name] = { ...rule, port_range_max: Number(rule.port_range_max) + 1 };
    });
    const changed = manifestOf(artifacts);
    expect(changedScopes(base.context.manifest, changed)).toEqual([PLATFORM_SYSTEM_ID]);
    const { unapproved } = voided(changed);
    expect(unapproved).toEqual([PLATFORM_SYSTEM_ID]);
  });

  it('a platform change that lets the platform reach into a system voids that system\'s approvals as well as the platform\'s', () => {
    // The log collector's egress widened to every address on 443: it can now open the level-2 system's IPS,
    // whose own resources did not change. Its reachability did, so its reviewers must sign again.
    const artifacts = editTerraform(base.artifacts, 'cluster-north', (json) => {
      const rules = json.resource.openstack_networking_secgroup_rule_v2;
      const name = Object.keys(rules).find((n) => (rules[n]['//'] as { scope: string }).scope === PLATFORM_SYSTEM_ID && rules[n].direction === 'egress' && rules[n].port_range_min === 443)!;
      rules[name] = { ...rules[name], remote_ip_prefix: '0.0.0.0/0' };
    });
    const { manifest: changed, reach } = manifestOfRender(base.context.cloud, base.context.env, artifacts);
    expect(changedScopes(base.context.manifest, changed)).toEqual([PLATFORM_SYSTEM_ID, LEVEL_2].sort());
    expect(reach.get(LEVEL_2)).toContain(`in scope:${PLATFORM_SYSTEM_ID} -> vm:north/${LEVEL_2}/ips tcp/443`);
    const { unapproved } = voided(changed);
    expect(unapproved).toEqual([PLATFORM_SYSTEM_ID, LEVEL_2].sort());
    // The diff tells the level-2 system's reviewers why: none of its resources changed, who can reach it did.
    const stateOf = (m: Manifest, arts: readonly Artifact[], lines: ReadonlyMap<string, readonly string[]>) => environmentState(m, scopedResources(arts), lines);
    const before = manifestOfRender(base.context.cloud, base.context.env, base.artifacts);
    const diff = diffStates({ base: stateOf(before.manifest, base.artifacts, before.reach), current: stateOf(changed, artifacts, reach), against: { kind: 'revision', ref: 'main', source: 'main', digest: before.manifest.digest }, currentSource: 'out/dev', settings: base.context.env.approvals, approvals: [] });
    const portal = diff.scopes.find((s) => s.id === LEVEL_2)!;
    expect(portal.resources).toEqual([]);
    expect(portal.reachability).toEqual({ added: expect.arrayContaining([`in scope:${PLATFORM_SYSTEM_ID} -> vm:north/${LEVEL_2}/ips tcp/443`]), removed: [], recorded: true });
    expect(textDiff(diff)).toContain(`  + reach: in scope:${PLATFORM_SYSTEM_ID} -> vm:north/${LEVEL_2}/ips tcp/443\n  no resource of it changed; its reachability did (a change elsewhere)`);
  });

  it('a system\'s resources unchanged but its reachability recorded differently: the digest is not the approved one', () => {
    const { manifest } = manifestOfRender(base.context.cloud, base.context.env, base.artifacts);
    expect(manifest.digest).toBe(base.context.manifest.digest);
    const portal = manifest.scopes.find((s) => s.id === LEVEL_2)!;
    const blind = buildManifest(base.context.cloud, base.artifacts);
    expect(blind.scopes.find((s) => s.id === LEVEL_2)!.root).toBe(portal.root);
    expect(blind.scopes.find((s) => s.id === LEVEL_2)!.digest).not.toBe(portal.digest);
  });

  it('an engine setting (a provider block) is the platform\'s too: every deployed byte is under some scope', () => {
    const artifacts = editTerraform(base.artifacts, 'cluster-north', (json) => {
      json.provider = { openstack: [{ region: 'elsewhere' }] };
    });
    expect(changedScopes(base.context.manifest, manifestOf(artifacts))).toEqual([PLATFORM_SYSTEM_ID]);
  });

  it('moving a resource from a system to the platform voids both scopes\' approvals', () => {
    const artifacts = editTerraform(base.artifacts, 'cluster-north', (json) => {
      const rules = json.resource.openstack_networking_secgroup_rule_v2;
      const name = Object.keys(rules).find((n) => (rules[n]['//'] as { scope: string }).scope === LEVEL_2)!;
      rules[name] = { ...rules[name], '//': { ...(rules[name]['//'] as object), scope: PLATFORM_SYSTEM_ID } };
    });
    const changed = manifestOf(artifacts);
    expect(changedScopes(base.context.manifest, changed)).toEqual([PLATFORM_SYSTEM_ID, LEVEL_2].sort());
    const { unapproved } = voided(changed);
    expect(unapproved).toEqual([PLATFORM_SYSTEM_ID, LEVEL_2].sort());
  });

  it('an approval for scope A never counts for scope B, whatever digest it names', () => {
    f.cleanup();
    f = new Fixture('dev');
    f.trustStore();
    f.writeManifest(base.context.manifest);
    for (const [reviewer, role, systems] of DEV_COMPLETE.filter(([r]) => r !== 'su-go')) f.approve(reviewer, role, systems);
    // su-go signs the level-3 system, and names the level-2 system with the level-3 system's digest.
    const file = f.approve('su-go', 'security-unit', [LEVEL_3, LEVEL_2], { scopes: [LEVEL_3, LEVEL_2].map((id) => ({ id, level: id === LEVEL_2 ? 2 : 3, digest: digestOf(base.context.manifest, LEVEL_3) })) });
    const result = f.gate();
    expect(result.open).toBe(false);
    expect(result.perSystem.filter((s) => !s.approved).map((s) => s.id)).toEqual([LEVEL_2]);
    expect(result.reasons).toContain(`approvals/dev/${file.split('/').at(-1)}: does not count for open-data-portal: approves open-data-portal at digest ${digestOf(base.context.manifest, LEVEL_3).slice(0, 12)}..., but its current digest is ${digestOf(base.context.manifest, LEVEL_2).slice(0, 12)}... (what it deploys changed after approval)`);
    // Two scopes with the same resources still have different digests: the digest binds the scope's id and level.
    expect(new Set(base.context.manifest.scopes.map((s) => s.digest)).size).toBe(base.context.manifest.scopes.length);
  });
});

describe('the manifest\'s scope digests are those of the files on disk', () => {
  it('a consistent forgery of a scope\'s reachability lines passes the file checks, and the gate\'s fresh render refuses it', () => {
    const root = tempProject('ndc-scopes-reach-');
    try {
      synthEnvironment(root, 'dev');
      const manifest = readManifest(root, 'dev')!;
      const file = join(root, 'out', 'dev', 'resources.json');
      const resources = JSON.parse(readFileSync(file, 'utf8')) as { reachability: Record<string, string[]> };
      // The author hides that the internet reaches the level-2 system, and recomputes every digest that covers it.
      const lines = resources.reachability[LEVEL_2];
      expect(lines).toContain(`in internet -> vm:north/${LEVEL_2}/ips tcp/443`);
      resources.reachability[LEVEL_2] = lines.filter((l) => !l.includes('internet'));
      const content = stableJson(resources);
      writeFileSync(file, content);
      const scopes = manifest.scopes.map((s) => {
        if (s.id !== LEVEL_2) return s;
        const reach = reachDigest(resources.reachability[LEVEL_2]);
        return { ...s, reach, digest: scopeDigestOf(s.id, s.level, s.root, reach) };
      });
      const forged = { ...manifest, scopes, resources: { ...manifest.resources, sha256: sha256(content) } };
      const consistent = { ...forged, ...digestsOf(forged, forged.artifacts) };
      writeFileSync(join(root, 'out', 'dev', 'manifest.json'), stableJson(consistent));
      expect(verifyArtifacts(root, consistent)).toEqual([]);
      expect(() => evaluateManifest(root, consistent)).toThrow(/out\/dev\/manifest.json: digest [0-9a-f]{12}\.\.\. is not what environments\/dev\.ts renders now/);
      // Lines edited without recomputing the scope digest do not even pass the file checks.
      writeFileSync(join(root, 'out', 'dev', 'manifest.json'), stableJson(manifest));
      expect(verifyArtifacts(root, manifest)).toEqual(['resources.json (missing, unreadable, or not the file the manifest\'s resources.sha256 names)']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a manifest that keeps an approved scope digest over a changed artifact, even with every other digest recomputed', () => {
    const root = tempProject('ndc-scopes-');
    try {
      synthEnvironment(root, 'dev');
      const manifest = readManifest(root, 'dev')!;
      expect(verifyArtifacts(root, manifest)).toEqual([]);
      const path = manifest.artifacts.find((a) => a.stack === 'cluster-north')!.path;
      const file = join(root, 'out', 'dev', path);
      const json = JSON.parse(readFileSync(file, 'utf8')) as TerraformJson;
      const rules = json.resource.openstack_networking_secgroup_rule_v2;
      const name = Object.keys(rules).find((n) => (rules[n]['//'] as { scope: string }).scope === LEVEL_2)!;
      rules[name].port_range_max = 9090;
      const content = stableJson(json);
      writeFileSync(file, content);
      // The author updates the artifact's sha256 and every digest, but leaves scopes[open-data-portal] as approved.
      const artifacts = manifest.artifacts.map((a) => (a.path === path ? { ...a, bytes: Buffer.byteLength(content), sha256: sha256(content) } : a));
      const forged = { ...manifest, artifacts, ...digestsOf(manifest, artifacts) };
      expect(verifyArtifacts(root, forged)).toEqual([`manifest.json (scopes[${LEVEL_2}] is not the digest of that scope's resources in the artifacts)`, 'resources.json (the per-resource digests do not match the artifacts or the manifest)']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
