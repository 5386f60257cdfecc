import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EDGE_AWS_KEYS, STATE_STORE_KEYS } from '../deploy/waves';
import { parseKubernetesYaml } from '../stacks/kubernetes/artifact';
import { isPrerequisitesStack } from '../stacks/kubernetes/prerequisites';
import { renderEnvironment } from '../stacks/synth';
import { REPO } from './helpers';

interface Step {
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Job {
  env?: Record<string, string>;
  steps: Step[];
  if?: string;
}
interface Workflow {
  on: Record<string, unknown>;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const workflow = parse(readFileSync(join(REPO, '.github/workflows/ndc.yml'), 'utf8')) as Workflow;
const secretsIn = (env: Record<string, string> | undefined) => Object.entries(env ?? {}).filter(([, v]) => /\$\{\{\s*secrets\./.test(String(v)));
const secretName = (value: string) => /secrets\.([A-Z0-9_]+)/.exec(value)![1];

describe('the GitHub workflow hands credentials out', () => {
  it('only on the steps that run ndc, never on a workflow, job or install step', () => {
    expect(secretsIn(workflow.env)).toEqual([]);
    let stepsWithSecrets = 0;
    for (const [name, job] of Object.entries(workflow.jobs)) {
      expect([name, secretsIn(job.env)]).toEqual([name, []]);
      for (const step of job.steps) {
        if (secretsIn(step.env).length === 0) continue;
        stepsWithSecrets++;
        expect(step.uses).toBeUndefined();
        expect(step.run).toMatch(/node (scripts\/ci\.mjs .*--skip-install|bin\/ndc\.js drift )/);
      }
    }
    expect(stepsWithSecrets).toBeGreaterThanOrEqual(2);
  });

  it('with a separate key pair for the Pulumi state store and for AWS, and no plain AWS keys', () => {
    let deploySteps = 0;
    for (const job of Object.values(workflow.jobs)) {
      expect(Object.keys(job.env ?? {}).filter((k) => /^AWS_/.test(k))).toEqual([]);
      for (const step of job.steps) {
        const env = step.env ?? {};
        expect(Object.keys(env).filter((k) => /^AWS_/.test(k))).toEqual([]);
        if (secretsIn(env).length === 0 || !/--deploy/.test(step.run ?? '')) continue;
        deploySteps++;
        const state = Object.values(STATE_STORE_KEYS).map((k) => env[k]);
        const edge = ['NDC_EDGE_AWS_ACCESS_KEY_ID', 'NDC_EDGE_AWS_SECRET_ACCESS_KEY'].map((k) => env[k]);
        for (const value of [...state, ...edge]) expect(value).toMatch(/secrets\./);
        const stateSecrets = state.map(secretName);
        const edgeSecrets = edge.map(secretName);
        expect(stateSecrets.filter((s) => edgeSecrets.includes(s))).toEqual([]);
      }
    }
    expect(deploySteps).toBe(2);
  });

  it('with every backup vault key the prerequisites of prod fill Velero\'s secrets from, on the deploy and drift steps', () => {
    const needed = renderEnvironment(REPO, 'prod')
      .artifacts.filter((a) => isPrerequisitesStack(a.stack))
      .flatMap((a) => parseKubernetesYaml(a.content, a.path))
      .flatMap((o) => (o.kind === 'Secret' ? (o.metadata.annotations?.['ndc.gov.vn/credentials-from'] ?? '').split(',') : []));
    expect(needed.length).toBeGreaterThan(0);
    const steps = Object.values(workflow.jobs).flatMap((j) => j.steps).filter((s) => /--deploy|ndc\.js drift/.test(s.run ?? ''));
    expect(steps).toHaveLength(3);
    for (const step of steps) for (const variable of needed) expect([variable, step.env?.[variable]]).toEqual([variable, expect.stringMatching(/secrets\./)]);
    expect(Object.values(EDGE_AWS_KEYS)).toContain('NDC_EDGE_AWS_ACCESS_KEY_ID');
  });
});

describe('the GitLab pipeline runs the engines from outside the checkout', () => {
  // ndc never runs a binary inside the project (deploy/engines.ts): a change's author could have committed
  // .engines/opentofu/pulumi, ahead of the real pulumi on PATH and left in place by the install.
  const pipeline = parse(readFileSync(join(REPO, '.gitlab-ci.yml'), 'utf8'), { merge: true }) as Record<string, { before_script?: string[]; script?: string[]; artifacts?: { paths?: string[] } }>;

  it('installs them outside the project, hands them over as one archive, and unpacks it outside the project', () => {
    const install = pipeline.install;
    expect(install.artifacts?.paths ?? []).not.toContainEqual(expect.stringMatching(/^\.engines/));
    expect(install.script!.join('\n')).not.toMatch(/\$CI_PROJECT_DIR\/\.engines|\s\.engines\//);
    for (const job of ['deploy-staging', 'deploy-prod', 'drift']) {
      const lines = [...(pipeline[job].before_script ?? []), ...(pipeline['.deploy']?.before_script ?? [])].join('\n');
      const path = /export PATH="([^"]*)"/.exec(lines);
      expect([job, path?.[1]]).toEqual([job, expect.any(String)]);
      // Every engine folder put on PATH is under the job's private temporary directory, not the checkout.
      for (const entry of path![1].split(':').filter((e) => e !== '$PATH')) expect([job, entry]).toEqual([job, expect.stringMatching(/^\$NDC_ENGINES\//)]);
      expect(lines).toMatch(/NDC_ENGINES="\$\(mktemp -d\)"/);
    }
  });
});
