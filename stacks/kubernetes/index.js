'use strict';
// The entry point Pulumi.yaml names: registers tsx so the TypeScript program runs without a build step
// or ts-node (Pulumi's own TypeScript support is turned off in Pulumi.yaml), and hands Pulumi its main.
require('tsx/cjs');
module.exports = require('./program.ts').main;
