import { execFileSync } from 'node:child_process';
import type { NationalCloud } from '../../constructs';
import { buildCloud } from '../../constructs/from-environment';
import { loadEnvironment } from '../../environments/load';
import type { PolicyEvaluation } from '../../policies/evaluate';
import { cloudPicture, type HtmlReportInputs, type ReportApprovals } from '../../policies/reports';
import { reachSectionFor } from './reach';

/**
 * What the HTML report shows beside the findings, for a command that just evaluated `evaluation`: the
 * inventory and diagrams from the model, the reachability from out/<env>/, the commit, the approval status
 * when the caller has it.
 */
export function htmlInputsFor(root: string, evaluation: PolicyEvaluation, opts: { cloud?: NationalCloud; approvals?: ReportApprovals } = {}): HtmlReportInputs {
  const cloud = opts.cloud ?? buildCloud(loadEnvironment(root, evaluation.env).env);
  const failing = new Set(evaluation.findings.filter((f) => f.status === 'fail' && f.systemId).map((f) => f.systemId!));
  return {
    source: evaluation.source,
    locations: evaluation.locations,
    picture: cloudPicture(cloud, evaluation.asOf, failing),
    reachability: reachSectionFor(root, evaluation.env, cloud) || undefined,
    approvals: opts.approvals,
    commit: commitOf(root),
  };
}

/** The checked-out commit (with `+changes` when the working tree differs from it), or undefined outside git. */
export function commitOf(root: string): string | undefined {
  try {
    const run = (args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
    if (run(['rev-parse', '--show-toplevel']) === '') return undefined;
    const head = run(['rev-parse', 'HEAD']);
    const dirty = run(['status', '--porcelain', '--untracked-files=no', '--', 'environments', 'constructs', 'stacks', 'policies']) !== '';
    return `${head}${dirty ? ' (with uncommitted changes to the sources)' : ''}`;
  } catch {
    return undefined;
  }
}
