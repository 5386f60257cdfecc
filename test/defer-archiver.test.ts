import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');

/** Runs `script` in a fresh node (jest's module registry is not Node's require.cache) from the sources. */
function inFreshNode(script: string): unknown {
  return JSON.parse(execFileSync(process.execPath, ['--require', require.resolve('tsx/cjs'), '-e', script], { cwd: ROOT, encoding: 'utf8' }));
}

describe('cdktf without archiver at start-up (stacks/terraform/defer-archiver.ts)', () => {
  test('loading the Terraform app loads cdktf but not archiver; cdktf\'s archiver("zip") then loads and returns the real one', () => {
    const result = inFreshNode(`
      const archiverFiles = () => Object.keys(require.cache).filter((f) => f.includes('/node_modules/archiver/lib/'));
      require('./stacks/terraform/app');
      const cdktfLoaded = Object.keys(require.cache).some((f) => f.endsWith('/node_modules/cdktf/lib/private/fs.js'));
      const before = archiverFiles().length;
      // The binding cdktf holds (lib/private/fs.js requires it once, at its own load).
      const { ARCHIVER_PATH } = require('./stacks/terraform/defer-archiver');
      const fromCdktf = require.cache[ARCHIVER_PATH].exports;
      const zip = fromCdktf('zip', { zlib: { level: 9 } });
      const real = require(ARCHIVER_PATH);
      console.log(JSON.stringify({ cdktfLoaded, before, after: archiverFiles().length, zip: typeof zip.pipe === 'function' && typeof zip.directory === 'function', realIsDifferent: real !== fromCdktf, realZips: typeof real('zip').finalize === 'function' }));
    `);
    expect(result).toEqual({ cdktfLoaded: true, before: 0, after: expect.any(Number), zip: true, realIsDifferent: true, realZips: true });
    expect((result as { after: number }).after).toBeGreaterThan(0);
  });
});
