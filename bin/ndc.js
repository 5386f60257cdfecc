#!/usr/bin/env node
'use strict';
// Runs the compiled command (dist/, built by `npm ci` through `prepare`, or `npm run build`) when it was
// compiled from exactly the sources present; otherwise runs the sources through tsx, so a stale build
// never runs and a fresh clone or an edited checkout still works. NDC_REQUIRE_BUILD=1 refuses instead.
// First, before any of the command's code runs: how V8 tiers it up (./v8-tuning.js).
require('./v8-tuning').tuneTierUp();
const path = require('node:path');
const { STAMP, staleReason } = require('./build-stamp');

const root = path.resolve(__dirname, '..');
const stale = process.env.NDC_FROM_SOURCES === '1' ? 'NDC_FROM_SOURCES=1' : staleReason(root);
if (stale && process.env.NDC_REQUIRE_BUILD === '1') {
  process.stderr.write(`ndc: ${stale}; refusing to run (NDC_REQUIRE_BUILD=1)\n`);
  process.exit(2);
}
if (stale) {
  require('tsx/cjs');
} else {
  const codeCache = require('./code-cache');
  // NDC_DEBUG keeps Node's own compilation, which maps stack traces back to the sources.
  if (process.env.NDC_CODE_CACHE !== '0' && !process.env.NDC_DEBUG && codeCache.servesCommand(process.argv.slice(2))) {
    // Bytecode of the modules the last such command compiled (NDC_CODE_CACHE=0 compiles them afresh).
    const { readFileSync, realpathSync } = require('node:fs');
    const { outputsDigest, seeds } = JSON.parse(readFileSync(path.join(root, 'dist', STAMP), 'utf8'));
    // Requires made by dist/ and the installed packages may skip the search (not an environment file's).
    const own = [path.join(root, 'dist') + path.sep, realpathSync(path.join(root, 'node_modules')) + path.sep];
    // The build's seed (sealed in the stamp), for what the project's cache does not hold yet; the build
    // itself records the seed (scripts/build.js, NDC_CODE_CACHE_RECORD: a folder) from no cache at all.
    const record = process.env.NDC_CODE_CACHE_RECORD;
    // NDC_CODE_CACHE_SEED=0 leaves the seed unread (the benchmark's first command without it).
    const seed = (thread) => (record || process.env.NDC_CODE_CACHE_SEED === '0' || !seeds?.[thread] ? undefined : { file: path.join(root, seeds[thread].file), sha256: seeds[thread].sha256 });
    // The seed records the installed packages, so its resolutions serve only the same install.
    const packages = codeCache.packagesRecord(root);
    codeCache.install(record ? path.join(record, 'main.bin') : codeCache.codeCacheFile(process.env.NDC_ROOT || process.cwd(), outputsDigest, root), own, { seed: seed('main'), packages });
    // What the helper thread compiles through (core/helper-thread.ts): its seed, or where to record it.
    globalThis[Symbol.for('ndc.helperCodeCache')] = { module: require.resolve('./code-cache'), seed: seed('helper'), record: record ? path.join(record, 'helper.bin') : undefined, within: own, packages };
  }
  // Environment files are TypeScript written by users, never loaded into this process: every command
  // bundles and evaluates them in a child process (environments/isolated.ts), so no .ts loader is needed.
}
// tsx turns on source-mapped stack traces, which makes every stack capture costly: cdktf captures one
// per token (about a sixth of synthesis time on large clouds). NDC_DEBUG=1 keeps them for debugging.
if (!process.env.NDC_DEBUG) process.setSourceMapsEnabled(false);
process.env.NDC_CLI_ENTRY = '1';
process.env.NDC_RUNNING = stale ? 'sources' : 'dist';
require(stale ? '../cli/main.ts' : '../dist/cli/main.js');

