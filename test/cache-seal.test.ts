/**
 * Seals of what ndc keeps under .ndc/cache/ (bin/cache-seal.js): an HMAC under a key outside the project,
 * made on first use, so entries written into a project without that key (a force-committed .ndc/, a
 * planted file) are never used. Each case that needs its own key runs in a node process of its own.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diagramCache } from '../cli/commands/report-inputs';
import { cacheSeal } from '../core/cache-seal';
import { REPO } from './helpers';

const SEAL = join(REPO, 'bin', 'cache-seal.js');

/** Runs `body` (with `s` the seal module) in a fresh process whose key file is `keyFile`, and returns what it printed. */
function withKey(keyFile: string, body: string): unknown {
  const script = `const s = require(${JSON.stringify(SEAL)}); process.stdout.write(JSON.stringify(${body}));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, NDC_CACHE_KEY_FILE: keyFile }, encoding: 'utf8' })) as unknown;
}

describe('cache seals', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ndc-seal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a key readable by its owner only on first use, and seals the same way with it afterwards', () => {
    const key = join(dir, 'home', '.ndc', 'cache.key');
    const first = withKey(key, "s.sealText('synth:dev/x', 'content')") as string;
    expect(readFileSync(key, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(withKey(key, "s.sealText('synth:dev/x', 'content')")).toBe(first);
    expect(withKey(key, `s.openSealed('synth:dev/x', ${JSON.stringify(first)})`)).toBe('content');
    // Another store or key, other content, another machine's key: not this entry.
    expect(withKey(key, `s.openSealed('synth:dev/y', ${JSON.stringify(first)}) ?? null`)).toBeNull();
    expect(withKey(key, `s.openSealed('synth:dev/x', ${JSON.stringify(first.replace('content', 'c0ntent'))}) ?? null`)).toBeNull();
    expect(withKey(join(dir, 'other.key'), `s.openSealed('synth:dev/x', ${JSON.stringify(first)}) ?? null`)).toBeNull();
  });

  it('caches nothing when no key can be had (a damaged key file is never replaced silently)', () => {
    const damaged = join(dir, 'damaged.key');
    writeFileSync(damaged, 'not a key\n');
    expect(withKey(damaged, "[s.canSeal(), s.sealText('p', 'x') ?? null, s.openSealed('p', '0'.repeat(64) + '\\nx') ?? null]")).toEqual([false, null, null]);
    expect(readFileSync(damaged, 'utf8')).toBe('not a key\n');
  });

  it('lays a diagram out again when its kept SVG was not sealed on this machine', () => {
    const root = mkdtempSync(join(dir, 'project-'));
    const store = diagramCache(root);
    store.set('diagram-a', '<svg>laid out here</svg>');
    expect(store.get('diagram-a')).toBe('<svg>laid out here</svg>');
    const [file] = readdirSync(join(root, '.ndc', 'cache', 'diagrams'));
    writeFileSync(join(root, '.ndc', 'cache', 'diagrams', file), '<svg>planted</svg>');
    expect(store.get('diagram-a')).toBeUndefined();
    // Moved to another diagram's name: sealed for another diagram, so not served either.
    store.set('diagram-b', '<svg>b</svg>');
    const files = readdirSync(join(root, '.ndc', 'cache', 'diagrams'));
    const b = files.find((f) => f !== file)!;
    writeFileSync(join(root, '.ndc', 'cache', 'diagrams', file), readFileSync(join(root, '.ndc', 'cache', 'diagrams', b)));
    expect(store.get('diagram-a')).toBeUndefined();
    expect(cacheSeal.canSeal()).toBe(true);
  });
});
