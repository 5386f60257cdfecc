import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stableJson, sha256 } from '../../core/canonical-json';
import { lastRunFromRecords } from '../../deploy/ledger-view';
import type { DeployPorts, GateDecision, LedgerPort, PolicySummary } from '../../deploy/ports';
import { digestOf, readManifest, type Manifest } from '../../stacks/manifest';
import { synthEnvironment } from '../../stacks/synth';
import { tempProject } from '../helpers';

/**
 * Fakes for the deploy tests. The engines cannot be installed here, so tests put small node scripts
 * named tofu, pulumi and cdk on PATH. Each records its argv, working directory, start/end times and
 * chosen variables to a JSON-lines log, prints what the real engine would summarise, sleeps
 * FAKE_SLEEP_MS (to make overlap measurable) and exits 1 when FAKE_FAIL (a regex) matches
 * "<cwd> :: <tool> <args>". When FAKE_BLOCK matches, it notes the line in FAKE_LOG.blocked and waits until
 * the file FAKE_RELEASE exists (a deploy held mid-run, to be raced or killed).
 */
export interface FakeCall {
  tool: string;
  argv: string[];
  cwd: string;
  start: number;
  end: number;
  env: Record<string, string | null>;
  hashed: Record<string, string | null>;
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
if (tool === 'pulumi' && argv[0] === 'preview') console.log('Resources:\\n    + 4 to create\\n    2 unchanged');
else if (tool === 'cdk' && argv[0] === 'diff') console.log('Resources\\n[+] AWS::S3::Bucket Site SiteBucket\\n[~] AWS::CloudFront::Distribution Cdn');
else if (argv[0] === 'plan') console.log('Plan: 3 to add, 0 to change, 0 to destroy.');
else console.log(tool + ' ' + argv[0] + ' ok');
setTimeout(() => {
  fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify({ tool, argv, cwd: process.cwd(), start, end: Date.now(), env, hashed, failed }) + '\\n');
  if (failed) {
    console.error('fake ' + tool + ': told to fail');
    process.exit(1);
  }
  process.exit(argv[0] === 'plan' && argv.includes('-detailed-exitcode') ? 2 : 0);
}, Number(process.env.FAKE_SLEEP_MS || 0));
`;

export interface Engines {
  readonly dir: string;
  readonly log: string;
  calls(): FakeCall[];
}

/** A directory with fake engines (default tofu, pulumi, cdk) and the log they write. */
export function fakeEngines(tools: readonly string[] = ['tofu', 'pulumi', 'cdk']): Engines {
  const dir = mkdtempSync(join(tmpdir(), 'ndc-engines-'));
  const log = join(dir, 'calls.jsonl');
  for (const tool of tools) {
    const file = join(dir, tool);
    writeFileSync(file, `#!${process.execPath}\n${FAKE_ENGINE}`);
    chmodSync(file, 0o755);
  }
  return {
    dir,
    log,
    calls: () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as FakeCall) : []),
  };
}

/**
 * The environment the engines run in: only the fakes on PATH (a real terraform may be installed). The fakes'
 * own FAKE_* settings pass the engines' allow-list through NDC_ENGINE_ENV, as a site's extra variables would.
 */
export function engineEnvironment(engines: Engines, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: engines.dir, HOME: engines.dir, FAKE_LOG: engines.log, NDC_ACTOR: 'test-runner', NDC_ENGINE_ENV: 'FAKE_*', ...extra };
}

/** A gate that answers what it is told and counts how often it was asked. */
export class FakeGate {
  calls: { env: string; digest: string }[] = [];
  constructor(public decision: GateDecision = { open: true, reasons: [] }) {}
  async evaluate(env: string, digest: string): Promise<GateDecision> {
    this.calls.push({ env, digest });
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
  const next: Manifest = { ...manifest, artifacts: entries, digest: digestOf(entries) };
  writeFileSync(join(root, 'out', env, 'manifest.json'), stableJson(next));
  return next;
}

/** A project with out/<env>/ synthesized by the real renderers (Terraform, Kubernetes, the public edge). */
export function synthesizedProject(env: string): { root: string; manifest: Manifest } {
  const root = tempProject('ndc-deploy-');
  return { root, manifest: synthEnvironment(root, env).manifest };
}
