#!/usr/bin/env node
'use strict';
// `node bin/run-ts.js FILE.ts ARGS...`: runs a TypeScript script of the project (benchmarks, tools).
const path = require('node:path');
require('tsx/cjs');
const file = process.argv[2];
if (!file) {
  console.error('usage: run-ts.js FILE.ts [ARGS...]');
  process.exit(2);
}
process.argv.splice(1, 1);
require(path.resolve(file));
