/**
 * `ndc start`, `synth` and `check` start evaluating the environment file on the helper thread
 * (environments/load.ts evaluateAhead) while the main thread loads the command; loadEnvironment then takes
 * that evaluation. It must be indistinguishable from evaluating the file where it is needed.
 */
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluateAhead, isolateEnvironments, loadEnvironment, type Isolation } from '../environments/load';
import { tempProject } from './helpers';

jest.setTimeout(120_000);

describe('an environment file evaluated ahead, on the helper thread', () => {
  const root = tempProject('ndc-env-ahead-');
  let previous: Isolation;
  beforeEach(() => (previous = isolateEnvironments('fresh')));
  afterEach(() => isolateEnvironments(previous));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** What loading `name` gives (or the error it throws), and what it printed to stderr. */
  const loading = (name: string, ahead: boolean) => {
    const printed: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (printed.push(String(chunk)), true));
    try {
      if (ahead) expect(evaluateAhead(root, name, true)).toBe(true);
      try {
        return { env: loadEnvironment(root, name).env, printed: printed.join('') };
      } catch (error) {
        return { error: String(error), printed: printed.join('') };
      }
    } finally {
      write.mockRestore();
    }
  };

  it('gives the same environment as evaluating it here', () => {
    const here = loading('dev', false);
    expect(here.env?.name).toBe('dev');
    expect(loading('dev', true)).toEqual(here);
  });

  it('relays what the file printed, and fails with the same one line when the file throws', () => {
    const file = join(root, 'environments', 'noisy.ts');
    writeFileSync(file, "console.log('noisy environment says hello');\nthrow new Error('the noisy environment gives up');\n");
    const here = loading('noisy', false);
    expect(here.error).toMatch(/environments\/noisy\.ts: cannot be loaded: .*the noisy environment gives up/);
    expect(here.printed).toContain('noisy environment says hello');
    expect(loading('noisy', true)).toEqual(here);
  });

  it('fails the same way for a syntax error (esbuild refuses it while the child is already up), a late throw and no default export', () => {
    const cases = {
      broken: 'export default {\n  name: ;\n',
      late: "export default { name: 'late' };\nsetTimeout(() => { throw new Error('a timer throws after loading'); }, 0);\n",
      shapeless: 'export const nothing = 1;\n',
    };
    for (const [name, text] of Object.entries(cases)) {
      writeFileSync(join(root, 'environments', `${name}.ts`), text);
      const here = loading(name, false);
      expect(here.error).toMatch(new RegExp(`environments/${name}\\.ts(:\\d+:\\d+)?: `));
      expect({ name, ...loading(name, true) }).toEqual({ name, ...here });
    }
  });

  it('bundles a shipped environment file without zod and the schema (environments/define.ts), so its child process loads neither', () => {
    for (const name of ['dev', 'staging', 'prod']) {
      isolateEnvironments('kept');
      rmSync(join(root, '.ndc'), { recursive: true, force: true });
      loadEnvironment(root, name);
      // The kept evaluation lists the files the bundle was made of (environments/isolated.ts).
      const dir = join(root, '.ndc', 'cache', 'environments');
      const [kept] = readdirSync(dir).filter((f) => f.endsWith('.json'));
      // Its first line is the entry's seal (core/cache-seal.ts), the rest the entry.
      const text = readFileSync(join(dir, kept), 'utf8');
      const { inputs } = JSON.parse(text.slice(text.indexOf('\n') + 1)) as { inputs: [string, string][] };
      const files = inputs.map(([file]) => file);
      expect({ name, define: files.includes('environments/define.ts'), schema: files.includes('environments/schema.ts') }).toEqual({ name, define: true, schema: false });
    }
  });

  it('is not started when the command may take a kept evaluation of the file', () => {
    isolateEnvironments('kept');
    loadEnvironment(root, 'staging');
    expect(evaluateAhead(root, 'staging', true)).toBe(false);
    // Nor for a name that is not an environment's, or a file that is not there: loadEnvironment says why.
    isolateEnvironments('fresh');
    expect(evaluateAhead(root, 'Not A Name', true)).toBe(false);
    expect(evaluateAhead(root, 'missing', true)).toBe(false);
  });
});
