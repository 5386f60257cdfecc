/**
 * An environment file is TypeScript, so loading it runs its author's code. A change author who edits
 * environments/dev.ts must not get that code into the process that decides the gate or holds a reviewer's
 * key: `ndc deploy`, `destroy`, `plan`, `drift` and `approve` evaluate environment files in a child
 * process of their own (environments/isolated.ts) and take back only the data. Through the `ndc`
 * executable, with fake engines on PATH that record their calls.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateIsolated } from '../../environments/isolated';
import { isolateEnvironments, loadEnvironment } from '../../environments/load';
import { cacheSeal } from '../../core/cache-seal';
import { fakeEngines } from '../deploy/fixture';
import { REPO, tempProject } from '../helpers';

jest.setTimeout(120_000);

/** Appended to dev.ts by the change author: opens the gate of whichever process loads the file. */
const OPEN_THE_GATE = `
/* eslint-disable */
const opened = (exported: any) => {
  if (exported && typeof exported.evaluateGate === 'function' && !exported.__opened) {
    const real = exported.evaluateGate;
    exported.evaluateGate = (input: unknown) => ({ ...real(input), open: true, reasons: [], blocking: [] });
    exported.__opened = true;
  }
  return exported;
};
for (const loaded of Object.values(require.cache)) opened(loaded?.exports);
const Module = require('node:module');
const load = Module._load;
Module._load = function (...args: unknown[]) { return opened(load.apply(this, args)); };
console.log('environment code ran in process ' + process.pid);
`;

describe('environment code never runs where the gate decides', () => {
  const root = tempProject('ndc-env-code-');
  const engines = fakeEngines(['tofu', 'pulumi']);
  const env = { PATH: `${engines.dir}:${join(process.execPath, '..')}`, HOME: root, FAKE_LOG: engines.log, NDC_ENGINE_ENV: 'FAKE_*', KUBECONFIG: join(engines.dir, '.kube', 'config'), NDC_ACTOR: 'ci:env-code', CI: 'true' };
  const ndc = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), ...args], { cwd: root, encoding: 'utf8', env });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(engines.dir, { recursive: true, force: true });
  });

  it('an environment file that patches the gate when loaded deploys nothing without approvals', () => {
    expect(ndc('synth', '--env', 'dev').status).toBe(0);
    const file = join(root, 'environments', 'dev.ts');
    writeFileSync(file, readFileSync(file, 'utf8') + OPEN_THE_GATE);
    const deploy = ndc('deploy', '--env', 'dev');
    // The file was evaluated, in a process of its own, and the gate stayed closed: no approvals on file.
    const ran = /environment code ran in process (\d+)/.exec(deploy.stderr);
    expect(ran).not.toBeNull();
    expect(Number(ran![1])).not.toBe(deploy.pid);
    expect(deploy.status).toBe(1);
    expect(deploy.stderr).toMatch(/gate closed|not approved|approval/i);
    expect(existsSync(engines.log) ? readFileSync(engines.log, 'utf8') : '').not.toMatch(/apply|up/);
  });

  it('the reporting commands evaluate it apart too: it cannot rewrite the build a later deploy runs', () => {
    const file = join(root, 'environments', 'dev.ts');
    const dist = join(REPO, 'dist', 'policies', 'approvals', 'gate.js');
    writeFileSync(file, `${readFileSync(file, 'utf8')}\nconsole.log('environment code ran in process ' + process.pid);\ntry { require('node:fs').appendFileSync(${JSON.stringify(dist)}, '\\n// planted\\n'); } catch (error) { console.log('refused: ' + (error as Error).message); }\n`);
    const check = ndc('check', '--env', 'dev');
    const ran = /environment code ran in process (\d+)/.exec(check.stderr);
    expect(ran).not.toBeNull();
    expect(Number(ran![1])).not.toBe(check.pid);
    expect(check.stderr).toContain('refused: Access to this API has been restricted');
    if (existsSync(dist)) expect(readFileSync(dist, 'utf8')).not.toContain('// planted');
  });
});

