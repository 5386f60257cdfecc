import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { sha256, stableJson } from '../../core/canonical-json';
import { loadEnvironment } from '../../environments/load';
import { PLATFORM_SYSTEM_ID } from '../../environments/schema';
import type { CommandIO } from '../../cli/io';
import { evaluateGate, type GateInput, type GateResult, type PolicyFindings } from '../../policies/approvals/gate';
import { generateReviewerKeyPair, type ReviewerKeyPair } from '../../policies/approvals/keys';
import { digestsOf, RESOURCES_FILE, type Manifest, type ManifestBody } from '../../stacks/manifest';
import { reachDigest } from '../../stacks/reach';
import { scopeDigestOf } from '../../stacks/scopes';
import { environmentBody } from '../../stacks/synth';
import { approvalSettingsOf, type ApprovalSettings, type Role } from '../../policies/approvals/requirements';
import { approvalFileName, signApproval, statementScopesDigest, writeApproval, type ApprovalStatement, type ApprovedOperation } from '../../policies/approvals/statement';
import { signTrustVersion, versionHash, writeTrustStore, type Reviewer, type TrustStore, type TrustVersionBody } from '../../policies/approvals/trust-store';

export const REPO = resolve(__dirname, '..', '..');
export const NOW = new Date('2026-11-20T09:00:00.000Z');
export const POLICY: PolicyFindings = { policyDigest: sha256('rule packs vn-2016 v1'), mandatoryFindings: [] };

/** Keys are made once per test file: Ed25519 generation is cheap, but there is no need to repeat it. */
const keyCache = new Map<string, ReviewerKeyPair & { privateKey: KeyObject }>();
export function keyOf(id: string): ReviewerKeyPair & { privateKey: KeyObject } {
  let pair = keyCache.get(id);
  if (!pair) {
    const generated = generateReviewerKeyPair();
    pair = { ...generated, privateKey: createPrivateKey(generated.privatePem) };
    keyCache.set(id, pair);
  }
  return pair;
}

/** The reviewers of the test trust store: who may approve what. */
export const REVIEWERS: { id: string; roles: Role[]; agencies: string[] }[] = [
  { id: 'su-go', roles: ['security-unit'], agencies: ['Government Office', 'Ministry of Science and Technology'] },
  { id: 'owner-go', roles: ['system-owner'], agencies: ['Government Office'] },
  { id: 'owner-mps', roles: ['system-owner'], agencies: ['Ministry of Public Security'] },
  { id: 'nca-1', roles: ['national-authority'], agencies: ['*'] },
  { id: 'nca-2', roles: ['national-authority'], agencies: ['*'] },
];

export function reviewerEntry(id: string, roles: Role[], agencies: string[], window = { notBefore: '2026-01-01', notAfter: '2027-12-31' }): Reviewer {
  const key = keyOf(id);
  return { id, publicKey: key.publicPem, keyId: key.keyId, roles, agencies, systems: [], ...window };
}

/** The systems of the test manifests: the prod environment's, cut down to these four. */
export const FIXTURE_SYSTEMS = ['e-document-exchange', 'open-data-portal', 'population-db', 'public-service-portal'];

/** Four systems with the levels the tests need, for environments whose own systems are others (dev). */
export function syntheticSystems(): ManifestBody['systems'] {
  const system = (id: string, name: string, level: number, owner: string) => ({ id, name, level, regions: ['north', 'south'], owner, classification: 'internal', personalData: level >= 4 });
  return [
    system(PLATFORM_SYSTEM_ID, 'National government cloud platform', 4, 'Ministry of Public Security'),
    system('e-document-exchange', 'National E-Document Exchange Platform', 3, 'Government Office'),
    system('open-data-portal', 'National Open Data Portal', 2, 'Ministry of Science and Technology'),
    system('population-db', 'National Population Database', 5, 'Ministry of Public Security'),
    system('public-service-portal', 'National Public Service Portal', 4, 'Government Office'),
  ];
}

