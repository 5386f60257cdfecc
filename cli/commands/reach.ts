import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/errors';
import { jsonDocument } from '../../core/json-output';
import { buildCloud } from '../../constructs/from-environment';
import { loadEnvironment } from '../../environments/load';
import { evaluate } from '../../policies/engine';
import { networkReachability, type Reachability } from '../../policies/network';
import { loadNetworkArtifacts, networkArtifactsOf } from '../../policies/network/artifacts';
import { matches, reachDifference, reachHtmlSection, reachMarkdown, reachText, reachView } from '../../policies/network/report';
import { rulesOf } from '../../policies/registry';
import type { NationalCloud } from '../../constructs';
import { ENGINES, readManifest, verifyArtifacts, type Manifest } from '../../stacks/manifest';
import { synthEnvironment } from '../../stacks/synth';
import type { CommandIO } from '../io';
import { resolvePath } from './common';

export const REACH_FORMATS = ['text', 'json', 'markdown'] as const;

export interface ReachOptions {
  readonly env: string;
  readonly from?: string;
  readonly to?: string;
  readonly format?: string;
  /** A directory holding another artifact set (a manifest.json and its files, as out/<env>/ does). */
  readonly against?: string;
}

/**
 * `ndc reach --env E [--from X] [--to Y] [--format text|json|markdown] [--against DIR]`: reachability and
 * attack paths computed from out/E/ as it stands (synthesized first only when missing), the NDC-NET rules'
 * verdict, and with --against what became reachable and what stopped compared with another artifact set.
 * Exit 0, 1 when a mandatory NDC-NET rule fails, 2 on bad input.
 */
export async function reachCommand(opts: ReachOptions, io: CommandIO): Promise<number> {
  const format = opts.format ?? (io.json ? 'json' : 'text');
  if (!(REACH_FORMATS as readonly string[]).includes(format)) throw new InputError('--format', `${JSON.stringify(format)} is not a reach format (formats: ${REACH_FORMATS.join(', ')})`);
  const { env, source } = loadEnvironment(io.root, opts.env);
  const cloud = buildCloud(env);
  let manifest = readManifest(io.root, opts.env);
  if (!manifest) {
    manifest = synthEnvironment(io.root, opts.env).manifest;
    io.err(`ndc reach: synthesized out/${opts.env}/ first (it was missing)`);
  } else {
    const changed = verifyArtifacts(io.root, manifest);
    if (changed.length > 0) io.err(`ndc reach: out/${opts.env}/ differs from its manifest (${changed.slice(0, 3).join(', ')}${changed.length > 3 ? ', ...' : ''}); analysing the files as they stand`);
  }
  const artifacts = loadNetworkArtifacts(join(io.root, 'out', opts.env), manifest, `out/${opts.env}`);
  const reach = networkReachability({ artifacts, manifest, governmentNetwork: cloud.govNetwork.text });
  for (const [flag, selector] of [['--from', opts.from], ['--to', opts.to]] as const) {
    if (selector !== undefined && !reach.model.endpoints.some((e) => matches(selector, e)) && ![...reach.model.zones.values()].some((z) => [z.id, z.kind, z.system, z.cluster].includes(selector))) {
      const zones = [...new Set(reach.model.endpoints.map((e) => e.zone))].slice(0, 6).join(', ');
      throw new InputError(flag, `${JSON.stringify(selector)} matches no endpoint (give internet, gov-network, a cluster, a system, a zone such as ${zones}, or an endpoint id)`);
    }
  }
  const difference = opts.against === undefined ? undefined : reachDifference(againstReach(io, opts.against, manifest, cloud), reach);
  const view = reachView(reach, { from: opts.from, to: opts.to });
  // The NDC-NET rules with the environment's own overrides and exceptions for them (others are not evaluated here).
  const policy = (env.policy ?? {}) as { overrides?: Record<string, unknown>; exceptions?: { rule?: string }[] };
  const netOnly = { ...env, policy: { ...policy, overrides: Object.fromEntries(Object.entries(policy.overrides ?? {}).filter(([id]) => id.startsWith('NDC-NET-'))), exceptions: (policy.exceptions ?? []).filter((e) => e.rule?.startsWith('NDC-NET-')) } };
  const report = evaluate({ env: netOnly, source, cloud, manifest, artifacts, rules: rulesOf(['network']), now: io.now() });
  const failures = report.findings.filter((f) => f.status === 'fail');
  if (format === 'json') {
    io.out(jsonDocument('reach', { env: opts.env, digest: manifest.digest, ...view, difference, rules: report.findings.map((f) => ({ rule: f.ruleId, status: f.status, enforcement: f.enforcement, subject: f.subject, message: f.message })), mandatoryFailures: report.mandatoryFailures }));
  } else {
    const body = format === 'markdown' ? reachMarkdown(view, difference) : reachText(view, difference);
    io.out(body.trimEnd());
    io.out('');
    const verdict = `${report.mandatoryFailures === 0 ? 'PASS' : 'FAIL'}: NDC-NET rules: ${report.mandatoryFailures} mandatory failure${report.mandatoryFailures === 1 ? '' : 's'}, ${report.advisoryFailures} advisory`;
    io.out(format === 'markdown' ? `**${verdict}**` : verdict);
    for (const f of failures) io.out(`${format === 'markdown' ? '- ' : '  '}${f.ruleId} ${f.enforcement} ${f.subject}: ${f.message}`);
  }
  return report.mandatoryFailures > 0 ? 1 : 0;
}

