/**
 * The compiled command's V8 code cache (bin/code-cache.js): a second process is served the bytecode the
 * first compiled, and anything wrong with the cache (damaged, truncated, another file, an edited module)
 * makes the modules compile from their sources and run as they are written. Each case is its own node
 * process, as the command is.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { REPO } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { codeCacheFile, servesCommand } = require('../bin/code-cache') as { codeCacheFile(project: string, build: string): string; servesCommand(argv: string[]): boolean };

interface Run {
  readonly answer: string;
  readonly served: number;
  readonly compiled: number;
  readonly rejected: number;
}

/** Requires `main.js` of `dir` through the code cache in `file`; what it answers and the cache's counters. */
function run(dir: string, file: string): Run {
  const script = [
    `const stats = require(${JSON.stringify(join(REPO, 'bin', 'code-cache.js'))}).install(${JSON.stringify(file)});`,
    `const answer = require(${JSON.stringify(join(dir, 'main.js'))}).answer();`,
    'process.stdout.write(JSON.stringify({ answer, served: stats.served, compiled: stats.compiled, rejected: stats.rejected }));',
  ].join('\n');
  const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return JSON.parse(child.stdout) as Run;
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
    expect(run(dir, file)).toEqual({ answer: 'alpha from word.js', served: 0, compiled: 2, rejected: 0 });
    expect(readFileSync(file).length).toBeGreaterThan(0);
    expect(run(dir, file)).toEqual({ answer: 'alpha from word.js', served: 2, compiled: 0, rejected: 0 });
  });

  it('compiles an edited module from its source, even one of the same length', () => {
    const { dir, file } = modules();
    run(dir, file);
    writeFileSync(join(dir, 'word.js'), "'use strict';\nexports.word = () => 'omega';\n");
    expect(run(dir, file)).toEqual({ answer: 'omega from word.js', served: 1, compiled: 1, rejected: 0 });
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
    expect(run(dir, file)).toEqual({ answer: 'alpha from word.js', served: 0, compiled: 2, rejected: 0 });
    expect(run(dir, file).served).toBe(2);
  });

  it("lets V8 reject another source's bytecode stored under this source's sha256", () => {
    const { dir, file } = modules();
    run(dir, file);
    // Swap the two modules' bytecode: each entry keeps its source's sha256 but carries the other's data.
    const entries = deserialize(readFileSync(file)) as Map<string, { sha256: string; data: Uint8Array }>;
    const [main, word] = [entries.get(join(dir, 'main.js'))!, entries.get(join(dir, 'word.js'))!];
    entries.set(join(dir, 'main.js'), { sha256: main.sha256, data: word.data });
    entries.set(join(dir, 'word.js'), { sha256: word.sha256, data: main.data });
    writeFileSync(file, serialize(entries));
    expect(run(dir, file)).toEqual({ answer: 'alpha from word.js', served: 0, compiled: 2, rejected: 2 });
  });

  it('is named by the build, so another build never reads it', () => {
    const { dir } = modules();
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
