#!/usr/bin/env node
'use strict';
// `node bin/run-ts.js FILE.ts ARGS...`: runs a TypeScript script of the project (benchmarks, tools).
const path = require('node:path');
require('tsx/cjs');
// tsx turns on source-mapped stack traces, which makes every stack capture costly: cdktf captures one
// per token (about a sixth of synthesis time on large clouds). NDC_DEBUG=1 keeps them for debugging.
if (!process.env.NDC_DEBUG) process.setSourceMapsEnabled(false);
const file = process.argv[2];
if (!file) {
  console.error('usage: run-ts.js FILE.ts [ARGS...]');
  process.exit(2);
}
process.argv.splice(1, 1);
require(path.resolve(file));
