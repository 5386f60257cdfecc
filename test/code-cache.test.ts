/**
 * The compiled command's V8 code cache (bin/code-cache.js): a second process is served the bytecode the
 * first compiled, and anything wrong with the cache (damaged, truncated, another file, an edited module)
 * makes the modules compile from their sources and run as they are written. Each case is its own node
 * process, as the command is.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { REPO } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { codeCacheFile, servesCommand } = require('../bin/code-cache') as { codeCacheFile(project: string, build: string, install?: string): string; servesCommand(argv: string[]): boolean };

interface Run {
  readonly answer: string;
  readonly served: number;
  readonly compiled: number;
  readonly rejected: number;
}

/**
 * Requires `main.js` of `dir` through the code cache in `file` (requires made within `resolveWithin` may
 * use remembered resolutions); what it answers and the cache's counters.
 */
function run(dir: string, file: string | undefined, resolveWithin: string[] = [], seed?: Seed, packages?: string): Run & { resolved: number; searched: number; seeded: number; seededResolutions: number } {
  const script = [
    `const stats = require(${JSON.stringify(join(REPO, 'bin', 'code-cache.js'))}).install(${JSON.stringify(file)}, ${JSON.stringify(resolveWithin)}, { seed: ${JSON.stringify(seed)}, packages: ${JSON.stringify(packages)} });`,
    `const answer = require(${JSON.stringify(join(dir, 'main.js'))}).answer();`,
    'process.stdout.write(JSON.stringify({ answer, served: stats.served, seeded: stats.seeded, compiled: stats.compiled, rejected: stats.rejected, resolved: stats.resolved, searched: stats.searched, seededResolutions: stats.seededResolutions }));',
  ].join('\n');
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout) as Run & { resolved: number; searched: number; seeded: number; seededResolutions: number };
}

/** A build's seed: its file and the sha256 the sealed build stamp records for it. */
interface Seed {
  readonly file: string;
  readonly sha256: string;
}

/** A seed recorded from a first run of `dir`'s modules (as scripts/build.js records dist/code-cache/). */
function seedOf(dir: string, resolveWithin: string[] = [], packages?: string): Seed {
  const file = join(dir, 'seed.bin');
  run(dir, file, resolveWithin, undefined, packages);
  return { file, sha256: createHash('sha256').update(readFileSync(file)).digest('hex') };
}

function modules(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ndc-code-cache-'));
  writeFileSync(join(dir, 'main.js'), "'use strict';\nconst { word } = require('./word');\nexports.answer = () => `${word()} from ${require.resolve('./word').endsWith('word.js') ? 'word.js' : '?'}`;\n");
  writeFileSync(join(dir, 'word.js'), "'use strict';\nexports.word = () => 'alpha';\n");
  return { dir, file: codeCacheFile(dir, 'build-a') };
}

