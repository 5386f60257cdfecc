#!/usr/bin/env node
'use strict';
// `npm run build` (also run by `npm ci` through `prepare`): compiles the command to dist/ with tsc and
// stamps it with the digest of the sources it was compiled from (bin/build-stamp.js).
const { lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } = require('node:fs');
const { join, relative, resolve } = require('node:path');
const { STAMP, sealStamp, sourcesDigest } = require('../bin/build-stamp');

const root = resolve(__dirname, '..');
linkCommand();
let ts;
try {
  ts = require('typescript');
} catch {
  // An install without dev dependencies: bin/ndc.js runs the sources through tsx instead.
  console.error('ndc build: typescript is not installed; skipping dist/ (bin/ndc.js will run the sources through tsx)');
  process.exit(0);
}
const configFile = join(root, 'tsconfig.build.json');
const config = ts.getParsedCommandLineOfConfigFile(configFile, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => fail([d]) });
rmSync(join(root, 'dist'), { recursive: true, force: true });
const program = ts.createProgram({ rootNames: config.fileNames, options: { ...config.options, listEmittedFiles: true } });
const emitted = program.emit();
const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
if (diagnostics.length > 0 || emitted.emitSkipped) fail(diagnostics);
// Every project source the compiled program holds, plus the compiler settings that shaped the output.
const sources = program
  .getSourceFiles()
  .map((f) => relative(root, f.fileName).split('\\').join('/'))
  .filter((f) => !f.startsWith('..') && !f.includes('node_modules/') && !f.endsWith('.d.ts'));
sources.push('tsconfig.json', 'tsconfig.build.json');
mkdirSync(join(root, 'dist'), { recursive: true });
const outputs = (emitted.emittedFiles ?? []).map((f) => relative(root, f).split('\\').join('/')).sort();
const built = { digest: sourcesDigest(root, sources), sources: [...sources].sort(), outputsDigest: sourcesDigest(root, outputs), outputs };
const stamp = sealStamp(built);
writeFileSync(join(root, 'dist', STAMP), `${JSON.stringify(stamp, null, 2)}\n`);
if (stamp.seal === undefined) console.error(`ndc build: no key to seal dist/ with (${require('../bin/cache-seal').keyFile()} cannot be made or read); bin/ndc.js will run the sources through tsx`);
console.error(`ndc build: compiled ${sources.length - 2} sources to dist/`);
if (stamp.seal !== undefined && process.env.NDC_BUILD_SEED !== '0') seedCodeCache();

/**
 * The code cache's seed (bin/code-cache.js): runs `ndc start --env prod` once, compiled, on a scratch
 * project holding this repository's environments and evidence, recording the bytecode of every module
 * each thread compiled into dist/code-cache/, and stamps the files' sha256 into the sealed stamp. The first
 * command in a fresh clone then deserializes instead of compiling. Without an example production
 * environment, or when that run fails, dist/ has no seed and modules compile as before.
 */
function seedCodeCache() {
  const { spawnSync } = require('node:child_process');
  const { createHash } = require('node:crypto');
  const { copyFileSync, existsSync, mkdtempSync, readFileSync } = require('node:fs');
  const { tmpdir } = require('node:os');
  if (!existsSync(join(root, 'environments', 'prod.ts'))) return;
  let scratch;
  try {
    scratch = mkdtempSync(join(tmpdir(), 'ndc-build-seed-'));
    for (const folder of ['environments', 'evidence']) if (existsSync(join(root, folder))) symlinkSync(join(root, folder), join(scratch, folder), 'dir');
    const record = join(scratch, 'record');
    mkdirSync(record);
    // The user's NDC_ settings (a trust root, an author, a ledger URL) have no part in it; the key file
    // does: the command checks the stamp sealed with it.
    const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('NDC_') || name === 'NDC_CACHE_KEY_FILE'));
    const run = spawnSync(process.execPath, [join(root, 'bin', 'ndc.js'), 'start', '--env', 'prod'], {
      cwd: scratch,
      encoding: 'utf8',
      env: { ...env, NDC_ROOT: scratch, NDC_CODE_CACHE_RECORD: record, NDC_REQUIRE_BUILD: '1' },
      timeout: 120_000,
    });
    const threads = ['main', 'helper'].filter((thread) => existsSync(join(record, `${thread}.bin`)));
    // 1: a mandatory finding, which still ran every module the seed is for.
    if ((run.status !== 0 && run.status !== 1) || !threads.includes('main')) {
      console.error(`ndc build: no code cache seed (ndc start --env prod: ${run.error?.message ?? `exit ${run.status}`}: ${(run.stderr || '').trim().split('\n').pop()})`);
      return;
    }
    mkdirSync(join(root, 'dist', 'code-cache'), { recursive: true });
    const seeds = {};
    for (const thread of threads) {
      const file = `dist/code-cache/${thread}.bin`;
      // Copied, not renamed: the temporary folder may be on another file system than the project.
      copyFileSync(join(record, `${thread}.bin`), join(root, file));
      seeds[thread] = { file, sha256: createHash('sha256').update(readFileSync(join(root, file))).digest('hex') };
    }
    writeFileSync(join(root, 'dist', STAMP), `${JSON.stringify(sealStamp({ ...built, seeds }), null, 2)}\n`);
    console.error(`ndc build: seeded the code cache (${threads.join(', ')} thread)`);
  } catch (error) {
    // No writable temporary folder, a full disk: dist/ stays as built, without a seed.
    console.error(`ndc build: no code cache seed (${error.code ?? error.message})`);
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * node_modules/.bin/ndc -> bin/ndc.js, so `npx ndc` runs the local command directly. (A `bin` entry in
 * package.json would make npx install the project into its own cache first, seconds on every call.)
 * A node_modules shared with another checkout (a symlink) is left alone.
 */
function linkCommand() {
  const modules = join(root, 'node_modules');
  const link = join(modules, '.bin', 'ndc');
  const target = join('..', '..', 'bin', 'ndc.js');
  try {
    if (lstatSync(modules).isSymbolicLink()) return;
    const existing = lstatSync(link, { throwIfNoEntry: false });
    if (existing && (!existing.isSymbolicLink() || readlinkSync(link) === target)) return;
    if (existing) rmSync(link);
    mkdirSync(join(modules, '.bin'), { recursive: true });
    symlinkSync(target, link);
  } catch (error) {
    console.error(`ndc build: could not link node_modules/.bin/ndc (${error.code ?? error.message}); run node bin/ndc.js instead of npx ndc`);
  }
}

function fail(list) {
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
  console.error(ts.formatDiagnostics(list, host));
  process.exit(1);
}
