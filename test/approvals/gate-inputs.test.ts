/**
 * A change author's ways around the gate's mandatory checks without touching an artifact: what the checks
 * read besides the approved content (the date they judge at, the evidence records) must not let the
 * author switch a finding off after the reviewers signed. The real composition root's gate, in process.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { approveCommand } from '../../cli/commands/approve';
import { composeCommandLine, createDeployPorts } from '../../cli/composition';
import { loadEnvironment } from '../../environments/load';
import { removedScopeDigest } from '../../policies/approvals/gate';
import { approvalPolicyContext } from '../../policies/outcome';
import { environmentBody, synthEnvironment } from '../../stacks/synth';
import { captureIO, tempProject } from '../helpers';
import type { Role } from '../../policies/approvals/requirements';
import { COMPLETE, Fixture, keyOf, manifestFor, POLICY, REVIEWERS, reviewerEntry } from './fixture';

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

describe('a level lowered since the last deploy is signed by the roles of the level deployed', () => {
  it('the command line\'s gate takes the levels deployed from the ledger\'s last deploy run', async () => {
    const root = tempProject('ndc-gate-levels-');
    const { manifest } = synthEnvironment(root, 'dev');
    const ledger = composeCommandLine(captureIO(root).io, {}).openLedger();
    try {
      // A deploy run of an earlier state, when e-document-exchange was level 4 (dev now says 3).
      const levels = { ...Object.fromEntries(manifest.scopes.map((s) => [s.id, s.level])), 'e-document-exchange': 4 };
      // ... and the open-data portal belonged to the Government Office.
      const owners = { 'open-data-portal': 'Government Office' };
      await ledger.append({ kind: 'deploy-step', env: 'dev', actor: 'ci', digest: 'f'.repeat(64), result: 'started', details: { scope: 'run', run: 'r1', operation: 'deploy', levels, owners }, at: new Date('2026-11-01T09:00:00Z') });
    } finally {
      await ledger.close();
    }
    const decision = await gateAt(root, new Date('2026-11-27T09:00:00Z'), manifest.digest);
    expect(decision.reasons).toContainEqual('e-document-exchange (level 3, last deployed at level 4: lowering a level needs the roles of the level deployed): missing national-authority approval (0 of 1 valid)');
    expect(decision.reasons).toContainEqual(
      'open-data-portal (level 2; owned by Government Office when last deployed: handing a system to Ministry of Science and Technology needs the roles of the agency that held it): missing security-unit approval (0 of 1 valid)',
    );
  });


  it('public-service-portal deployed at level 4 and now said to be level 3: the security unit and owner alone do not open the gate', () => {
    const f = new Fixture('prod');
    try {
      f.trustStore();
      // The author lowers the level in the environment file: the scope digest changes, and level 3 asks only security-unit + system-owner.
      const { env, stage, profile, approvals, systems } = f.manifest;
      f.writeManifest(manifestFor({ env, stage, profile, approvals, systems: systems.map((s) => (s.id === 'public-service-portal' ? { ...s, level: 3 } : s)) }));
      f.approve('su-go', 'security-unit', ['e-document-exchange', 'open-data-portal', 'public-service-portal']);
      f.approve('owner-go', 'system-owner', ['e-document-exchange', 'public-service-portal']);
      f.approve('owner-mps', 'system-owner', ['national-cloud-platform', 'population-db']);
      f.approve('nca-1', 'national-authority', ['national-cloud-platform', 'population-db']);
      f.approve('nca-2', 'national-authority', ['population-db']);
      expect(f.gate().reasons).toEqual([]);
      // The ledger says it was last deployed at level 4: lowering it needs level 4's national authority too.
      const deployedLevels = new Map([['public-service-portal', 4]]);
      const closed = f.gate({ deployedLevels });
      expect(closed.open).toBe(false);
      expect(closed.reasons).toContainEqual('public-service-portal (level 3, last deployed at level 4: lowering a level needs the roles of the level deployed): missing national-authority approval (0 of 1 valid)');
      // The national authority signs the level-3 scope (its statement names level 3, what is deployed now).
      f.approve('nca-1', 'national-authority', ['national-cloud-platform', 'population-db', 'public-service-portal']);
      expect(f.gate({ deployedLevels }).reasons).toEqual([]);
    } finally {
      f.cleanup();
    }
  });
});

describe('a second identity the author put in the trust store alone', () => {
  it('with threshold 1, a reviewer adding a national-authority key of their own cannot have it approve their change', () => {
    const f = new Fixture('prod');
    try {
      f.trustStore(undefined, 1);
      // su-go signs version 2 alone (the threshold of version 1 is 1): a new reviewer with every system in reach.
      f.addVersion((v1) => ({ ...v1, reviewers: [...v1.reviewers, reviewerEntry('nca-3', ['national-authority'], ['*'])] }), ['su-go']);
      f.approve('nca-3', 'national-authority', ['population-db']);
      const byAuthor = f.gate({ author: 'su-go' });
      expect(byAuthor.perSystem.find((s) => s.id === 'population-db')!.counted.map((c) => c.reviewer)).not.toContain('nca-3');
      expect(byAuthor.notCounting).toContainEqual({
        file: expect.stringMatching(/^approvals\/prod\/nca-3-/),
        reviewer: 'nca-3',
        reason: "nca-3's entry is in force only through su-go's signature (trust store version 2, threshold 1), and su-go is the author of this change (NDC_CHANGE_AUTHOR): it cannot approve it",
      });
      // Anyone else's change: version 2 is in force and nca-3 counts like any reviewer.
      expect(f.gate({ author: 'owner-go' }).perSystem.find((s) => s.id === 'population-db')!.counted.map((c) => c.reviewer)).toContain('nca-3');
    } finally {
      f.cleanup();
    }
  });
});

describe('an approvals table lowered since the last deploy is signed by the roles it asked', () => {
  it('prod dropping its second national authority at level 5 still needs two for population-db', () => {
    const f = new Fixture('prod');
    try {
      f.trustStore();
      for (const [reviewer, role, systems] of COMPLETE.filter(([r]) => r !== 'nca-2')) f.approve(reviewer, role, systems);
      // The author edits environments/prod.ts down to the floor at level 5: neither a scope digest nor the policy digest changes.
      const lowered = { ...f.settings, levels: { ...f.settings.levels, '5': ['national-authority', 'system-owner'] as Role[] } };
      expect(f.gate({ settings: lowered }).reasons).toEqual([]);
      // The ledger's last deploy ran under prod's table (two national authorities at level 5).
      const closed = f.gate({ settings: lowered, deployedRequirements: f.settings.levels });
      expect(closed.open).toBe(false);
      expect(closed.reasons).toContainEqual(
        'population-db (level 5; the approvals table as last deployed asks national-authority x2 + system-owner: lowering it needs the roles it asked): missing national-authority approval (1 of 2 valid)',
      );
      f.approve('nca-2', 'national-authority', ['population-db']);
      expect(f.gate({ settings: lowered, deployedRequirements: f.settings.levels }).reasons).toEqual([]);
    } finally {
      f.cleanup();
    }
  });

  it('the command line\'s gate takes the table from the ledger\'s last deploy run', async () => {
    const root = tempProject('ndc-gate-table-');
    const { manifest } = synthEnvironment(root, 'dev');
    const ledger = composeCommandLine(captureIO(root).io, {}).openLedger();
    try {
      // An earlier dev asked a national authority at level 3 as well; the file now asks the floor.
      const requirements = { ...manifest.approvals.levels, '3': ['national-authority', 'security-unit', 'system-owner'] };
      await ledger.append({ kind: 'deploy-step', env: 'dev', actor: 'ci', digest: 'f'.repeat(64), result: 'started', details: { scope: 'run', run: 'r1', operation: 'deploy', requirements }, at: new Date('2026-11-01T09:00:00Z') });
    } finally {
      await ledger.close();
    }
    const decision = await gateAt(root, new Date('2026-11-27T09:00:00Z'), manifest.digest);
    expect(decision.reasons).toContainEqual(
      'e-document-exchange (level 3; the approvals table as last deployed asks national-authority + security-unit + system-owner: lowering it needs the roles it asked): missing national-authority approval (0 of 1 valid)',
    );
  });
});

describe('a system handed to another agency since the last deploy is approved by the agency that held it', () => {
  it('public-service-portal moved from the Government Office to the Ministry of Science and Technology: the new owner alone does not open the gate', () => {
    const f = new Fixture('prod');
    try {
      f.trustStore([...REVIEWERS.map((r) => reviewerEntry(r.id, r.roles, r.agencies)), reviewerEntry('owner-mst', ['system-owner'], ['Ministry of Science and Technology'])]);
      // The author writes the new owner in the environment file: no scope digest changes, and other reviewers now cover the system.
      const { env, stage, profile, approvals, systems } = f.manifest;
      f.writeManifest(manifestFor({ env, stage, profile, approvals, systems: systems.map((s) => (s.id === 'public-service-portal' ? { ...s, owner: 'Ministry of Science and Technology' } : s)) }));
      for (const [reviewer, role, scopes] of COMPLETE) f.approve(reviewer, role, scopes.filter((id) => !(reviewer === 'owner-go' && id === 'public-service-portal')));
      f.approve('owner-mst', 'system-owner', ['public-service-portal']);
      expect(f.gate().reasons).toEqual([]);
      // The ledger's last deploy had it owned by the Government Office: its owner signs the handover.
      const deployedOwners = new Map([['public-service-portal', 'Government Office']]);
      const closed = f.gate({ deployedOwners });
      expect(closed.open).toBe(false);
      expect(closed.reasons).toContainEqual(
        'public-service-portal (level 4; owned by Government Office when last deployed: handing a system to Ministry of Science and Technology needs the roles of the agency that held it): missing system-owner approval (0 of 1 valid)',
      );
      f.approve('owner-go', 'system-owner', ['e-document-exchange', 'public-service-portal']);
      expect(f.gate({ deployedOwners }).reasons).toEqual([]);
    } finally {
      f.cleanup();
    }
  });
});

describe('a system removed since the last deploy is approved by its own reviewers', () => {
  it('dropping open-data-portal from prod (the deploy destroys it) needs its security unit to sign the removal', () => {
    const f = new Fixture('prod');
    try {
      f.trustStore();
      const { env, stage, profile, approvals, systems } = f.manifest;
      f.writeManifest(manifestFor({ env, stage, profile, approvals, systems: systems.filter((s) => s.id !== 'open-data-portal') }));
      for (const [reviewer, role, scopes] of COMPLETE) f.approve(reviewer, role, scopes.filter((id) => id !== 'open-data-portal'));
      expect(f.gate().reasons).toEqual([]);
      // The last deploy applied it at level 2, owned by the Ministry of Science and Technology.
      const deployed = { deployedLevels: new Map([['open-data-portal', 2]]), deployedOwners: new Map([['open-data-portal', 'Ministry of Science and Technology']]) };
      const closed = f.gate(deployed);
      expect(closed.open).toBe(false);
      expect(closed.reasons).toContainEqual(
        'open-data-portal (level 2, removed from environments/prod.json since the last deploy, which destroys what it held: its reviewers approve that with ndc approve --env prod --systems open-data-portal): missing security-unit approval (0 of 1 valid)',
      );
      // su-go covers the Ministry of Science and Technology: their approval of the removal opens the gate.
      f.approve('su-go', 'security-unit', [], { scopes: [{ id: 'open-data-portal', level: 2, digest: removedScopeDigest('open-data-portal') }] });
      expect(f.gate(deployed).reasons).toEqual([]);
    } finally {
      f.cleanup();
    }
  });
});

it('ndc approve offers a removed system to its reviewers and signs its removal', async () => {
  const f = new Fixture('prod');
  try {
    f.trustStore();
    // environments/prod.json without the open-data portal, and the manifest it renders to.
    const file = f.path('environments', 'prod.json');
    const input = JSON.parse(readFileSync(file, 'utf8')) as { systems: { id: string }[] };
    writeFileSync(file, JSON.stringify({ ...input, systems: input.systems.filter((s) => s.id !== 'open-data-portal') }));
    const body = environmentBody(loadEnvironment(f.root, 'prod'));
    f.writeManifest(manifestFor({ ...body, systems: [...body.systems].sort((a, b) => a.id.localeCompare(b.id)) }));
    const ledger = composeCommandLine(f.io(), {}).openLedger();
    try {
      const details = { scope: 'run', run: 'r1', operation: 'deploy', levels: { 'open-data-portal': 2 }, owners: { 'open-data-portal': 'Ministry of Science and Technology' } };
      await ledger.append({ kind: 'deploy-step', env: 'prod', actor: 'ci', digest: 'f'.repeat(64), result: 'started', details, at: new Date('2026-11-01T09:00:00Z') });
    } finally {
      await ledger.close();
    }
    mkdirSync(f.path('keys'));
    writeFileSync(f.path('keys', 'su-go.key'), keyOf('su-go').privatePem, { mode: 0o600 });
    const io = f.io();
    expect(await approveCommand({ env: 'prod', key: 'keys/su-go.key', as: 'su-go', evaluatePolicy: () => POLICY, trustRoot: f.trustRoots.join(',') }, io)).toBe(0);
    expect(f.out).toContainEqual(expect.stringMatching(/^ +open-data-portal +level 2 +removed since the last deploy: the deploy destroys it .*APPROVING$/));
    const written = readdirSync(f.path('approvals', 'prod')).filter((n) => n.startsWith('su-go-'));
    const statement = (JSON.parse(readFileSync(f.path('approvals', 'prod', written[0]), 'utf8')) as { statement: { scopes: unknown[] } }).statement;
    expect(statement.scopes).toContainEqual({ id: 'open-data-portal', level: 2, digest: removedScopeDigest('open-data-portal') });
  } finally {
    f.cleanup();
  }
});
