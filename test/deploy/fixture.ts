import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stableJson, sha256 } from '../../core/canonical-json';
import { lastRunFromRecords } from '../../deploy/ledger-view';
import type { DeployPorts, GateDecision, LedgerPort, PolicySummary } from '../../deploy/ports';
import { digestsOf, readManifest, type Manifest } from '../../stacks/manifest';
import { synthEnvironment } from '../../stacks/synth';
import { tempProject } from '../helpers';

/**
 * Fakes for the deploy tests. The engines cannot be installed here, so tests put small node scripts
 * named tofu, pulumi and cdk on PATH. Each records its argv, working directory, start/end times and
 * chosen variables to a JSON-lines log, prints what the real engine would summarise, sleeps
 * FAKE_SLEEP_MS (to make overlap measurable) and exits 1 when FAKE_FAIL (a regex) matches
 * "<cwd> :: <tool> <args>". When FAKE_BLOCK matches, it notes the line in FAKE_LOG.blocked and waits until
 * the file FAKE_RELEASE exists (a deploy held mid-run, to be raced or killed).
 * With FAKE_HOOK (a script path), the first engine call runs that script once (a test's way of doing
 * something, such as a synth, while a deploy is running).
 */
export interface FakeCall {
  tool: string;
  argv: string[];
  cwd: string;
  start: number;
  end: number;
  env: Record<string, string | null>;
  hashed: Record<string, string | null>;
  /** The files in the working directory (recursively, .terraform aside) with their sha256: what the engine could load. */
  files: Record<string, string>;
  failed: boolean;
}

const FAKE_ENGINE = `
const fs = require('node:fs');
const crypto = require('node:crypto');
const path = require('node:path');
const tool = path.basename(process.argv[1]);
const argv = process.argv.slice(2);
const start = Date.now();
const list = (name) => (process.env[name] || '').split(',').filter(Boolean);
const env = {};
for (const k of list('FAKE_RECORD_ENV')) env[k] = process.env[k] === undefined ? null : process.env[k];
const hashed = {};
for (const k of list('FAKE_HASH_ENV')) hashed[k] = process.env[k] === undefined ? null : crypto.createHash('sha256').update(process.env[k]).digest('hex');
const files = {};
const walk = (dir, prefix) => {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '.terraform') continue;
    const full = path.join(dir, entry.name);
    if (fs.statSync(full).isDirectory()) walk(full, prefix + entry.name + '/');
    else files[prefix + entry.name] = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex');
  }
};
walk(process.cwd(), '');
if (process.env.FAKE_HOOK && !fs.existsSync(process.env.FAKE_HOOK + '.done')) {
  fs.writeFileSync(process.env.FAKE_HOOK + '.done', '');
  require(process.env.FAKE_HOOK);
}
const line = process.cwd() + ' :: ' + tool + ' ' + argv.join(' ');
const failed = Boolean(process.env.FAKE_FAIL) && new RegExp(process.env.FAKE_FAIL).test(line);
if (process.env.FAKE_BLOCK && new RegExp(process.env.FAKE_BLOCK).test(line)) {
  fs.appendFileSync(process.env.FAKE_LOG + '.blocked', line + '\\n');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  while (!fs.existsSync(process.env.FAKE_RELEASE || '/nonexistent')) Atomics.wait(pause, 0, 0, 50);
}
for (const k of list('FAKE_ECHO_ENV')) {
  console.log('using ' + k + '=' + process.env[k]);
  console.error('error: could not connect with ' + process.env[k]);
}
// Drift mode (FAKE_DRIFT set, a regex on the line): the no-change checks report changes where it matches.
const drift = process.env.FAKE_DRIFT !== undefined ? new RegExp(process.env.FAKE_DRIFT || '^$').test(line) : undefined;
let code = argv[0] === 'plan' && argv.includes('-detailed-exitcode') ? 2 : 0;
if (drift !== undefined && tool === 'tofu' && argv[0] === 'plan') {
  console.log(drift ? 'Plan: 1 to add, 2 to change, 0 to destroy.' : 'No changes. Your infrastructure matches the configuration.');
  code = drift ? 2 : 0;
} else if (drift !== undefined && tool === 'pulumi' && argv.includes('--expect-no-changes')) {
  console.log(drift ? 'Resources:\\n    ~ 1 to update\\n    3 unchanged' : 'Resources:\\n    4 unchanged');
  if (drift) console.error('error: no changes were expected but changes were proposed');
  code = drift ? 255 : 0;
} else if (drift !== undefined && tool === 'cdk' && argv.includes('--fail')) {
  console.log(drift ? 'Stack ' + argv[argv.length - 1] + '\\nResources\\n[~] AWS::CloudFront::Distribution Cdn\\n\\n✨  Number of stacks with differences: 1' : 'There were no differences\\n\\n✨  Number of stacks with differences: 0');
  code = drift ? 1 : 0;
} else if (tool === 'aws' && argv[0] === 'ssm') console.log(process.env.FAKE_BOOTSTRAP_VERSION || '30');
else if (tool === 'pulumi' && argv[0] === 'preview') console.log('Resources:\\n    + 4 to create\\n    2 unchanged');
else if (tool === 'cdk' && argv[0] === 'diff') console.log('Resources\\n[+] AWS::S3::Bucket Site SiteBucket\\n[~] AWS::CloudFront::Distribution Cdn');
else if (argv[0] === 'plan') console.log('Plan: 3 to add, 0 to change, 0 to destroy.');
else console.log(tool + ' ' + argv[0] + ' ok');
// Read-only queries deploy makes before running anything (prerequisite checks) go to their own log.
const check = tool === 'aws' || (tool === 'pulumi' && argv[0] === 'stack' && argv[1] === 'ls');
setTimeout(() => {
  fs.appendFileSync(process.env.FAKE_LOG + (check ? '.checks' : ''), JSON.stringify({ tool, argv, cwd: process.cwd(), start, end: Date.now(), env, hashed, files, failed }) + '\\n');
  if (failed) {
    console.error('fake ' + tool + ': told to fail');
    process.exit(1);
  }
  process.exit(code);
}, Number(process.env.FAKE_SLEEP_MS || 0));
`;

