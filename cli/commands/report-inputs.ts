import type { LoadedEvidenceRecord } from '../../environments/evidence';
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sha256 } from '../../core/canonical-json';
import { cacheSeal } from '../../core/cache-seal';
import { join } from 'node:path';
import { onHelperThread, RUNNING_COMPILED } from '../../core/helper-thread';
import type { NationalCloud } from '../../constructs';
import { buildCloud } from '../../constructs/from-environment';
import { loadEnvironment } from '../../environments/load';
import { artifactsJudged, type PolicyEvaluation } from '../../policies/evaluate';
import { cloudPicture, type ChangeSinceApproval, type HtmlReportInputs, type ReportApprovals } from '../../policies/reports';
import type { CloudPicture } from '../../policies/reports/topology';
import { diagramKey, diagramsOf, type DiagramCache } from '../../policies/reports/html';
import type { Diagram } from '../../policies/reports/diagram';
import { InputError } from '../../core/errors';
import { assessmentCheckOf, gatePolicyOutcome } from '../../policies/outcome';
import { evaluateGate } from '../../policies/approvals/gate';
import { approvalSettingsOf, type ApprovalSettings } from '../../policies/approvals/requirements';
import { readTrustStore, trustRootsFrom } from '../../policies/approvals/trust-store';
import { reportApprovalsOf } from '../../policies/reports/approvals';
import type { LoadedEnvironment } from '../../environments/load';
import { environmentBody } from '../../stacks/synth';
import { jsonFileStore, projectSourceDigest } from '../../stacks/cache';
import type { Manifest } from '../../stacks/manifest';
import type { EnvironmentState } from '../../stacks/scope-state';
import { latestApprovedDigest } from '../../policies/approvals/approved-state';
import { diffStates, type ResourceChange, type ScopeDiff } from '../../policies/approvals/scope-diff';
import { readApprovals } from '../../policies/approvals/statement';
import { baseState, directoryState, signedBaseline } from './diff';
import { reachSectionFor } from './reach';
import type { ValidationFinding } from '../../policies/validation';
import type { ValidationStore } from '../../policies/validation/stored';
import { networkReachability } from '../../policies/network';
import { reachHtmlSection, reachView } from '../../policies/network/report';

/**
 * What the HTML report shows beside the findings, for a command that just evaluated `evaluation`: the
 * inventory and diagrams from the model, the reachability from out/<env>/, the commit, the approval status
 * when the caller has it.
 */
export function htmlInputsFor(
  root: string,
  evaluation: PolicyEvaluation,
  opts: { cloud?: NationalCloud; evidence?: readonly LoadedEvidenceRecord[]; approvals?: ReportApprovals; manifest?: Manifest; commit?: { readonly value: string | undefined }; change?: ChangeSinceApproval } = {},
): HtmlReportInputs {
  const loaded = opts.cloud === undefined || opts.evidence === undefined ? loadEnvironment(root, evaluation.env) : undefined;
  const cloud = opts.cloud ?? buildCloud(loaded!.env);
  const evidence = opts.evidence ?? loaded!.evidence;
  const failing = new Set(evaluation.findings.filter((f) => f.status === 'fail' && f.systemId).map((f) => f.systemId!));
  // The artifacts the evaluation just judged, with the network model its rules built, when the caller holds their manifest.
  const judged = opts.manifest !== undefined ? artifactsJudged(evaluation) : undefined;
  const reachability =
    judged !== undefined && opts.manifest !== undefined
      ? reachHtmlSection(reachView(networkReachability({ artifacts: judged, manifest: opts.manifest, governmentNetwork: cloud.govNetwork.text })))
      : reachSectionFor(root, evaluation.env, cloud);
  return {
    ...artifactInputs(root, evaluation),
    picture: cloudPicture(cloud, evaluation.asOf, failing, evidence),
    reachability: reachability || undefined,
    approvals: opts.approvals,
    change: opts.change,
    commit: opts.commit !== undefined ? opts.commit.value : commitOf(root),
    diagrams: diagramCache(root),
  };
}

/**
 * The laid-out diagrams of earlier reports under .ndc/cache/diagrams/<key>.svg, the key a sha256 of the
 * diagram drawn and of the sources that lay it out and draw it (deletable at any time, like the synthesis
 * cache).
 */
