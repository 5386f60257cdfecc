#!/usr/bin/env node
'use strict';
// Runs the TypeScript sources directly (tsx) so a fresh clone needs no build step.
require('tsx/cjs');
process.env.NDC_CLI_ENTRY = '1';
require('../cli/main.ts');