/** The reachability of another artifact set: DIR/manifest.json and the files it lists. */
function againstReach(io: CommandIO, dir: string, current: Manifest, cloud: NationalCloud): Reachability {
  const { file, shown } = resolvePath(io, dir);
  const manifestFile = join(file, 'manifest.json');
  if (!existsSync(manifestFile)) throw new InputError('--against', `${JSON.stringify(shown)} holds no manifest.json (give a directory as ndc synth writes out/<env>/)`);
  let other: { artifacts?: unknown; systems?: unknown };
  try {
    other = JSON.parse(readFileSync(manifestFile, 'utf8')) as typeof other;
  } catch (error) {
    throw new InputError(`${shown}/manifest.json`, `is not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(other.artifacts)) throw new InputError(`${shown}/manifest.json: artifacts`, 'is missing or not a list');
  const entries = other.artifacts.map((a: unknown, i: number) => {
    const entry = a as { path?: unknown; engine?: unknown; stack?: unknown };
    if (typeof entry.path !== 'string' || typeof entry.stack !== 'string' || !(ENGINES as readonly unknown[]).includes(entry.engine)) {
      throw new InputError(`${shown}/manifest.json: artifacts[${i}]`, 'needs a path, a stack and an engine (terraform, kubernetes or cloudformation)');
    }
    const path = join(file, entry.path);
    if (!existsSync(path)) throw new InputError(`${shown}/${entry.path}`, 'is listed in the manifest but missing');
    return { path: entry.path, engine: entry.engine as Manifest['artifacts'][number]['engine'], stack: entry.stack, content: readFileSync(path, 'utf8') };
  });
  const artifacts = networkArtifactsOf(entries, (a) => `${shown}/${a.path}`);
  const systems = Array.isArray(other.systems) ? (other.systems as Manifest['systems']) : current.systems;
  return networkReachability({ artifacts, manifest: { artifacts: entries.map((e) => ({ path: e.path, engine: e.engine, stack: e.stack, bytes: 0, sha256: '' })), systems }, governmentNetwork: cloud.govNetwork.text });
}

/** The reachability section of the HTML report for what out/<env>/ holds (check and start add it). */
export function reachSectionFor(root: string, envName: string, cloud?: NationalCloud): string {
  const manifest = readManifest(root, envName);
  if (!manifest) return '';
  const govCidr = (cloud ?? buildCloud(loadEnvironment(root, envName).env)).govNetwork.text;
  return reachHtmlSection(reachView(networkReachability({ artifacts: loadNetworkArtifacts(join(root, 'out', envName), manifest, `out/${envName}`), manifest, governmentNetwork: govCidr })));
}