export function diagramCache(root: string): DiagramCache {
  const dir = join(root, '.ndc', 'cache', 'diagrams');
  const code = projectSourceDigest('policies/reports/diagram.ts').digest;
  const name = (key: string) => sha256(`${code}\u0000${key}`);
  const file = (key: string) => join(dir, `${name(key)}.svg`);
  return {
    // Only a diagram laid out on this machine (core/cache-seal.ts): a planted one would draw another cloud.
    get: (key) => cacheSeal.readSealed(file(key), `diagram:${name(key)}`),
    // A read-only project: the next report lays the diagram out again.
    set: (key, svg) => cacheSeal.writeSealed(file(key), `diagram:${name(key)}`, svg),
  };
}

/**
 * Earlier validations of unchanged artifacts under .ndc/cache/validation/<key>.json (the key covers the
 * validators' sources and data and the artifacts' sha256: policies/validation/stored.ts). Deletable at any
 * time; an unreadable or malformed entry is validated afresh.
 */
export function validationStore(root: string): ValidationStore {
  const store = jsonFileStore(join(root, '.ndc', 'cache', 'validation'), VALIDATIONS_KEPT, 'validation');
  const fields = ['check', 'artifact', 'address', 'path', 'reason'];
  return {
    read: (key) => {
      const value = store.read(key);
      const valid = Array.isArray(value) && value.every((f) => f !== null && typeof f === 'object' && fields.every((k) => typeof (f as Record<string, unknown>)[k] === 'string'));
      return valid ? (value as ValidationFinding[]) : undefined;
    },
    // Keep the newest few: an entry is a few bytes, but one is written per changed artifact set.
    write: (key, findings) => store.write(key, findings),
  };
}

const VALIDATIONS_KEPT = 16;

/**
 * Lays out on the helper thread (core/helper-thread.ts) the diagrams of `picture` that the diagram cache
 * lacks, one task each, and puts them there: ndc start calls it before synthesizing (with no system
 * failing yet: the usual outcome), so the layout (about half a second for prod) overlaps with rendering
 * and the checks on a second core. Returns a function that resolves once they are cached; until it is
 * called the layout keeps no process alive. A diagram the helper did not lay out (it failed, or a failing
 * system is drawn red) is laid out by the report as before. Only the compiled command uses the helper,
 * unless `fromSources` (tests).
 */
export function layDiagramsAhead(root: string, picture: CloudPicture, fromSources = false): () => Promise<void> {
  if (!RUNNING_COMPILED && !fromSources) return () => Promise.resolve();
  const cache = diagramCache(root);
  const module = join(__dirname, '..', '..', 'policies', 'reports', 'diagram');
  const tasks = diagramsOf(picture)
    .map(({ diagram, id }) => ({ diagram, id, key: diagramKey(diagram, id) }))
    .filter(({ key }) => cache.get(key) === undefined)
    // Smallest first: a more urgent task posted meanwhile (the public edge, which synthesis waits for)
    // waits at most for the layout under way, so let that be a short one.
    .sort((a, b) => sizeOf(a.diagram) - sizeOf(b.diagram) || (a.id < b.id ? -1 : 1))
    .map(({ diagram, id, key }) => ({ key, task: onHelperThread<string>(module, 'renderDiagram', [diagram, id]) }));
  return async () => {
    for (const { key, task } of tasks) {
      const svg = await task.answer().catch(() => undefined);
      if (typeof svg === 'string') cache.set(key, svg);
    }
  };
}

/** Boxes and arrows: what a layout's time grows with (a malformed diagram counts as empty; its layout fails later). */
function sizeOf(diagram: Diagram): number {
  const count = (list: unknown) => (Array.isArray(list) ? list.length : 0);
  return count(diagram.nodes) + count(diagram.edges);
}

const COMMIT_ARGS = ['status', '--porcelain=v2', '--branch', '--untracked-files=no', '--', 'environments', 'constructs', 'stacks', 'policies'];

/** The checked-out commit (with `+changes` when the working tree differs from it), or undefined outside git. */
export function commitOf(root: string): string | undefined {
  try {
    return commitFromStatus(execFileSync('git', COMMIT_ARGS, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }));
  } catch {
    return undefined;
  }
}

/** commitOf, with git running beside the caller's work (ndc start starts it before synthesizing). */
export function commitOfLater(root: string): Promise<{ readonly value: string | undefined }> {
  return new Promise((resolve) => {
    execFile('git', COMMIT_ARGS, { cwd: root, encoding: 'utf8', timeout: 10_000 }, (error, stdout) => resolve({ value: error ? undefined : commitFromStatus(stdout) }));
  });
}

/** One `git status --porcelain=v2 --branch` answers both: the HEAD commit, and whether the sources differ from it. */
function commitFromStatus(status: string): string | undefined {
  const lines = status.split('\n').filter((line) => line !== '');
  const head = lines.find((line) => line.startsWith('# branch.oid '))?.slice('# branch.oid '.length);
  // A repository without a commit yet.
  if (head === undefined || !/^[0-9a-f]{40,64}$/.test(head)) return undefined;
  const dirty = lines.some((line) => !line.startsWith('#'));
  return `${head}${dirty ? ' (with uncommitted changes to the sources)' : ''}`;
}

