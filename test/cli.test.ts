import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, ENVIRONMENT_VARIABLES, main } from '../cli/main';
import { installProgress, progressStep } from '../core/progress-line';
import { captureIO, REPO, tempProject } from './helpers';

/** The environment the in-process runs see: no ledger URL, no change author, no CI. */
const ENVIRONMENT: NodeJS.ProcessEnv = { PATH: process.env.PATH };

async function run(root: string, argv: string[], terminal?: { write(text: string): unknown }) {
  const { io, out, err } = captureIO(root);
  const code = await main(argv, io, ENVIRONMENT, terminal);
  return { code, out, err };
}

describe('ndc --help and ndc <command> --help', () => {
  it.each(Object.keys(COMMANDS))('%s: its options with descriptions, exit codes, environment variables and an example', async (name) => {
    const spec = COMMANDS[name];
    const { code, out, err } = await run(REPO, [...name.split(' '), '--help']);
    expect([code, err]).toEqual([0, []]);
    const text = out.join('\n');
    expect(text).toContain(`Usage: ndc ${name} [options]`);
    // Help wraps long lines to the terminal's width.
    expect(text.replace(/\s+/g, ' ')).toContain(spec.summary);
    for (const option of [...spec.options.map((o) => o.flags), '--json', '--no-cache']) {
      const line = out.find((l) => l.trimStart().startsWith(option));
      expect([option, line?.slice(option.length + 2).trim()]).toEqual([option, expect.stringMatching(/\w/)]);
    }
    expect(text).toMatch(/\nExit codes:\n/);
    for (const exitCode of Object.keys(spec.exitCodes)) expect(out).toContainEqual(expect.stringMatching(new RegExp(`^  ${exitCode}  \\w`)));
    expect(text).toContain('\nEnvironment variables:\n');
    for (const variable of spec.environment) expect(out).toContainEqual(expect.stringMatching(new RegExp(`^  ${variable} +${ENVIRONMENT_VARIABLES[variable].slice(0, 20).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`)));
    expect(text).toContain(`Example:\n  $ ${spec.example}`);
    expect(text).toContain(`{"schema": "ndc/${name.replace(' ', '-')}/v1", ...}`);
  });

  it('reviewers add documents --name', async () => {
    const { out } = await run(REPO, ['reviewers', 'add', '--help']);
    expect(out).toContainEqual(expect.stringMatching(/^ {2}--name <NAME> +the reviewer's name/));
  });

  it('ndc --help lists every command and group with what it does', async () => {
    const { code, out } = await run(REPO, ['--help']);
    expect(code).toBe(0);
    const groups = new Set(Object.keys(COMMANDS).map((n) => n.split(' ')[0]));
    for (const group of groups) expect(out).toContainEqual(expect.stringMatching(new RegExp(`^  ${group}( \\[options\\])? +\\S`)));
  });
});

describe('typos', () => {
  it('suggests the command, subcommand or option meant, in one line with the command prefix, exit 2', async () => {
    expect(await run(REPO, ['synht', '--env', 'dev'])).toEqual({ code: 2, out: [], err: ["ndc: unknown command 'synht' (Did you mean synth?) (see ndc --help)"] });
    expect(await run(REPO, ['synth', '--evn', 'dev'])).toEqual({ code: 2, out: [], err: ["ndc synth: unknown option '--evn' (Did you mean --env?) (see ndc synth --help)"] });
    expect((await run(REPO, ['reviewers', 'lst', '--env', 'dev'])).err).toEqual(["ndc reviewers: unknown command 'lst' (Did you mean list?) (see ndc reviewers --help)"]);
    expect((await run(REPO, ['approve', '--env', 'dev', '--ass', 'x'])).err).toEqual(["ndc approve: unknown option '--ass' (Did you mean --as?) (see ndc approve --help)"]);
  });
});

describe('required options', () => {
  it('names every missing one at once, before doing anything', async () => {
    const approve = await run(REPO, ['approve', '--env', 'dev']);
    expect(approve.code).toBe(2);
    expect(approve.err).toEqual(['ndc approve: --key, --as: are required (--key: your private key file from ndc keys generate; --as: your reviewer id in the trust store)']);
    expect((await run(REPO, ['keys', 'generate'])).err).toEqual(['ndc keys generate: --id, --out: are required (--id: the reviewer id; --out: the directory for the key files)']);
    expect((await run(REPO, ['reviewers', 'add'])).err[0]).toMatch(/^ndc reviewers add: --env, --id, --public-key, --roles: are required \(/);
  });

  it('takes --env from NDC_ENV', async () => {
    const { io, err } = captureIO(REPO);
    expect(await main(['approve', '--key', 'k'], io, { ...ENVIRONMENT, NDC_ENV: 'dev' })).toBe(2);
    expect(err).toEqual(['ndc approve: --as: is required (your reviewer id in the trust store)']);
  });
});

describe('--json', () => {
  const root = tempProject();
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** Runs a command with --json: stdout must be exactly one JSON document. */
  async function json(argv: string[]) {
    const { code, out } = await run(root, [...argv, '--json']);
    return { code, doc: JSON.parse(out.join('\n')) as { schema: string; [key: string]: unknown } };
  }

  it('every command prints {"schema": "ndc/<command>/v1", ...}, schema first, pretty-printed', async () => {
    const runs: [string, string[]][] = [
      ['synth', ['synth', '--env', 'dev']],
      ['check', ['check', '--env', 'dev']],
      ['validate', ['validate', '--env', 'dev']],
      ['reach', ['reach', '--env', 'dev']],
      ['approvals', ['approvals', '--env', 'dev']],
      ['keys-generate', ['keys', 'generate', '--id', 'alice', '--out', 'keys']],
      ['reviewers-add', ['reviewers', 'add', '--env', 'dev', '--id', 'alice', '--public-key', 'keys/alice.pub', '--roles', 'security-unit', '--agencies', '*']],
      ['reviewers-list', ['reviewers', 'list', '--env', 'dev']],
      ['ledger-verify', ['ledger', 'verify']],
      ['ledger-init', ['ledger', 'init']],
      ['unlock', ['unlock', '--env', 'dev', '--reason', 'test']],
      ['deploy', ['deploy', '--env', 'dev', '--dry-run']],
      ['destroy', ['destroy', '--env', 'dev', '--dry-run']],
      ['plan', ['plan', '--env', 'dev', '--no-preview']],
    ];
    for (const [schema, argv] of runs) {
      const { code, out } = await run(root, [...argv, '--json']);
      const head = `{\n  "schema": "ndc/${schema}/v1",\n`;
      expect([argv.join(' '), out.join('\n').slice(0, head.length)]).toEqual([argv.join(' '), head]);
      expect(JSON.parse(out.join('\n'))).toMatchObject({ schema: `ndc/${schema}/v1` });
      expect(code).toBeLessThan(2);
    }
  });

  it('errors are {"schema": "ndc/error/v1", command, error, exitCode} on stdout, the line on stderr', async () => {
    for (const argv of [['synth', '--env', 'nowhere'], ['approve', '--env', 'dev'], ['synth', '--evn', 'dev'], ['reviewers', 'list', '--env', 'nowhere'], ['drift', '--env', 'nowhere'], ['start', '--env', 'nowhere']]) {
      const { code, out, err } = await run(root, [...argv, '--json']);
      const command = argv[0] === 'reviewers' ? 'reviewers list' : argv[0];
      expect(code).toBe(2);
      expect(JSON.parse(out.join('\n'))).toEqual({ schema: 'ndc/error/v1', command, error: expect.any(String), exitCode: 2 });
      expect(err).toHaveLength(1);
      expect(err[0]).toBe(`ndc ${command}: ${(JSON.parse(out.join('\n')) as { error: string }).error}`);
    }
    expect((await json(['approve', '--env', 'dev', '--key', 'keys/alice.key', '--as', 'alice'])).doc.schema).toMatch(/^ndc\/(approve|error)\/v1$/);
  });
});

describe('the progress line', () => {
  /** A terminal that records what is written to it. */
  const terminal = () => {
    const writes: string[] = [];
    return { writes, write: (text: string) => writes.push(text), columns: 100 };
  };

  it('shows each long step on a terminal and clears it when done; nothing without a terminal or under --json', async () => {
    const root = tempProject();
    try {
      const tty = terminal();
      expect((await run(root, ['synth', '--env', 'dev'], tty)).code).toBe(0);
      expect(tty.writes.some((w) => w.includes('ndc: synthesizing dev: terraform stacks...'))).toBe(true);
      expect(tty.writes.at(-1)).toBe('\r\u001b[K');
      const quiet = terminal();
      expect((await run(root, ['synth', '--env', 'dev', '--json'], quiet)).code).toBe(0);
      expect(quiet.writes).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('nests: the inner step shows, then the outer again; output clears the line first', () => {
    const tty = terminal();
    const restore = installProgress(tty);
    try {
      progressStep('outer', () => progressStep('inner', () => undefined));
    } finally {
      restore();
    }
    expect(tty.writes).toEqual(['\r\u001b[Kndc: outer...', '\r\u001b[Kndc: inner...', '\r\u001b[Kndc: outer...', '\r\u001b[K']);
    const none = terminal();
    expect(progressStep('alone', () => 7)).toBe(7);
    expect(none.writes).toEqual([]);
  });
});

describe('the ndc executable', () => {
  it('--version prints package.json version; --help and a command help exit 0', () => {
    const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    const ndc = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), ...args], { encoding: 'utf8', env: { ...process.env, CI: '' } });
    expect(ndc('--version')).toMatchObject({ status: 0, stdout: `${version}\n`, stderr: '' });
    const help = ndc('approve', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('--key <KEY>');
  });
});