export interface Engines {
  readonly dir: string;
  readonly log: string;
  /** The engines' runs of the stacks. */
  calls(): FakeCall[];
  /** The read-only queries of the prerequisite checks (`pulumi stack ls`, `aws ssm get-parameter`). */
  checks(): FakeCall[];
}

/** The kube contexts of every environment and cluster the tests deploy to. */
const KUBECONFIG = [
  'apiVersion: v1',
  'kind: Config',
  'contexts:',
  ...['dev', 'staging', 'prod', 'pgdev'].flatMap((env) => ['north', 'central', 'south'].map((c) => `  - name: ndc-${env}-${c}\n    context: { cluster: ${env}-${c}, user: deployer }`)),
  '',
].join('\n');

/**
 * A directory with fake engines (default tofu, pulumi, cdk, and aws for the bootstrap check), the log
 * they write, and a kubeconfig (HOME is this directory) with the contexts deploy expects.
 */
export function fakeEngines(tools: readonly string[] = ['tofu', 'pulumi', 'cdk', 'aws']): Engines {
  const dir = mkdtempSync(join(tmpdir(), 'ndc-engines-'));
  const log = join(dir, 'calls.jsonl');
  mkdirSync(join(dir, '.kube'));
  writeFileSync(join(dir, '.kube', 'config'), KUBECONFIG);
  for (const tool of tools) {
    const file = join(dir, tool);
    writeFileSync(file, `#!${process.execPath}\n${FAKE_ENGINE}`);
    chmodSync(file, 0o755);
  }
  return {
    dir,
    log,
    calls: () => readCalls(log),
    checks: () => readCalls(`${log}.checks`),
  };
}

function readCalls(log: string): FakeCall[] {
  return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as FakeCall) : [];
}

/**
 * The environment the engines run in: only the fakes on PATH (a real terraform may be installed). The fakes'
 * own FAKE_* settings pass the engines' allow-list through NDC_ENGINE_ENV, as a site's extra variables would.
 */
export function engineEnvironment(engines: Engines, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: engines.dir,
    HOME: engines.dir,
    FAKE_LOG: engines.log,
    NDC_ACTOR: 'test-runner',
    NDC_ENGINE_ENV: 'FAKE_*',
    ...BACKUP_KEYS,
    PULUMI_BACKEND_URL: 's3://ndc-test-pulumi-state?endpoint=objects.test.gov.vn',
    ...extra,
  };
}

