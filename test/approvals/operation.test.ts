import { readFileSync, writeFileSync } from 'node:fs';
import { COMPLETE, Fixture } from './fixture';

let f: Fixture;
beforeEach(() => {
  f = new Fixture('prod');
  f.trustStore();
});
afterEach(() => f.cleanup());

describe('the signed operation', () => {
  it('deploy approvals do not open a destroy, and destroy approvals from the same roles do', () => {
    f.approveAll();
    expect(f.gate().open).toBe(true);
    const destroy = f.gate({ operation: 'destroy' });
    expect(destroy.open).toBe(false);
    expect(destroy.notCounting).toHaveLength(COMPLETE.length);
    expect(destroy.reasons).toContain(`approvals/prod/${f.fileName('su-go')}: does not count: approves deploy, not destroy (a destroy needs destroy approvals from the same roles)`);
    for (const [reviewer, role, systems] of COMPLETE) f.approve(reviewer, role, systems, { operation: 'destroy' });
    expect(f.gate({ operation: 'destroy' }).open).toBe(true);
    // Both sets sit side by side: one file per reviewer, operation and digest.
    expect(f.gate().open).toBe(true);
  });

  it('a statement signed before the operation was part of it no longer counts, and says why', () => {
    f.approveAll();
    const file = f.path('approvals', 'prod', f.fileName('nca-2'));
    const json = JSON.parse(readFileSync(file, 'utf8')) as { statement: Record<string, unknown> };
    delete json.statement.operation;
    writeFileSync(file, JSON.stringify(json));
    const result = f.gate();
    expect(result.open).toBe(false);
    expect(result.reasons).toContain(
      `approvals/prod/${f.fileName('nca-2')}: does not count: names no operation (statement.operation): signed before approvals said deploy or destroy, so it could be replayed for either; have it signed again with ndc approve`,
    );
  });

  it('refuses a manifest that disagrees with the environment, naming each field', () => {
    f.approveAll();
    const body = { env: 'prod', stage: f.manifest.stage, profile: f.manifest.profile, approvals: f.manifest.approvals, systems: f.manifest.systems };
    const lowered = { ...f.manifest, systems: f.manifest.systems.filter((s) => s.id !== 'public-service-portal').map((s) => (s.id === 'population-db' ? { ...s, level: 2 } : s)) };
    f.writeManifest(lowered);
    const result = f.gate({ environment: { body, source: 'environments/prod.ts' } });
    expect(result.open).toBe(false);
    expect(result.reasons).toEqual(
      expect.arrayContaining([
        'out/prod/manifest.json: systems[population-db].level is 2, but environments/prod.ts says 5',
        'out/prod/manifest.json: systems: public-service-portal (level 4) is missing, but environments/prod.ts deploys it',
      ]),
    );
    // The gate still asks for what the environment requires: population-db needs its level-5 approvals.
    expect(result.perSystem.map((s) => [s.id, s.level])).toEqual(body.systems.map((s) => [s.id, s.level]));
  });
});
