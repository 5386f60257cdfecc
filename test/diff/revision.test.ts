import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main';
import { captureIO, REPO } from '../helpers';

/** What the revision's own synth needs: the code, the environments and the build settings (no tests, docs or CI files). */
const PROJECT_FILES = ['.gitignore', 'bin', 'cli', 'constructs', 'core', 'deploy', 'environments', 'ledger', 'policies', 'stacks', 'cdktf.json', 'package.json', 'tsconfig.json'];

function git(root: string, ...args: string[]): string {
  const result = spawnSync('git', ['-C', root, '-c', 'user.name=ndc test', '-c', 'user.email=test@ndc.invalid', '-c', 'commit.gpgsign=false', ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

const FLOW_8080 = "{ from: 'dmz', to: 'internal-server', protocol: 'tcp', ports: 8080 },";

describe('ndc diff --against REF: a git revision synthesized by its own code in a temporary worktree', () => {
  let root: string;
  beforeAll(() => {
    // A git repository copy of the project: commit "good" as it is, commit "broken" with a dev.ts that cannot load.
    root = mkdtempSync(join(tmpdir(), 'ndc-diff-revision-test-'));
    for (const name of PROJECT_FILES) cpSync(join(REPO, name), join(root, name), { recursive: true, filter: (source) => !/[\\/](out|\.ndc|dist|node_modules)$/.test(source) });
    symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
    git(root, 'init', '--quiet');
    git(root, 'add', '-A');
    git(root, 'commit', '--quiet', '-m', 'good');
    git(root, 'tag', 'good');
    const dev = join(root, 'environments', 'dev.ts');
    const original = readFileSync(dev, 'utf8');
    writeFileSync(dev, original.replace('export default', 'export default ((('));
    git(root, 'commit', '--quiet', '-am', 'broken');
    git(root, 'tag', 'broken');
    git(root, 'reset', '--quiet', '--hard', 'good');
    // The change under review: a flow on port 9090 into the level-2 open-data portal's DMZ.
    expect(original).toContain(FLOW_8080);
    writeFileSync(dev, original.replace(FLOW_8080, `${FLOW_8080}\n        { from: 'internet', to: 'dmz', protocol: 'tcp', ports: 9090 },`));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  const worktrees = () => git(root, 'worktree', 'list', '--porcelain').split('\n').filter((l) => l.startsWith('worktree ')).length;

  it('shows the 9090 rule added in the level-2 system scope only, and removes the worktree (CLI)', () => {
    const child = spawnSync(process.execPath, [join(REPO, 'bin', 'ndc.js'), 'diff', '--env', 'dev', '--against', 'good', '--format', 'json'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NDC_ROOT: root, NDC_LEDGER_URL: '', CHECKPOINT_DISABLE: '1' },
    });
    expect(child.stderr).not.toContain('internal error');
    expect(child.status).toBe(0);
    const diff = JSON.parse(child.stdout) as {
      schema: string;
      against: { kind: string; digest: string };
      scopes: { id: string; level: number; mustSign: string[]; resources: { change: string; engine: string; attributes: { path: string; from?: string; to?: string }[] }[] }[];
      unchanged: string[];
    };
    expect(diff.schema).toBe('ndc/diff/v1');
    expect(diff.against.kind).toBe('revision');
    expect(diff.scopes.map((s) => s.id)).toEqual(['open-data-portal']);
    expect(diff.unchanged).toEqual(expect.arrayContaining(['e-document-exchange', 'national-cloud-platform']));
    const [portal] = diff.scopes;
    expect(portal.level).toBe(2);
    expect(portal.mustSign).toEqual(['security-unit']);
    // The flow's security-group rule carries port 9090 (rules are numbered by flow, so later ones may be renumbered too).
    const rules = portal.resources.filter((r) => r.engine === 'terraform' && r.change !== 'removed');
    expect(rules.some((r) => r.attributes.some((a) => a.path === 'port_range_min' && a.to === '9090'))).toBe(true);
    expect(portal.resources.some((r) => r.engine === 'kubernetes' && r.attributes.some((a) => a.path === 'spec.ingress[0].ports[0].port' && a.to === '9090'))).toBe(true);
    expect(worktrees()).toBe(1);
  });

  it('refuses an unknown ref in one line (exit 2)', async () => {
    const { io, out, err } = captureIO(root);
    expect(await main(['diff', '--env', 'dev', '--against', 'no-such-branch'], io)).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([expect.stringMatching(/^ndc diff: --against: "no-such-branch" is neither "approved", the digest of a stored approved state or deploy snapshot of dev, nor a git revision/)]);
  });

  it('refuses a revision that cannot synthesize in one line (exit 2), and still removes its worktree', async () => {
    const { io, err } = captureIO(root);
    expect(await main(['diff', '--env', 'dev', '--against', 'broken'], io)).toBe(2);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^ndc diff: --against broken: revision [0-9a-f]{12} cannot synthesize dev: .+/);
    expect(worktrees()).toBe(1);
    expect(existsSync(join(root, '.git', 'worktrees')) ? git(root, 'worktree', 'list') : '').not.toContain('ndc-diff-revision-');
  });
});
