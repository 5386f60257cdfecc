import { readManifest, verifyArtifacts } from '../../stacks/manifest';
import { renderEnvironment, writeRendered } from '../../stacks/synth';
import { loadArtifactSet } from '../../policies/artifacts';
import { findingLine, validateArtifacts } from '../../policies/validation';
import { printJson } from './common';
import type { CommandIO } from '../io';

export interface ValidateOptions {
  readonly env: string;
}

/**
 * `ndc validate --env E`: synthesizes out/E/ when stale (as check does), then validates every artifact in
 * its manifest offline as the engines would. Exit 0 no rejection, 1 rejections, 2 bad input.
 */
export async function validateCommand(opts: ValidateOptions, io: CommandIO): Promise<number> {
  const rendered = renderEnvironment(io.root, opts.env);
  const onDisk = readManifest(io.root, opts.env);
  let reason: string | undefined;
  if (!onDisk) reason = `out/${opts.env}/manifest.json is missing`;
  else if (onDisk.digest !== rendered.manifest.digest) reason = `${rendered.source} no longer renders to the synthesized digest`;
  else if (verifyArtifacts(io.root, onDisk).length > 0) reason = `out/${opts.env}/ does not match its manifest`;
  if (reason) {
    writeRendered(io.root, rendered);
    io.err(`ndc validate: synthesized out/${opts.env}/ first (${reason})`);
  }
  const manifest = readManifest(io.root, opts.env)!;
  const artifacts = loadArtifactSet(io.root, manifest);
  const findings = validateArtifacts({ artifacts, manifest, systems: rendered.cloud.systems });
  const checked = {
    terraform: manifest.artifacts.filter((a) => a.engine === 'terraform').length,
    kubernetes: manifest.artifacts.filter((a) => a.engine === 'kubernetes').length,
    cloudformation: manifest.artifacts.filter((a) => a.engine === 'cloudformation' && a.path.endsWith('.template.json')).length,
  };
  if (io.json) {
    printJson(io, { env: opts.env, digest: manifest.digest, valid: findings.length === 0, checked, findings: findings.map((f) => ({ ...f, artifact: `out/${opts.env}/${f.artifact}` })) });
  } else {
    for (const finding of findings) io.out(`${finding.check} ${findingLine(finding, opts.env)}`);
    const summary = `${checked.terraform} Terraform, ${checked.kubernetes} Kubernetes and ${checked.cloudformation} CloudFormation artifact(s) of ${opts.env} (digest ${manifest.digest.slice(0, 12)})`;
    io.out(findings.length === 0 ? `VALID: ${summary}: no rejection` : `INVALID: ${findings.length} rejection(s) in ${summary}`);
  }
  return findings.length === 0 ? 0 : 1;
}
