#!/usr/bin/env node
'use strict';
// Runs the TypeScript sources directly (tsx) so a fresh clone needs no build step.
require('tsx/cjs');
// tsx turns on source-mapped stack traces, which makes every stack capture costly: cdktf captures one
// per token (about a sixth of synthesis time on large clouds). NDC_DEBUG=1 keeps them for debugging.
if (!process.env.NDC_DEBUG) process.setSourceMapsEnabled(false);
process.env.NDC_CLI_ENTRY = '1';
require('../cli/main.ts');