/** The backup vaults' access keys the credential secrets are filled from (deploy checks they are set). */
export const BACKUP_KEYS: Readonly<Record<string, string>> = Object.fromEntries(
  ['NORTH', 'CENTRAL', 'SOUTH'].flatMap((c) => [[`NDC_BACKUP_${c}_ACCESS_KEY_ID`, `backup-${c.toLowerCase()}-id`], [`NDC_BACKUP_${c}_SECRET_ACCESS_KEY`, `backup-${c.toLowerCase()}-secret`]]),
);

/** A gate that answers what it is told and counts how often it was asked. */
export class FakeGate {
  calls: { env: string; digest: string; operation: 'deploy' | 'destroy' }[] = [];
  constructor(public decision: GateDecision = { open: true, reasons: [] }) {}
  async evaluate(env: string, digest: string, operation: 'deploy' | 'destroy'): Promise<GateDecision> {
    this.calls.push({ env, digest, operation });
    return this.decision;
  }
}

export interface MemoryRecord {
  kind: string;
  env: string;
  actor: string;
  digest?: string;
  result: string;
  details?: Record<string, unknown>;
}

/** An in-memory ledger with the deploy lock semantics of the real one (one holder per env). */
export class MemoryLedger implements LedgerPort {
  records: MemoryRecord[] = [];
  locks = new Map<string, string>();
  lockCalls: string[] = [];
  async append(record: MemoryRecord): Promise<void> {
    this.records.push(structuredClone(record));
  }
  async acquireLock(env: string, holder: string): Promise<{ acquired: boolean; heldBy?: string; takenOver?: boolean }> {
    this.lockCalls.push(`acquire ${env}`);
    const held = this.locks.get(env);
    if (held !== undefined && held !== holder) return { acquired: false, heldBy: held };
    this.locks.set(env, holder);
    return { acquired: true };
  }
  async renewLock(env: string, holder: string): Promise<boolean> {
    this.lockCalls.push(`renew ${env}`);
    return this.locks.get(env) === holder;
  }
  async releaseLock(env: string, holder: string): Promise<void> {
    this.lockCalls.push(`release ${env}`);
    if (this.locks.get(env) === holder) this.locks.delete(env);
  }
  async head(): Promise<{ ledger: string; seq: number; hash: string }> {
    return { ledger: 'memory', seq: this.records.length, hash: sha256(JSON.stringify(this.records)) };
  }
  async lastRun(env: string) {
    return lastRunFromRecords(this.records, env);
  }
  steps(result?: string): string[] {
    return this.records.filter((r) => r.details?.scope === 'step' && (result === undefined || r.result === result)).map((r) => String(r.details?.step));
  }
}

export class FakePolicy {
  constructor(public outcome: PolicySummary = { mandatoryFailures: 0, summary: '42 rules: 0 mandatory failures, 2 advisory' }) {}
  async evaluate(): Promise<PolicySummary> {
    return this.outcome;
  }
}

export function fakePorts(opts: { gate?: FakeGate; ledger?: MemoryLedger; policy?: FakePolicy } = {}): DeployPorts & { gate: FakeGate; ledger: MemoryLedger; policy: FakePolicy } {
  return { gate: opts.gate ?? new FakeGate(), ledger: opts.ledger ?? new MemoryLedger(), policy: opts.policy ?? new FakePolicy() };
}

/** Adds or replaces artifacts (Kubernetes, edge) in out/<env>/ and rewrites the manifest. */
export function addArtifacts(root: string, env: string, artifacts: { path: string; engine: 'kubernetes' | 'cloudformation'; stack: string; content: string }[]): Manifest {
  const manifest = readManifest(root, env)!;
  // An artifact at a path the renderers already wrote replaces it (file and manifest entry).
  const entries = manifest.artifacts.filter((e) => !artifacts.some((a) => a.path === e.path));
  for (const a of artifacts) {
    const file = join(root, 'out', env, a.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, a.content);
    entries.push({ path: a.path, engine: a.engine, stack: a.stack, bytes: Buffer.byteLength(a.content), sha256: sha256(a.content) });
  }
  entries.sort((x, y) => (x.path < y.path ? -1 : 1));
  const next: Manifest = { ...manifest, artifacts: entries, ...digestsOf(manifest, entries) };
  writeFileSync(join(root, 'out', env, 'manifest.json'), stableJson(next));
  return next;
}

/** A project with out/<env>/ synthesized by the real renderers (Terraform, Kubernetes, the public edge). */
export function synthesizedProject(env: string): { root: string; manifest: Manifest } {
  const root = tempProject('ndc-deploy-');
  return { root, manifest: synthEnvironment(root, env).manifest };
}
