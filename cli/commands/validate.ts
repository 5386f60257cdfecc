import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { cacheSeal } from '../../core/cache-seal';
import { buildCloud } from '../../constructs';
import { loadEnvironment } from '../../environments/load';
import { readManifest, verifyArtifacts } from '../../stacks/manifest';
import { renderEnvironment, synthesizeIfStale } from '../../stacks/synth';
import { loadArtifactSet } from '../../policies/artifacts';
import { findingLine, validateArtifacts } from '../../policies/validation';
import type { SystemPods } from '../../policies/validation/semantics';
import { printJson } from './common';
import { progressStep } from '../../core/progress-line';
import type { CommandIO } from '../io';
import { SOURCE_ROOT } from '../../core/source-root';
import { SETTINGS_STACK } from '../../stacks/kubernetes/engine-settings';

export interface ValidateOptions {
  readonly env: string;
}

const REPO = SOURCE_ROOT;

/** What a synthesis is a function of: the environment files, the layers that render them, the dependency lock. */
const CODE_INPUTS = ['environments', 'constructs', 'core', 'stacks', 'package-lock.json'];

function* files(path: string): Generator<string> {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return;
  if (stat.isFile()) {
    yield path;
    return;
  }
  for (const name of readdirSync(path).sort()) if (name !== 'node_modules') yield* files(join(path, name));
}

/** sha256 over every input file's path and content: equal keys render to equal artifacts (synthesis is deterministic). */
function inputsKey(root: string, env: string): string {
  const hash = createHash('sha256').update(`${env}\0${process.version}\0`);
  const roots = [join(root, 'environments'), ...CODE_INPUTS.map((p) => join(REPO, p))];
  for (const base of roots) {
    for (const file of files(base)) hash.update(`${relative(dirname(base), file)}\0`).update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

interface Rendered {
  readonly key: string;
  readonly digest: string;
}

const recordOf = (root: string, env: string) => join(root, '.ndc', 'cache', `synth-${env}.json`);

function readRecord(root: string, env: string): Rendered | undefined {
  try {
    const text = cacheSeal.readSealed(recordOf(root, env), `validate-record:${env}`);
    return text === undefined ? undefined : (JSON.parse(text) as Rendered);
  } catch {
    return undefined;
  }
}

function writeRecord(root: string, env: string, record: Rendered): void {
  // Only the next run's speed depends on the record.
  cacheSeal.writeSealed(recordOf(root, env), `validate-record:${env}`, JSON.stringify(record));
}

/**
 * `ndc validate --env E`: synthesizes out/E/ when stale (as check does), then validates every artifact in
 * its manifest offline as the engines would. The staleness render is skipped when no input of the last
 * synthesis changed (content hash of the environment files, the rendering layers and the dependency lock)
 * and out/E/ still matches that synthesis' manifest. Exit 0 no rejection, 1 rejections, 2 bad input.
 */
export async function validateCommand(opts: ValidateOptions, io: CommandIO): Promise<number> {
  const key = inputsKey(io.root, opts.env);
  const recorded = readRecord(io.root, opts.env);
  let onDisk = readManifest(io.root, opts.env);
  let systems: readonly SystemPods[];
  let rendered = false;
  if (onDisk && recorded?.key === key && recorded.digest === onDisk.digest && verifyArtifacts(io.root, onDisk).length === 0) {
    systems = buildCloud(loadEnvironment(io.root, opts.env).env).systems;
  } else {
    // The shared synthesize-if-stale path (as check, approve and approvals), after the inputs-key shortcut above.
    const render = renderEnvironment(io.root, opts.env);
    rendered = true;
    const { synthesized } = synthesizeIfStale(io.root, render);
    if (synthesized !== undefined) {
      io.err(`ndc validate: synthesized out/${opts.env}/ first (${synthesized})`);
      onDisk = readManifest(io.root, opts.env);
    }
    writeRecord(io.root, opts.env, { key, digest: render.manifest.digest });
    systems = render.cloud.systems;
  }
  const manifest = onDisk!;
  const artifacts = loadArtifactSet(io.root, manifest);
  const findings = progressStep(`validating ${opts.env}: ${manifest.artifacts.length} artifacts against the engines' schemas`, () => validateArtifacts({ artifacts, manifest, systems }));
  const checked = {
    terraform: manifest.artifacts.filter((a) => a.engine === 'terraform').length,
    // Kubernetes objects, not the Pulumi project and stack files copied beside them.
    kubernetes: manifest.artifacts.filter((a) => a.engine === 'kubernetes' && a.stack !== SETTINGS_STACK).length,
    cloudformation: manifest.artifacts.filter((a) => a.engine === 'cloudformation' && a.path.endsWith('.template.json')).length,
  };
  if (io.json) {
    printJson(io, 'validate', { env: opts.env, digest: manifest.digest, rendered, valid: findings.length === 0, checked, findings: findings.map((f) => ({ ...f, artifact: `out/${opts.env}/${f.artifact}` })) });
  } else {
    for (const finding of findings) io.out(`${finding.check} ${findingLine(finding, opts.env)}`);
    const summary = `${checked.terraform} Terraform, ${checked.kubernetes} Kubernetes and ${checked.cloudformation} CloudFormation artifact(s) of ${opts.env} (digest ${manifest.digest.slice(0, 12)})`;
    io.out(findings.length === 0 ? `VALID: ${summary}: no rejection` : `INVALID: ${findings.length} rejection(s) in ${summary}`);
  }
  return findings.length === 0 ? 0 : 1;
}
