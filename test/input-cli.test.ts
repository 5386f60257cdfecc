/**
 * Bad input through the real `ndc` executable (issue #12): what only the process shows (syntax errors
 * from the TypeScript transform, errors after loading, a reader closing the pipe) is one line and exit 2
 * (or a quiet exit 0 for the pipe), never a stack trace.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, tempProject } from './helpers';

function ndc(root: string, args: string[]) {
  const run = spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), ...args], { cwd: root, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, lines: run.stderr.split('\n').filter((l) => l !== '') };
}

/** dev.ts under another name, with `edit` applied to its source text. */
function devVariant(root: string, name: string, edit: (source: string) => string): void {
  const dev = readFileSync(join(root, 'environments', 'dev.ts'), 'utf8').replace("name: 'dev',", `name: '${name}',`);
  writeFileSync(join(root, 'environments', `${name}.ts`), edit(dev));
}

const NO_TRACE = /internal error|^\s+at |\n\s+at /m;

let root: string;
beforeAll(() => {
  root = tempProject('ndc-input-cli-');
});

describe('environment files that fail in the TypeScript transform or after loading', () => {
  it('a syntax error names file, line, column and the reason in one line', () => {
    devVariant(root, 'syntax', (s) => s.replace("stage: 'development',", "stage: 'development' description"));
    const run = ndc(root, ['synth', '--env', 'syntax']);
    expect(run.status).toBe(2);
    // The line of dev.ts that was broken, wherever it stands in the file today.
    const line = readFileSync(join(REPO, 'environments', 'dev.ts'), 'utf8').split('\n').findIndex((l) => l.includes("stage: 'development',")) + 1;
    expect(run.lines).toEqual([`ndc synth: environments/syntax.ts:${line}:23: syntax error: Expected "}" but found "description"`]);
    expect(existsSync(join(root, 'out', 'syntax'))).toBe(false);
  });

  it('a late throw from a timer is one line naming the file, before anything is written', () => {
    devVariant(root, 'late', (s) => `${s}\nsetTimeout(() => {\n  throw new Error('late failure');\n}, 0);\n`);
    const run = ndc(root, ['synth', '--env', 'late']);
    expect([run.status, run.lines]).toEqual([2, ['ndc synth: environments/late.ts: failed after loading: late failure']]);
    expect(existsSync(join(root, 'out', 'late'))).toBe(false);
  });

  it('an unawaited rejection is one line naming the file, before anything is written', () => {
    devVariant(root, 'unawaited', (s) => `${s}\nvoid Promise.reject(new Error('nobody awaits me'));\n`);
    const run = ndc(root, ['check', '--env', 'unawaited']);
    expect([run.status, run.lines]).toEqual([2, ['ndc check: environments/unawaited.ts: failed after loading: nobody awaits me']]);
    expect(run.stdout).toBe('');
    expect(existsSync(join(root, 'out', 'unawaited'))).toBe(false);
  });
});

describe('output', () => {
  it('a reader that closes the pipe early ends ndc quietly with exit 0', () => {
    // A JSON report of prod is far larger than a pipe buffer, so ndc is still writing when head exits.
    const run = spawnSync('bash', ['-c', `"${process.execPath}" "${join(REPO, 'bin/ndc.js')}" check --env prod --as-of 2026-11-27 --format json 2>stderr.txt | head -c 1 >/dev/null; echo "\${PIPESTATUS[0]}"`], { cwd: root, encoding: 'utf8' });
    expect(run.stdout.trim()).toBe('0');
    expect(readFileSync(join(root, 'stderr.txt'), 'utf8')).not.toMatch(/EPIPE|Error/);
  });

  it('--output over an input file is refused with exit 2 and the file is untouched', () => {
    const before = readFileSync(join(root, 'environments', 'dev.ts'), 'utf8');
    const run = ndc(root, ['check', '--env', 'dev', '--output', 'reports/../environments/dev.ts']);
    expect(run.status).toBe(2);
    expect(run.lines).toEqual([expect.stringMatching(/^ndc check: --output: "reports\/\.\.\/environments\/dev\.ts" is inside environments\//)]);
    expect(readFileSync(join(root, 'environments', 'dev.ts'), 'utf8')).toBe(before);
  });

  it('a non-JSON trust store is one line naming file, line and column', () => {
    mkdirSync(join(root, 'approvals', 'dev'), { recursive: true });
    writeFileSync(join(root, 'approvals', 'dev', 'trust-store.json'), '{\n  "versions": [,]\n}\n');
    const run = ndc(root, ['reviewers', 'list', '--env', 'dev']);
    expect([run.status, run.lines]).toEqual([2, ['ndc reviewers list: approvals/dev/trust-store.json:2:16: is not valid JSON: unexpected "," (expected a value)']]);
  });

  it('none of the refusals above printed a stack trace', () => {
    const runs = [ndc(root, ['synth', '--env', 'syntax']), ndc(root, ['synth', '--env', 'late'])];
    for (const run of runs) expect(run.stderr).not.toMatch(NO_TRACE);
  });
});
