/**
 * The commit the HTML report names (cli/commands/report-inputs.ts): one `git status` answers with the
 * HEAD commit and whether the sources differ from it, whether asked at once or beside other work.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitOf, commitOfLater } from '../cli/commands/report-inputs';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=ndc test', '-c', 'user.email=test@ndc.invalid', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();

async function both(root: string): Promise<string | undefined> {
  const later = (await commitOfLater(root)).value;
  expect(later).toBe(commitOf(root));
  return later;
}

describe('the commit a report names', () => {
  it('is HEAD, marked when the sources have uncommitted changes (not for untracked or other files)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ndc-commit-'));
    git(root, 'init', '-q');
    expect(await both(root)).toBeUndefined();
    mkdirSync(join(root, 'stacks'));
    writeFileSync(join(root, 'stacks', 'a.ts'), 'export const a = 1;\n');
    writeFileSync(join(root, 'README.md'), 'x\n');
    git(root, 'add', '.');
    git(root, 'commit', '-q', '-m', 'first');
    const head = git(root, 'rev-parse', 'HEAD');
    expect(await both(root)).toBe(head);
    writeFileSync(join(root, 'README.md'), 'y\n');
    writeFileSync(join(root, 'stacks', 'untracked.ts'), 'export const b = 2;\n');
    expect(await both(root)).toBe(head);
    writeFileSync(join(root, 'stacks', 'a.ts'), 'export const a = 2;\n');
    expect(await both(root)).toBe(`${head} (with uncommitted changes to the sources)`);
    git(root, 'add', 'stacks/a.ts');
    expect(await both(root)).toBe(`${head} (with uncommitted changes to the sources)`);
  });

  it('is undefined outside a git repository', async () => {
    expect(await both(mkdtempSync(join(tmpdir(), 'ndc-commit-none-')))).toBeUndefined();
  });
});
