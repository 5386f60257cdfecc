import Module from 'node:module';

/**
 * cdktf's index loads `archiver` (and its zip and tar streams) at start-up, for one function that zips a
 * TerraformAsset directory. ndc's stacks have no assets, and loading archiver was the largest single
 * module load of a cold synthesis (about 0.2 s of 0.4 s for cdktf). Imported before cdktf (./app.ts), this
 * puts in the module cache, under archiver's own resolved path, a function that loads the real archiver
 * the first time it is called and forwards to it: cdktf's `archiver("zip", ...)` works unchanged, and only
 * a synthesis that zips an asset pays for it.
 */
export const ARCHIVER_PATH = Module.createRequire(require.resolve('cdktf')).resolve('archiver');

if (require.cache[ARCHIVER_PATH] === undefined) {
  const deferred = new Module(ARCHIVER_PATH, module);
  deferred.filename = ARCHIVER_PATH;
  deferred.loaded = true;
  deferred.exports = function archiver(this: unknown, ...args: unknown[]): unknown {
    // Drop this stand-in and load the real module in its place (from now on cdktf's binding is still this
    // function, which keeps forwarding; every other require gets the real module).
    if (require.cache[ARCHIVER_PATH] === deferred) delete require.cache[ARCHIVER_PATH];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const real = require(ARCHIVER_PATH) as (...a: unknown[]) => unknown;
    return real.apply(this, args);
  };
  require.cache[ARCHIVER_PATH] = deferred;
}