describe('environment files evaluated in a child process', () => {
  const root = tempProject('ndc-env-isolated-');
  const load = (name: string, isolated: boolean | 'kept') => {
    const previous = isolateEnvironments(isolated === true ? 'fresh' : isolated);
    try {
      return loadEnvironment(root, name);
    } finally {
      isolateEnvironments(previous);
    }
  };
  const appended = (code: string) => {
    const file = join(root, 'environments', 'staging.ts');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original + code);
    return () => writeFileSync(file, original);
  };
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each(['dev', 'staging', 'prod'])('give %s exactly the environment an in-process load gives', (name) => {
    const inProcess = load(name, false);
    const isolated = load(name, true);
    expect(isolated.env).toEqual(inProcess.env);
    expect(isolated.source).toBe(inProcess.source);
  });

  it('keeps an evaluation sealed on this machine, and evaluates again once any file it was made of changed', () => {
    const fresh = load('prod', 'kept');
    const dir = join(root, '.ndc', 'cache', 'environments');
    const [name] = readdirSync(dir);
    const file = join(dir, name);
    const purpose = `environment:${name.replace(/\.json$/, '')}`;
    const kept = JSON.parse(cacheSeal.openSealed(purpose, readFileSync(file, 'utf8'))!) as { inputs: [string, string][]; value: { description: string } };
    expect(kept.inputs.map(([path]) => path)).toEqual(expect.arrayContaining(['environments/prod.ts', 'environments/shared/national.ts', 'environments/define.ts']));
    // Served when sealed here (so the kept evaluation is what is used)...
    writeFileSync(file, cacheSeal.sealText(purpose, JSON.stringify({ ...kept, value: { ...kept.value, description: 'kept' } }))!);
    expect(load('prod', 'kept').env.description).toBe('kept');
    // ...never when planted without this machine's key, nor by a command that evaluates afresh,
    expect(load('prod', true).env.description).toBe(fresh.env.description);
    writeFileSync(file, JSON.stringify({ ...kept, value: { ...kept.value, description: 'planted' } }));
    expect(load('prod', 'kept').env.description).toBe(fresh.env.description);
    // ...nor once a module the environment imports changed.
    writeFileSync(file, cacheSeal.sealText(purpose, JSON.stringify({ ...kept, value: { ...kept.value, description: 'kept' } }))!);
    const national = join(root, 'environments', 'shared', 'national.ts');
    writeFileSync(national, `${readFileSync(national, 'utf8')}\n// edited\n`);
    expect(load('prod', 'kept').env.description).toBe(fresh.env.description);
  });

  it('cannot read a reviewer key (also through a symlink committed into environments/), the deploy credentials or anything outside the packages', () => {
    const keys = join(root, 'home', '.ndc', 'keys');
    mkdirSync(keys, { recursive: true });
    writeFileSync(join(keys, 'su-a.key'), 'PRIVATE');
    process.env.NDC_TEST_DEPLOY_SECRET = 'hunter2';
    try {
      let restore = appended(`\nrequire('node:fs').readFileSync(${JSON.stringify(join(keys, 'su-a.key'))}, 'utf8');\n`);
      expect(() => load('staging', true)).toThrow(/^environments\/staging\.ts: cannot be loaded: Access to this API has been restricted/);
      restore();
      symlinkSync(keys, join(root, 'environments', 'keys'));
      restore = appended(`\nrequire('node:fs').readFileSync(require('node:path').join(process.cwd(), 'environments', 'keys', 'su-a.key'), 'utf8');\n`);
      expect(() => load('staging', true)).toThrow(/^environments\/staging\.ts: cannot be loaded: Access to this API has been restricted/);
      restore();
      rmSync(join(root, 'environments', 'keys'));
      restore = appended(`\nif (process.env.NDC_TEST_DEPLOY_SECRET !== undefined || process.env.PATH !== undefined) throw new Error('saw the environment');\nrequire('node:child_process').execSync('id');\n`);
      expect(() => load('staging', true)).toThrow(/^environments\/staging\.ts: cannot be loaded: Access to this API has been restricted/);
      restore();
      restore = appended(`\nrequire('node:fs').writeFileSync(${JSON.stringify(join(root, 'environments', 'planted.ts'))}, '');\n`);
      expect(() => load('staging', true)).toThrow(/Access to this API has been restricted/);
      expect(existsSync(join(root, 'environments', 'planted.ts'))).toBe(false);
      restore();
    } finally {
      delete process.env.NDC_TEST_DEPLOY_SECRET;
    }
  });

  it("resolves packages from the project's own node_modules and from ndc's install", () => {
    mkdirSync(join(root, 'node_modules', 'ndc-test-package'), { recursive: true });
    writeFileSync(join(root, 'node_modules', 'ndc-test-package', 'index.js'), "exports.word = 'project';\n");
    const file = join(root, 'environments', 'packages.ts');
    writeFileSync(file, "import { word } from 'ndc-test-package';\nimport { z } from 'zod';\nexport default { name: z.string().parse(word) + '-and-install' };\n");
    try {
      expect(evaluateIsolated(root, file, 'environments/packages.ts')).toEqual({ name: 'project-and-install' });
    } finally {
      rmSync(file);
      rmSync(join(root, 'node_modules'), { recursive: true, force: true });
    }
  });

  it('takes back only plain data, and names the file on a syntax error or a throw of its own', () => {
    const tiny = join(root, 'environments', 'tiny.ts');
    writeFileSync(tiny, "export default { name: 'tiny', regions: [{ id: 'north', hooks: { toJSON: () => ({}) } }] };\n");
    expect(() => load('tiny', true)).toThrow('environments/tiny.ts: cannot be loaded: regions[0].hooks.toJSON is a function, not data (write plain values)');
    writeFileSync(tiny, "class Region { id = 'north'; }\nexport default { name: 'tiny', regions: [new Region()] };\n");
    expect(() => load('tiny', true)).toThrow('environments/tiny.ts: cannot be loaded: regions[0] is not a plain object (a class instance); write plain object literals');
    rmSync(tiny);
    let restore = appended('\nconst broken = ;\n');
    expect(() => load('staging', true)).toThrow(/^environments\/staging\.ts:\d+:\d+: syntax error: /);
    restore();
    restore = appended("\nthrow new Error('refused by its author');\n");
    expect(() => load('staging', true)).toThrow('environments/staging.ts: cannot be loaded: refused by its author');
    restore();
  });
});
