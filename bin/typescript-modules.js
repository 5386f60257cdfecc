'use strict';
// How the compiled command (dist/) loads TypeScript files at run time: the environment files users write.
// - A project source that dist/ holds (environments/schema.ts, which environment files import) is the
//   compiled module itself, so the model's code is loaded once and never transpiled.
// - Any other .ts file is transpiled by esbuild (what tsx uses) to CommonJS, and the JavaScript is kept
//   under <project>/.ndc/cache/modules/ by the sha256 of its source and the transform, so an unchanged
//   environment file needs no transpiler at all. The synthesis cache's setting governs it: deploy,
//   destroy and --no-cache transpile afresh (nothing planted in .ndc/ stands in for what they judge),
//   and the other commands use a kept file only when it is sealed on this machine (./cache-seal.js): a
//   planted one would stand in for the environment file in every report.
const { createHash } = require('node:crypto');
const { mkdirSync, readFileSync, renameSync, writeFileSync } = require('node:fs');
const { basename, dirname, join, relative, sep } = require('node:path');
const { STAMP } = require('./build-stamp');
const { openSealed, sealText } = require('./cache-seal');

/** Bump when the transform below changes. */
const FORMAT = 1;

/**
 * Registers the .ts loader for the compiled command installed at `root`. `cacheMode` returns the
 * synthesis cache's mode for the running command ('use', 'refresh' or 'off').
 */
function install(root, cacheMode) {
  const stamp = JSON.parse(readFileSync(join(root, 'dist', STAMP), 'utf8'));
  const compiled = new Set(stamp.sources);
  require.extensions['.ts'] = function loadTypeScript(module, filename) {
    const inProject = relative(root, filename).split(sep).join('/');
    if (compiled.has(inProject)) {
      module.exports = require(join(root, 'dist', inProject.replace(/\.ts$/, '.js')));
      return;
    }
    module._compile(javaScriptOf(filename, cacheMode()), filename);
  };
}

let esbuild;

/** Where the transpiled JavaScript of a TypeScript source is kept for the project the command runs in. */
function cachedModuleFile(source) {
  esbuild ??= { version: require('esbuild/package.json').version };
  const key = createHash('sha256').update(`${FORMAT}\u0000${esbuild.version}\u0000${process.version}\u0000${source}`).digest('hex');
  return join(process.env.NDC_ROOT || process.cwd(), '.ndc', 'cache', 'modules', `${key}.js`);
}

function javaScriptOf(filename, mode) {
  const source = readFileSync(filename, 'utf8');
  const file = cachedModuleFile(source);
  const directory = dirname(file);
  const purpose = `module:${basename(file, '.js')}`;
  if (mode === 'use') {
    try {
      const code = openSealed(purpose, readFileSync(file, 'utf8'));
      if (code !== undefined) return code;
    } catch {
      // Not cached yet: transpile below.
    }
  }
  esbuild.transformSync ??= require('esbuild').transformSync;
  // The same transform tsx applies to a CommonJS .ts file; esbuild's "Transform failed with N errors"
  // message (with file:line:column) is what environments/load.ts turns into a one-line error.
  const { code } = esbuild.transformSync(source, { loader: 'ts', format: 'cjs', platform: 'node', target: `node${process.versions.node}`, sourcefile: filename, sourcemap: 'inline' });
  const sealed = mode !== 'off' ? sealText(purpose, code) : undefined;
  if (sealed !== undefined) {
    try {
      mkdirSync(directory, { recursive: true });
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, sealed);
      renameSync(partial, file);
    } catch {
      // A read-only project or a full disk: the next command transpiles again.
    }
  }
  return code;
}

module.exports = { install, cachedModuleFile };