/** The scope digests of a test manifest: each a label standing for "what that scope's resources were" (`version` changes them). */
export function scopesFor(body: ManifestBody, version: Readonly<Record<string, string>> = {}): Manifest['scopes'] {
  return [...body.systems]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((s) => {
      const root = sha256(`resources of ${s.id} ${version[s.id] ?? 'v1'}`);
      const reach = reachDigest([]);
      return { id: s.id, level: s.level, digest: scopeDigestOf(s.id, s.level, root, reach), root, resources: 1, settings: 0, reach };
    });
}

/** A manifest with this body; the digest is a label standing for "what was synthesized". */
export function manifestFor(body: ManifestBody, digest = sha256(`artifacts of ${body.env} v1`), scopes = scopesFor(body)): Manifest {
  const artifacts = [{ path: 'terraform/cdk.tf.json', engine: 'terraform' as const, stack: 'core', bytes: 1234, sha256: sha256('tf') }];
  const resources = { path: RESOURCES_FILE, sha256: sha256(`resources of ${body.env}`), entries: scopes.length };
  return { version: 4, ...body, ...digestsOf({ ...body, scopes, resources }, artifacts), digest, scopes, resources, artifacts };
}

/** The approvals that make the prod test manifest complete: reviewer, role, systems. */
export const COMPLETE: [string, Role, string[]][] = [
  ['su-go', 'security-unit', ['e-document-exchange', 'open-data-portal']],
  ['owner-go', 'system-owner', ['e-document-exchange', 'public-service-portal']],
  ['owner-mps', 'system-owner', [PLATFORM_SYSTEM_ID, 'population-db']],
  ['nca-1', 'national-authority', [PLATFORM_SYSTEM_ID, 'population-db', 'public-service-portal']],
  ['nca-2', 'national-authority', ['population-db']],
];

export class Fixture {
  readonly root: string;
  readonly out: string[] = [];
  readonly err: string[] = [];
  trustRoots: string[] = [];
  manifest: Manifest;
  readonly settings: ApprovalSettings;