describe('the code cache of the compiled command', () => {
  it('compiles on the first run, stores the bytecode, and serves it to the next process', () => {
    const { dir, file } = modules();
    expect(run(dir, file)).toMatchObject({ answer: 'alpha from word.js', served: 0, compiled: 2, rejected: 0 });
    expect(readFileSync(file).length).toBeGreaterThan(0);
    expect(run(dir, file)).toMatchObject({ answer: 'alpha from word.js', served: 2, compiled: 0, rejected: 0 });
  });

  it('compiles an edited module from its source, even one of the same length', () => {
    const { dir, file } = modules();
    run(dir, file);
    writeFileSync(join(dir, 'word.js'), "'use strict';\nexports.word = () => 'omega';\n");
    expect(run(dir, file)).toMatchObject({ answer: 'omega from word.js', served: 1, compiled: 1, rejected: 0 });
    expect(run(dir, file).served).toBe(2);
  });

  it.each([
    ['not a cache at all', () => Buffer.from('garbage')],
    ['truncated', (blob: Buffer) => blob.subarray(0, Math.floor(blob.length / 2))],
    ['empty', () => Buffer.alloc(0)],
  ])('runs the modules as written when the cache file is %s, and writes a good one', (_, damage) => {
    const { dir, file } = modules();
    run(dir, file);
    writeFileSync(file, damage(readFileSync(file)));
    expect(run(dir, file)).toMatchObject({ answer: 'alpha from word.js', served: 0, compiled: 2, rejected: 0 });
    expect(run(dir, file).served).toBe(2);
  });

  it("lets V8 reject another source's bytecode stored under this source's sha256", () => {
    const { dir, file } = modules();
    run(dir, file);
    // Swap the two modules' bytecode: each entry keeps its source's sha256 but carries the other's data.
    const cache = deserialize(readFileSync(file)) as { modules: Map<string, { sha256: string; data: Uint8Array }> };
    const [main, word] = [cache.modules.get(join(dir, 'main.js'))!, cache.modules.get(join(dir, 'word.js'))!];
    cache.modules.set(join(dir, 'main.js'), { sha256: main.sha256, data: word.data });
    cache.modules.set(join(dir, 'word.js'), { sha256: word.sha256, data: main.data });
    writeFileSync(file, serialize(cache));
    expect(run(dir, file)).toMatchObject({ answer: 'alpha from word.js', served: 0, compiled: 2, rejected: 2 });
  });

  it("remembers where the command's own requires resolved, and searches again once that file is gone", () => {
    const { dir, file } = modules();
    const own = [`${dir}/`];
    // main.js requires ./word, then asks require.resolve for it: one search, then the remembered answer.
    expect(run(dir, file, own)).toMatchObject({ answer: 'alpha from word.js', resolved: 1, searched: 1 });
    expect(run(dir, file, own)).toMatchObject({ answer: 'alpha from word.js', resolved: 2, searched: 0 });
    // Requires made outside the command's own folders always search.
    expect(run(dir, file, [])).toMatchObject({ resolved: 0, searched: 0 });
    rmSync(join(dir, 'word.js'));
    mkdirSync(join(dir, 'word'));
    writeFileSync(join(dir, 'word', 'index.js'), "'use strict';\nexports.word = () => 'gamma';\n");
    expect(run(dir, file, own)).toMatchObject({ answer: 'gamma from ?', resolved: 1, searched: 1 });
  });

  it("serves a module the project's cache lacks from the build's seed, then keeps it in the project's cache", () => {
    const { dir, file } = modules();
    const seed = seedOf(dir);
    expect(run(dir, file, [], seed)).toMatchObject({ answer: 'alpha from word.js', served: 2, seeded: 2, compiled: 0 });
    // The project's cache now holds them: the seed is not needed (nor read) any more.
    rmSync(seed.file);
    expect(run(dir, file, [], seed)).toMatchObject({ served: 2, seeded: 0, compiled: 0 });
    // An edited module compiles from its source: the seed's bytecode is for the source it was built from.
    const fresh = modules();
    const seeded = seedOf(fresh.dir);
    writeFileSync(join(fresh.dir, 'word.js'), "'use strict';\nexports.word = () => 'omega';\n");
    expect(run(fresh.dir, fresh.file, [], seeded)).toMatchObject({ answer: 'omega from word.js', served: 1, seeded: 1, compiled: 1 });
  });

  it("answers a first command's requires from the seed's resolutions, only for the install the seed was recorded with", () => {
    const { dir, file } = modules();
    const own = [`${dir}/`];
    const seed = seedOf(dir, own, 'install-1');
    // A fresh project (no cache of its own), the same install: no search, and the answers kept for the next command.
    expect(run(dir, file, own, seed, 'install-1')).toMatchObject({ answer: 'alpha from word.js', searched: 0, resolved: 2, seededResolutions: 1 });
    expect(run(dir, file, own, seed, 'install-1')).toMatchObject({ searched: 0, resolved: 2, seededResolutions: 0 });
    // Packages installed again since the build: the seed's bytecode still serves, its resolutions do not.
    const other = modules();
    const again = seedOf(other.dir, [`${other.dir}/`], 'install-1');
    expect(run(other.dir, other.file, [`${other.dir}/`], again, 'install-2')).toMatchObject({ answer: 'alpha from word.js', seeded: 2, searched: 1, seededResolutions: 0 });
  });

  it('never reads a seed whose bytes differ from the digest the build stamp sealed', () => {
    const { dir, file } = modules();
    const seed = seedOf(dir);
    // Bytecode planted in place of the build's seed, even a valid cache (here: another build of the same modules).
    const other = modules();
    writeFileSync(seed.file, readFileSync(seedOf(other.dir).file));
    expect(run(dir, file, [], seed)).toMatchObject({ answer: 'alpha from word.js', served: 0, seeded: 0, compiled: 2 });
    // The same bytes under their own digest are read (so the refusal above is the digest's doing).
    const own = seedOf(dir);
    expect(run(dir, undefined, [], own)).toMatchObject({ seeded: 2, compiled: 0 });
  });

  /**
   * Runs `dir`'s main.js on the helper thread of a fresh process whose bin/ndc.js named `helperCache` (the
   * helper's seed, and where its requires may be answered from), and returns its answer and the helper's
   * code cache counters.
   */
  function onHelper(dir: string, helperCache: object): { answer: string; stats: { seeded: number; compiled: number; searched: number; seededResolutions: number; file?: string } } {
    const script = [
      `globalThis[Symbol.for('ndc.helperCodeCache')] = ${JSON.stringify({ module: join(REPO, 'bin', 'code-cache.js'), ...helperCache })};`,
      `const { onHelperThread } = require(${JSON.stringify(join(REPO, 'core', 'helper-thread.ts'))});`,
      `const answer = onHelperThread(${JSON.stringify(join(dir, 'main'))}, 'answer', []).wait();`,
      `const stats = onHelperThread(${JSON.stringify(join(REPO, 'bin', 'code-cache'))}, 'installedStats', []).wait();`,
      'process.stdout.write(JSON.stringify({ answer, stats }));',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    return JSON.parse(child.stdout) as ReturnType<typeof onHelper>;
  }

  it("compiles the helper thread's modules through the helper's seed when bin/ndc.js names one, and never writes it", () => {
    const { dir } = modules();
    const seed = seedOf(dir);
    const before = readFileSync(seed.file);
    const { answer, stats } = onHelper(dir, { seed });
    expect(answer).toBe('alpha from word.js');
    // Both of the fixture's modules came from the seed (tsx, which runs this test from the sources, compiles its own lexer there).
    expect(stats.seeded).toBe(2);
    expect(stats.file).toBeUndefined();
    expect(readFileSync(seed.file).equals(before)).toBe(true);
  });

  it("answers the helper thread's requires from the seed's resolutions too, only for the install the seed was recorded with", () => {
    const { dir } = modules();
    const within = [`${dir}/`];
    const seed = seedOf(dir, within, 'install-1');
    // main.js's require of ./word and its require.resolve: both answered from the seed, no search.
    expect(onHelper(dir, { seed, within, packages: 'install-1' })).toMatchObject({ answer: 'alpha from word.js', stats: { searched: 0, seededResolutions: 1 } });
    // Another install: the seed's resolutions are not used, the require searches.
    expect(onHelper(dir, { seed, within, packages: 'install-2' })).toMatchObject({ answer: 'alpha from word.js', stats: { searched: 1, seededResolutions: 0 } });
  });

  it('is named by the build and the installed packages, so another build or install never reads it', () => {
    const { dir } = modules();
    mkdirSync(join(dir, 'node_modules'));
    writeFileSync(join(dir, 'node_modules', '.package-lock.json'), '{}');
    const before = codeCacheFile(dir, 'build-a', dir);
    writeFileSync(join(dir, 'node_modules', '.package-lock.json'), '{"packages":{}}');
    expect(codeCacheFile(dir, 'build-a', dir)).not.toBe(before);
    expect(codeCacheFile(dir, 'build-a')).not.toBe(codeCacheFile(dir, 'build-b'));
    expect(codeCacheFile(dir, 'build-a')).toMatch(/\.ndc\/cache\/code\/[0-9a-f]{64}\.bin$/);
  });

  it('serves only the commands that read and report, never deploy, approve or --no-cache', () => {
    for (const argv of [[], ['start'], ['synth', '--env', 'prod'], ['check', '--env', 'dev'], ['--help'], ['reach', '--env', 'prod']]) expect(servesCommand(argv)).toBe(true);
    for (const argv of [['deploy', '--env', 'prod'], ['destroy'], ['plan'], ['approve'], ['ledger', 'verify'], ['keys', 'generate'], ['reviewers', 'sign'], ['evidence'], ['unlock'], ['start', '--no-cache'], ['synth', '--env', 'prod', '--no-cache']]) {
      expect(servesCommand(argv)).toBe(false);
    }
  });
});
