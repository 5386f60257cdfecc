import { buildCloud, type NationalCloud } from '../../constructs';
import { loadEnvironment } from '../../environments/load';
import type { Environment } from '../../environments/schema';
import { validateEnvironment } from '../../environments/validate';
import type { ArtifactSet, CloudFormationTemplate, RuleContext } from '../../policies/rule';
import { buildManifest, type Artifact } from '../../stacks/manifest';
import { edgePlanOf } from '../../stacks/public-edge/config';
import type { EdgePlan } from '../../stacks/public-edge/plan';
import { publicEdgeRenderer } from '../../stacks/public-edge/renderer';

export const ROOT = `${__dirname}/../..`;

/** An environment from environments/, changed by `edit` and validated again as a loaded file would be. */
export function environment(name: string, edit: (env: Environment) => unknown = (e) => e): Environment {
  const { env } = loadEnvironment(ROOT, name);
  const copy = structuredClone(env);
  const edited = (edit(copy) ?? copy) as Environment;
  return validateEnvironment(edited, `environments/${name}.ts`);
}

export function withSystem(env: Environment, id: string, change: Partial<Environment['systems'][number]>): Environment {
  return { ...env, systems: env.systems.map((s) => (s.id === id ? { ...s, ...change } : s)) };
}

export function planOf(env: Environment): { cloud: NationalCloud; plan: EdgePlan } {
  const cloud = buildCloud(env);
  return { cloud, plan: edgePlanOf(cloud, env) };
}

/** The edge artifacts of an environment, rendered by the real renderer (cdk-nag included). */
export function renderEdge(env: Environment): { cloud: NationalCloud; artifacts: Artifact[] } {
  const cloud = buildCloud(env);
  return { cloud, artifacts: publicEdgeRenderer.render(cloud, env) };
}

/** The parsed artifact set the policy engine hands to rules, for the given artifacts. */
export function artifactSet(artifacts: readonly Artifact[]): ArtifactSet {
  const cloudformation = new Map<string, CloudFormationTemplate>();
  const text = new Map<string, string>();
  for (const a of artifacts) {
    text.set(a.path, a.content);
    if (a.engine === 'cloudformation') cloudformation.set(a.stack, JSON.parse(a.content) as CloudFormationTemplate);
  }
  return { terraform: new Map(), kubernetes: new Map(), cloudformation, text };
}

export function contextOf(env: Environment, cloud: NationalCloud, artifacts: readonly Artifact[]): RuleContext {
  // The rules read the artifacts, which tests edit as an author could (a tag naming an unknown system):
  // the manifest's scopes are not what is judged here, so none are computed (synthesis would refuse such an edit).
  return { env, cloud, manifest: buildManifest(cloud, artifacts, undefined, undefined, []), artifacts: artifactSet(artifacts), asOf: new Date('2026-11-27T00:00:00Z'), evidence: [] };
}

/** A copy of the artifacts with one CloudFormation template changed by `edit`. */
export function editTemplate(artifacts: readonly Artifact[], stack: string, edit: (template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> }) => void): Artifact[] {
  return artifacts.map((a) => {
    if (a.stack !== stack) return a;
    const template = JSON.parse(a.content);
    edit(template);
    return { ...a, content: JSON.stringify(template) };
  });
}

export function resourceOfType(template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> }, type: string): { Type: string; Properties: Record<string, unknown> } {
  const found = Object.values(template.Resources).find((r) => r.Type === type);
  if (!found) throw new Error(`no ${type} in template`);
  return found;
}