  constructor(readonly env = 'prod') {
    this.root = mkdtempSync(join(tmpdir(), 'ndc-approvals-'));
    for (const name of ['prod', 'staging', 'dev']) {
      // The real environment files, as JSON (the loader reads both), so settings come from the real config;
      // the tested one keeps four systems, so the gate judges the same systems as the test manifest lists.
      mkdirSync(join(this.root, 'environments'), { recursive: true });
      const real = loadEnvironment(REPO, name).env;
      const written = name === env ? { ...real, systems: real.systems.filter((s) => FIXTURE_SYSTEMS.includes(s.id)) } : real;
      writeFileSync(join(this.root, 'environments', `${name}.json`), JSON.stringify(written));
    }
    const loaded = loadEnvironment(this.root, env);
    this.settings = approvalSettingsOf(loaded.env, loaded.source);
    // prod: what the (cut-down) environment renders to, so the commands' gate agrees; elsewhere four synthetic systems.
    const body = environmentBody(loaded);
    const systems = env === 'prod' ? [...body.systems].sort((a, b) => a.id.localeCompare(b.id)) : syntheticSystems();
    this.manifest = manifestFor({ ...body, systems });
    this.writeManifest(this.manifest);
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  writeManifest(manifest: Manifest, env = this.env): void {
    mkdirSync(join(this.root, 'out', env), { recursive: true });
    writeFileSync(join(this.root, 'out', env, 'manifest.json'), stableJson(manifest));
    if (env === this.env) this.manifest = manifest;
  }

  /** Writes trust store version 1 with `reviewers` and pins it. */
  trustStore(reviewers: Reviewer[] = REVIEWERS.map((r) => reviewerEntry(r.id, r.roles, r.agencies)), threshold = 2, env = this.env): TrustVersionBody {
    const body: TrustVersionBody = { env, version: 1, previous: null, threshold, reviewers, revokedKeys: [] };
    writeTrustStore(this.root, env, { versions: [{ body, signatures: [] }] });
    this.trustRoots.push(versionHash(body));
    return body;
  }

  readTrustStoreFile(env = this.env): TrustStore {
    return JSON.parse(readFileSync(join(this.root, 'approvals', env, 'trust-store.json'), 'utf8')) as TrustStore;
  }

  /** Appends version N+1 = change(version N), signed by `signers` (their keys of version N). */
  addVersion(change: (body: TrustVersionBody) => Omit<TrustVersionBody, 'version' | 'previous'>, signers: string[], env = this.env): TrustVersionBody {
    const store = this.readTrustStoreFile(env);
    const last = store.versions[store.versions.length - 1].body;
    const body: TrustVersionBody = { ...change(last), version: last.version + 1, previous: versionHash(last) };
    const signatures = signers.map((id) => signTrustVersion(body, id, keyOf(id).privateKey, keyOf(id).keyId));
    writeTrustStore(this.root, env, { versions: [...store.versions, { body, signatures }] });
    return body;
  }

  statement(reviewer: string, role: Role, systems: string[], overrides: Partial<ApprovalStatement> = {}): ApprovalStatement {
    const levels = new Map(this.manifest.systems.map((s) => [s.id, s.level]));
    const digests = new Map(this.manifest.scopes.map((s) => [s.id, s.digest]));
    return {
      env: this.env,
      operation: 'deploy',
      policyDigest: POLICY.policyDigest,
      scopes: systems.map((id) => ({ id, level: levels.get(id) ?? 1, digest: digests.get(id) ?? sha256(`no scope ${id}`) })),
      reviewer,
      role,
      keyId: keyOf(reviewer).keyId,
      issued: new Date(NOW.getTime() - 86_400_000).toISOString(),
      expires: new Date(NOW.getTime() + 7 * 86_400_000).toISOString(),
      ...overrides,
    };
  }

  /** Signs and writes an approval the way `ndc approve` does; returns its file path. */
  approve(reviewer: string, role: Role, systems: string[], overrides: Partial<ApprovalStatement> = {}, signer = reviewer, env = this.env): string {
    const statement = this.statement(reviewer, role, systems, overrides);
    return writeApproval(this.root, env, signApproval(statement, keyOf(signer).privateKey)).file;
  }

  /** The file name `ndc approve` gives a reviewer's approval of these scopes at the manifest's current digests. */
  fileName(reviewer: string, systems = COMPLETE.find(([r]) => r === reviewer)?.[2] ?? [], operation: ApprovedOperation = 'deploy'): string {
    return approvalFileName(reviewer, statementScopesDigest(this.statement(reviewer, 'security-unit', systems).scopes), operation);
  }

  approveAll(): void {
    for (const [reviewer, role, systems] of COMPLETE) this.approve(reviewer, role, systems);
  }

  gate(overrides: Partial<GateInput> = {}): GateResult {
    const { env, stage, profile, approvals, systems } = this.manifest;
    return evaluateGate({
      root: this.root,
      env: this.env,
      operation: 'deploy',
      // By default the environment renders to what the manifest says; tests of tampering pass their own.
      environment: { body: { env, stage, profile, approvals, systems }, source: `environments/${this.env}.json` },
      manifest: this.manifest,
      policy: POLICY,
      assessmentCurrent: () => true,
      now: NOW,
      settings: this.settings,
      trustRoots: this.trustRoots,
      ...overrides,
    });
  }

  io(json = false, now = NOW): CommandIO {
    this.out.length = 0;
    this.err.length = 0;
    return { root: this.root, out: (l) => this.out.push(l), err: (l) => this.err.push(l), json, now: () => now };
  }

  path(...parts: string[]): string {
    return join(this.root, ...parts);
  }
}