/**
 * The approval status per system for the report, as the gate judges it (without the ledger's accepted
 * trust version, which only deploy needs): undefined when the environment has no trust store yet.
 */
export function approvalsForReport(
  root: string,
  loaded: LoadedEnvironment,
  manifest: Manifest,
  evaluation: PolicyEvaluation,
  opts: { readonly trustRoot?: string; readonly author?: string; readonly now: Date },
): ReportApprovals | undefined {
  const env = evaluation.env;
  try {
    if (!readTrustStore(root, env)) return undefined;
    const gate = evaluateGate({
      root,
      env,
      operation: 'deploy',
      manifest,
      environment: { body: environmentBody(loaded), source: loaded.source },
      policy: gatePolicyOutcome(evaluation),
      assessmentCurrent: assessmentCheckOf(evaluation),
      now: opts.now,
      author: opts.author,
      settings: approvalSettingsOf(loaded.env, loaded.source),
      trustRoots: trustRootsFrom(opts.trustRoot),
    });
    return reportApprovalsOf(gate);
  } catch (error) {
    // A broken trust store or approval file is the approval commands' bad input; the report says why it shows no status.
    if (error instanceof InputError) return { operation: 'deploy', trust: `not evaluated: ${error.message}`, systems: [] };
    throw error;
  }
}

/** Where findings are: the environment's source map, and out/<env>/'s artifacts for the line of an artifact finding. */
export function artifactInputs(root: string, evaluation: PolicyEvaluation): Pick<HtmlReportInputs, 'source' | 'locations' | 'readArtifact'> {
  const outDir = `out/${evaluation.env}/`;
  return {
    source: evaluation.source,
    locations: evaluation.locations,
    readArtifact: (file) => {
      if (!file.startsWith(outDir) || file.includes('..')) return undefined;
      try {
        return readFileSync(join(root, file), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * The report's "Change since the last approval": the environment as just rendered against the last state
 * every scope was approved in, as `ndc diff` computes it (only scope digests a trusted reviewer signed
 * count as approved when a trust store is in force). Without an approved state, or when it cannot be
 * read, the section says why instead of showing an empty change.
 */
export function changeForReport(root: string, env: string, current: () => { readonly state: EnvironmentState; readonly settings: ApprovalSettings }, trustRoot: string | undefined): ChangeSinceApproval {
  if (latestApprovedDigest(root, env) === undefined) {
    return { against: 'no approved state', note: `No approved state of ${env} yet (approvals/${env}/approved/ is written when every scope of a digest is approved): every scope is new to its reviewers.`, scopes: [] };
  }
  try {
    const now = current();
    const { state, base } = baseState(root, env, 'approved', now.state, signedBaseline(root, env, trustRootsFrom(trustRoot)));
    const diff = diffStates({ base: state, current: now.state, against: base, currentSource: `out/${env}`, settings: now.settings, approvals: readApprovals(root, env) });
    const addresses = (s: ScopeDiff, change: ResourceChange['change']) => s.resources.filter((r) => r.change === change).map((r) => r.address);
    return {
      against: base.source,
      scopes: diff.scopes.map((s) => ({
        scope: s.id,
        level: s.level,
        added: addresses(s, 'added'),
        removed: addresses(s, 'removed'),
        changed: s.resources.filter((r) => r.change === 'changed').map((r) => ({ address: r.address, attributes: r.attributes.map((a) => a.path) })),
        reach: s.reachability && (s.reachability.added.length > 0 || s.reachability.removed.length > 0) ? { added: s.reachability.added, removed: s.reachability.removed } : undefined,
        approvalsVoided: s.voidedApprovals.map((v) => `${v.reviewer} (${v.role})`),
        mustSign: [...s.mustSign],
      })),
    };
  } catch (error) {
    if (error instanceof InputError) return { against: 'the last approved state', note: `The change since the last approval cannot be shown: ${error.message}`, scopes: [] };
    throw error;
  }
}

/** The same for a report of out/<env>/ as written (`ndc check --format html`): its files checked against their manifest. */
export function changeOfWritten(root: string, manifest: Manifest, trustRoot: string | undefined): ChangeSinceApproval {
  const env = manifest.env;
  return changeForReport(root, env, () => ({ state: directoryState(join(root, 'out', env), `out/${env}`, env, false), settings: manifest.approvals }), trustRoot);
}
