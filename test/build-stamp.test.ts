/**
 * The compiled command runs only when it was compiled from exactly the sources present: a stale dist/
 * would run old gate code, so bin/ndc.js must see it as stale (and fall back to the sources, or refuse).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deserialize } from 'node:v8';
import { REPO } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { STAMP, sealStamp, sourcesDigest, staleReason } = require('../bin/build-stamp') as {
  STAMP: string;
  sealStamp(stamp: object): object;
  sourcesDigest(root: string, files: string[]): string | undefined;
  staleReason(root: string): string | undefined;
};

function builtProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'ndc-stamp-'));
  mkdirSync(join(root, 'policies'), { recursive: true });
  mkdirSync(join(root, 'dist'), { recursive: true });
  writeFileSync(join(root, 'policies', 'gate.ts'), 'export const open = false;\n');
  writeFileSync(join(root, 'tsconfig.json'), '{}\n');
  mkdirSync(join(root, 'dist', 'policies'), { recursive: true });
  writeFileSync(join(root, 'dist', 'policies', 'gate.js'), 'exports.open = false;\n');
  const sources = ['policies/gate.ts', 'tsconfig.json'];
  const outputs = ['dist/policies/gate.js'];
  writeFileSync(join(root, 'dist', STAMP), JSON.stringify(sealStamp({ digest: sourcesDigest(root, sources), sources, outputsDigest: sourcesDigest(root, outputs), outputs })));
  return root;
}

describe('the build stamp of dist/', () => {
  it('accepts a build compiled from the sources present', () => {
    expect(staleReason(builtProject())).toBeUndefined();
  });

  it('rejects a build once any compiled source changes or disappears, a compiled file is edited, or the stamp is missing', () => {
    const edited = builtProject();
    writeFileSync(join(edited, 'policies', 'gate.ts'), 'export const open = true;\n');
    expect(staleReason(edited)).toMatch(/other sources/);
    const removed = builtProject();
    rmSync(join(removed, 'policies', 'gate.ts'));
    expect(staleReason(removed)).toMatch(/other sources/);
    const tampered = builtProject();
    writeFileSync(join(tampered, 'dist', 'policies', 'gate.js'), 'exports.open = true;\n');
    expect(staleReason(tampered)).toMatch(/changed after it was built/);
    const unstamped = builtProject();
    rmSync(join(unstamped, 'dist', STAMP));
    expect(staleReason(unstamped)).toMatch(/not built/);
  });

  it('rejects a dist/ not built on this machine: altered outputs under a stamp recomputed to match the reviewed sources', () => {
    // A change author force-commits dist/ with altered gate code and a stamp whose digests all match.
    const forged = builtProject();
    writeFileSync(join(forged, 'dist', 'policies', 'gate.js'), 'exports.open = true;\n');
    const sources = ['policies/gate.ts', 'tsconfig.json'];
    const outputs = ['dist/policies/gate.js'];
    const consistent = { digest: sourcesDigest(forged, sources), sources, outputsDigest: sourcesDigest(forged, outputs), outputs };
    for (const stamp of [consistent, { ...consistent, seal: '0'.repeat(64) }]) {
      writeFileSync(join(forged, 'dist', STAMP), JSON.stringify(stamp));
      expect(staleReason(forged)).toMatch(/^dist\/ was not built on this machine/);
    }
    // Sealed here (what npm run build does), the same files run.
    writeFileSync(join(forged, 'dist', STAMP), JSON.stringify(sealStamp(consistent)));
    expect(staleReason(forged)).toBeUndefined();
  });

  it("seals the code cache seeds' digests: a stamp naming other seed bytes is not this machine's build", () => {
    const root = builtProject();
    const sources = ['policies/gate.ts', 'tsconfig.json'];
    const outputs = ['dist/policies/gate.js'];
    const built = { digest: sourcesDigest(root, sources), sources, outputsDigest: sourcesDigest(root, outputs), outputs };
    const seeds = { main: { file: 'dist/code-cache/main.bin', sha256: 'a'.repeat(64) } };
    const sealed = sealStamp({ ...built, seeds }) as { seal: string };
    writeFileSync(join(root, 'dist', STAMP), JSON.stringify(sealed));
    expect(staleReason(root)).toBeUndefined();
    // Planted bytecode under a digest edited to match it, the seal kept.
    writeFileSync(join(root, 'dist', STAMP), JSON.stringify({ ...sealed, seeds: { main: { ...seeds.main, sha256: 'b'.repeat(64) } } }));
    expect(staleReason(root)).toMatch(/^dist\/ was not built on this machine/);
    writeFileSync(join(root, 'dist', STAMP), JSON.stringify({ ...built, seal: sealed.seal }));
    expect(staleReason(root)).toMatch(/^dist\/ was not built on this machine/);
  });

  // npm ci builds dist/ through `prepare` and seeds it (scripts/build.js); CI runs this on that build.
  (process.env.CI ? it : it.skip)("the installed build holds each thread's seed under the digest its stamp seals", () => {
    expect(staleReason(REPO)).toBeUndefined();
    const stamp = JSON.parse(readFileSync(join(REPO, 'dist', STAMP), 'utf8')) as { seeds?: Record<string, { file: string; sha256: string }> };
    expect(Object.keys(stamp.seeds ?? {}).sort()).toEqual(['helper', 'main']);
    const held = (thread: string) => {
      const bytes = readFileSync(join(REPO, stamp.seeds![thread].file));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(stamp.seeds![thread].sha256);
      return [...(deserialize(bytes) as { modules: Map<string, unknown> }).modules.keys()];
    };
    // The main thread's: the command line and the Terraform stacks; the helper's: the public edge (aws-cdk-lib) and the diagrams.
    const main = held('main');
    expect(main).toContain(join(REPO, 'dist', 'cli', 'main.js'));
    expect(main.some((f) => f.includes('/node_modules/cdktf/'))).toBe(true);
    const helper = held('helper');
    expect(helper).toContain(join(REPO, 'dist', 'stacks', 'public-edge', 'app.js'));
    expect(helper.some((f) => f.includes('/node_modules/aws-cdk-lib/'))).toBe(true);
    expect(helper).toContain(join(REPO, 'dist', 'policies', 'reports', 'layout.js'));
  });

  it('bin/ndc.js refuses a stale or missing build under NDC_REQUIRE_BUILD=1 and otherwise runs the sources', () => {
    const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), '--help'], { encoding: 'utf8', env: { ...process.env, ...env } });
    const refused = run({ NDC_REQUIRE_BUILD: '1', NDC_FROM_SOURCES: '1' });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/refusing to run/);
    // Without NDC_REQUIRE_BUILD, whatever the calling environment sets.
    const fromSources = run({ NDC_FROM_SOURCES: '1', NDC_REQUIRE_BUILD: '' });
    expect(fromSources.status).toBe(0);
    expect(fromSources.stdout).toMatch(/^Usage: ndc /);
  });
});
