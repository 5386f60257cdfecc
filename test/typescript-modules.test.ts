/**
 * How the compiled command loads environment files (bin/typescript-modules.js): project sources dist/
 * holds come from dist/, other .ts files are transpiled once and kept under .ndc/cache/modules, and the
 * commands that judge what deploys (deploy, destroy, --no-cache: the synthesis cache's `refresh`) never
 * take a cached module. Each case runs in its own node process, as the command does.
 */
import { spawnSync } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { cacheSeal } from '../core/cache-seal';
import { REPO } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cachedModuleFile } = require('../bin/typescript-modules') as { cachedModuleFile(source: string): string };

/** An installed "command" whose dist/ holds environments/schema.ts, and a project whose environment imports it. */
function fixture() {
  const install = mkdtempSync(join(tmpdir(), 'ndc-tsmod-install-'));
  mkdirSync(join(install, 'environments'), { recursive: true });
  mkdirSync(join(install, 'dist', 'environments'), { recursive: true });
  writeFileSync(join(install, 'environments', 'schema.ts'), "export const loadedFrom = 'sources';\n");
  writeFileSync(join(install, 'dist', 'environments', 'schema.js'), "exports.loadedFrom = 'dist';\n");
  writeFileSync(join(install, 'dist', 'build-stamp.json'), JSON.stringify({ sources: ['environments/schema.ts'] }));
  const environment = [
    `import { loadedFrom } from ${JSON.stringify(join(install, 'environments', 'schema'))};`,
    'interface Env { name: string; schema: string }',
    "const env: Env = { name: 'from-source', schema: loadedFrom };",
    'export default env;',
    '',
  ].join('\n');
  const project = mkdtempSync(join(tmpdir(), 'ndc-tsmod-project-'));
  mkdirSync(join(project, 'environments'));
  const file = join(project, 'environments', 'demo.ts');
  writeFileSync(file, environment);
  return { install, project, file, environment };
}

function load(install: string, project: string, file: string, mode: string) {
  const script = [
    `require(${JSON.stringify(join(REPO, 'bin', 'typescript-modules.js'))}).install(${JSON.stringify(install)}, () => ${JSON.stringify(mode)});`,
    `try { process.stdout.write(JSON.stringify(require(${JSON.stringify(file)}).default)); }`,
    'catch (error) { process.stdout.write(JSON.stringify({ error: error.message })); }',
  ].join('\n');
  const run = spawnSync(process.execPath, ['-e', script], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NDC_ROOT: project } });
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as { name?: string; schema?: string; error?: string };
}

describe('the compiled command loading environment files', () => {
  const { install, project, file, environment } = fixture();
  const cached = join(project, '.ndc', 'cache', 'modules', cachedModuleFile(environment).split('/').pop()!);

  it('takes project sources from dist/, transpiles the environment file and keeps the JavaScript', () => {
    expect(load(install, project, file, 'use')).toEqual({ name: 'from-source', schema: 'dist' });
    expect(readFileSync(cached, 'utf8')).toContain("name: \"from-source\"");
  });

  it('serves an unchanged file from .ndc/cache/modules only when sealed on this machine; deploy, destroy and --no-cache transpile afresh', () => {
    load(install, project, file, 'use');
    const purpose = `module:${basename(cached, '.js')}`;
    const code = "exports.default = { name: 'kept' };\n";
    // Sealed with this machine's key (~/.ndc/cache.key): served, so the kept file is what is used.
    writeFileSync(cached, cacheSeal.sealText(purpose, code)!);
    expect(load(install, project, file, 'use').name).toBe('kept');
    expect(load(install, project, file, 'refresh').name).toBe('from-source');
    // refresh also replaced the entry with the real transform.
    expect(load(install, project, file, 'use').name).toBe('from-source');
    // Planted by someone without the key (a force-committed .ndc/): bare, or sealed under another key.
    const otherKey = createHmac('sha256', randomBytes(32)).update(purpose).update('\u0000').update(code).digest('hex');
    for (const planted of [code, `${otherKey}\n${code}`, `${'0'.repeat(64)}\n${code}`]) {
      writeFileSync(cached, planted);
      expect(load(install, project, file, 'use').name).toBe('from-source');
    }
  });

  it('reports a syntax error as esbuild does (file:line:column), which environments/load.ts turns into one line', () => {
    const broken = join(project, 'environments', 'broken.ts');
    writeFileSync(broken, 'export default {\n  name: "x",,\n};\n');
    const { error } = load(install, project, broken, 'use');
    expect(error).toMatch(/^Transform failed with 1 error/);
    expect(error).toContain(`${broken}:2:`);
  });
});
