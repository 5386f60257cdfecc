/**
 * Bad input that used to be accepted or mishandled (issue #12): each is refused with one line naming file,
 * field and reason (or, for several problems, one line each), exit 2, and nothing written.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../cli/main';
import { parseCidr } from '../core/cidr';
import { calendarDateProblem } from '../core/dates';
import { InputError, InputProblems, inputErrorLines } from '../core/errors';
import { loadEnvironment } from '../environments/load';
import type { EnvironmentInput } from '../environments/schema';
import { readTrustStore } from '../policies/approvals/trust-store';
import { captureIO, environmentInput, tempProject, writeEnvironmentJson } from './helpers';

type Mutable = EnvironmentInput & Record<string, unknown>;

/** dev, mutated, written as environments/<name>.json; returns the lines `ndc synth` prints and its exit code. */
async function synthOf(root: string, name: string, mutate: (env: Mutable) => void) {
  const env = { ...environmentInput('dev'), name } as Mutable;
  mutate(env);
  writeEnvironmentJson(root, name, env);
  const { io, out, err } = captureIO(root);
  const code = await main(['synth', '--env', name], io);
  return { code, out, err };
}

let root: string;
beforeAll(() => {
  root = tempProject('ndc-input-');
});

describe('CIDRs are canonical IPv4', () => {
  it.each([
    ['010.010.004.000/22', 'has a leading zero (write it as 10.10.4.0/22; leading zeros are read as octal by some tools)'],
    ['10.0.0.0/08', 'has a leading zero (write it as 10.0.0.0/8; leading zeros are read as octal by some tools)'],
    ['10.0.0.1/24', 'has host bits set (the network address is 10.0.0.0/24)'],
    ['10.0.256.0/24', 'has an octet above 255'],
    ['10.0.0.0/33', 'has a prefix length above 32'],
  ])('%s: %s', (text, reason) => {
    expect(parseCidr(text)).toBe(reason);
  });

  it('accepts 0 and canonical octets', () => {
    expect(parseCidr('0.0.0.0/0')).toMatchObject({ first: 0, prefix: 0 });
    expect(parseCidr('10.0.0.0/8')).toMatchObject({ prefix: 8 });
  });

  it('refuses a leading-zero region range at load, so it never reaches an OpenStack subnet', async () => {
    const { code, err } = await synthOf(root, 'octal', (env) => {
      env.regions[0].addressPlan = { ...env.regions[0].addressPlan, cidr: '010.200.000.000/16' };
    });
    expect(code).toBe(2);
    expect(err).toEqual(['ndc synth: environments/octal.json: regions[0].addressPlan.cidr: "010.200.000.000/16": has a leading zero (write it as 10.200.0.0/16; leading zeros are read as octal by some tools)']);
    expect(existsSync(join(root, 'out', 'octal'))).toBe(false);
  });
});

describe('sizes are bounded', () => {
  it.each([
    ['cpu', 1e308, 'must be at most 512 CPUs (allowed: 0.001 to 512)'],
    ['cpu', 0.0001, 'must be at least 0.001 CPUs (allowed: 0.001 to 512)'],
    ['cpu', 0.0015, 'must be a whole number of millicores (0.001 CPU)'],
    ['memoryGb', 1e308, 'must be at most 8192 GB (allowed: 0.125 to 8192)'],
    ['volumeGb', 1e308, 'must be at most 65536 GB (allowed: 0 to 65536)'],
    ['volumeGb', 2.5, 'must be a whole number of GB'],
    ['instances', 1e9, 'must be at most 1000 instances (allowed: 1 to 1000)'],
  ])('tiers[0].%s = %s: %s', async (field, value, reason) => {
    const name = `size-${field.toLowerCase()}`;
    const { code, err } = await synthOf(root, name, (env) => {
      (env.systems![0].tiers[0] as Record<string, unknown>)[field] = value;
    });
    expect(code).toBe(2);
    expect(err).toEqual([`ndc synth: environments/${name}.json: systems[0].tiers[0].${field}: ${JSON.stringify(value)}: ${reason}`]);
  });

  it('bounds retention the same way', async () => {
    const { err } = await synthOf(root, 'retention', (env) => {
      env.systems![0].backup!.retentionDays = 1e308;
    });
    expect(err).toEqual(['ndc synth: environments/retention.json: systems[0].backup.retentionDays: 1e+308: must be at most 36500 days (allowed: 1 to 36500)']);
  });
});

describe('dates are real calendar dates', () => {
  it.each([
    ['2026-13-45', 'has month 13; months run 01-12'],
    ['2026-02-29', 'has day 29; 2026-02 has 28 days'],
    ['2026-04-00', 'has day 00; 2026-04 has 30 days'],
    ['26-01-01', 'must be a date as YYYY-MM-DD'],
  ])('%s: %s', (text, reason) => {
    expect(calendarDateProblem(text)).toBe(reason);
  });

  it('accepts leap days of leap years', () => {
    expect(calendarDateProblem('2028-02-29')).toBeUndefined();
  });

  it('ndc check refuses an impossible assessment date in an evidence record instead of dying on it', async () => {
    const env = { ...environmentInput('dev'), name: 'baddate' } as Mutable;
    writeEnvironmentJson(root, 'baddate', env);
    mkdirSync(join(root, 'evidence', 'baddate'), { recursive: true });
    const record = { kind: 'assessment', system: env.systems![0].id, performed: '2026-13-45', by: 'Platform team security unit', result: 'pass', document: { sha256: 'a'.repeat(64) }, validUntil: '2027-01-01' };
    writeFileSync(join(root, 'evidence', 'baddate', 'assessment.json'), JSON.stringify(record));
    const { io, out, err } = captureIO(root);
    expect(await main(['check', '--env', 'baddate'], io)).toBe(2);
    expect(err).toEqual(['ndc check: evidence/baddate/assessment.json: performed: has month 13; months run 01-12']);
    expect(out).toEqual([]);
  });

  it('refuses an impossible exception expiry in the policy settings', async () => {
    const env = { ...environmentInput('dev'), name: 'badexpiry' } as Mutable;
    (env.policy as { exceptions: { expires: string }[] }).exceptions[0].expires = '2027-02-30';
    writeEnvironmentJson(root, 'badexpiry', env);
    const { io, err } = captureIO(root);
    expect(await main(['check', '--env', 'badexpiry'], io)).toBe(2);
    expect(err).toEqual([expect.stringMatching(/^ndc check: environments\/badexpiry\.json: policy\.exceptions\[0\]\.expires: "2027-02-30": has day 30; 2027-02 has 28 days$/)]);
  });
});

describe('prototype keys', () => {
  it.each([
    // JSON.parse keeps "__proto__" as an own key; the schema used to drop it without a word.
    ['__proto__', (json: string) => json.replace(/^\{/, '{"__proto__":{"stage":"production"},')],
    ['systems[0].constructor', (json: string) => json.replace('"systems":[{', '"systems":[{"constructor":1,')],
    ['regions[0].prototype', (json: string) => json.replace('"regions":[{', '"regions":[{"prototype":{},')],
  ])('JSON with %s is refused naming the path', (path, splice) => {
    const json = JSON.stringify({ ...environmentInput('dev'), name: 'proto' });
    writeFileSync(join(root, 'environments', 'proto.json'), splice(json));
    expect(() => loadEnvironment(root, 'proto')).toThrow(`environments/proto.json: ${path}: a key named __proto__, constructor or prototype is not allowed`);
  });

  it('a __proto__ in a TypeScript environment (which sets the prototype) is refused too', () => {
    const project = tempProject('ndc-proto-ts-');
    const dev = readFileSync(join(project, 'environments', 'dev.ts'), 'utf8');
    writeFileSync(join(project, 'environments', 'protots.ts'), dev.replace("name: 'dev',", "name: 'protots',").replace("state: { backend: 'local' },", "state: { backend: 'local', __proto__: { schemaName: 'x' } } as never,"));
    expect(() => loadEnvironment(project, 'protots')).toThrow('environments/protots.ts: state: is not a plain object (a __proto__ key, or a class instance); write plain object literals');
  });
});

describe('every problem of an environment at once', () => {
  it('lists each problem on its own line, capped at 20 with a count of the rest', async () => {
    const { code, err } = await synthOf(root, 'many', (env) => {
      env.systems![0].tiers = Array.from({ length: 25 }, (_, i) => ({ name: `t${i}`, zone: 'dmz', instances: 1, flavor: 'c4.small', cpu: 1e308 }));
    });
    expect(code).toBe(2);
    expect(err).toHaveLength(21);
    err.slice(0, 20).forEach((line, i) => expect(line).toBe(`ndc synth: environments/many.json: systems[0].tiers[${i}].cpu: 1e+308: must be at most 512 CPUs (allowed: 0.001 to 512)`));
    expect(err[20]).toBe('ndc synth: ... and 5 more problems in environments/many.json');
  });

  it('reports semantic problems of different sections together', async () => {
    const { code, err } = await synthOf(root, 'several', (env) => {
      env.regions[0].addressPlan.segments = { ...env.regions[0].addressPlan.segments, dmz: '10.99.1.0/24' };
      env.systems![0].primaryRegion = 'south';
      env.systems![1].backup!.schedule = 'every night';
      env.sharedServicesRegion = 'central';
    });
    expect(code).toBe(2);
    expect(err.map((l) => l.split(':').slice(0, 3).join(':'))).toEqual([
      'ndc synth: environments/several.json: regions[0].addressPlan.segments.dmz',
      'ndc synth: environments/several.json: systems[0].primaryRegion',
      'ndc synth: environments/several.json: systems[1].backup.schedule',
      'ndc synth: environments/several.json: sharedServicesRegion',
    ]);
  });

  it('keeps a one-line message for callers that show a single reason', () => {
    const problems = new InputProblems([new InputError('f: a', 'x'), new InputError('f: b', 'y'), new InputError('f: c', 'z')]);
    expect(problems.message).toBe('f: a: x (and 2 more problems)');
    expect(inputErrorLines(problems)).toEqual(['f: a: x', 'f: b: y', 'f: c: z']);
  });
});

describe('--output never overwrites the project', () => {
  let project: string;
  beforeAll(async () => {
    project = tempProject('ndc-output-');
    mkdirSync(join(project, 'approvals', 'dev'), { recursive: true });
    writeFileSync(join(project, 'approvals', 'dev', 'trust-store.json'), '{"versions": []}\n');
    writeFileSync(join(project, 'package.json'), '{"name": "the-project"}\n');
    symlinkSync(join(project, 'environments'), join(project, 'reports-link'));
    const { io } = captureIO(project);
    expect(await main(['synth', '--env', 'dev'], io)).toBe(0);
  });

  it.each([
    ['environments/dev.ts', 'is inside environments/'],
    ['out/dev/manifest.json', 'is inside out/'],
    ['approvals/dev/trust-store.json', 'is inside approvals/'],
    ['reports/../environments/dev.ts', 'is inside environments/'],
    ['reports-link/dev.ts', 'is inside environments/'],
    ['package.json', "would overwrite the project's package.json"],
  ])('refuses %s', async (output, reason) => {
    const file = join(project, output);
    const before = existsSync(file) ? readFileSync(file) : undefined;
    const { io, out, err } = captureIO(project);
    expect(await main(['check', '--env', 'dev', '--output', output], io)).toBe(2);
    expect(err).toEqual([expect.stringContaining(`ndc check: --output: ${JSON.stringify(output)} ${reason}`)]);
    expect(out).toEqual([]);
    expect(existsSync(file) ? readFileSync(file) : undefined).toEqual(before);
  });

  it('refuses the absolute path of an input file too', async () => {
    const { io, err } = captureIO(project);
    const absolute = join(project, 'environments', 'dev.ts');
    expect(await main(['check', '--env', 'dev', '--output', absolute], io)).toBe(2);
    expect(err[0]).toContain('is inside environments/');
  });

  it('writes a report anywhere else', async () => {
    const { io } = captureIO(project);
    expect(await main(['check', '--env', 'dev', '--as-of', '2026-11-27', '--output', 'reports/dev.json', '--format', 'json'], io)).toBe(0);
    expect(JSON.parse(readFileSync(join(project, 'reports', 'dev.json'), 'utf8'))).toMatchObject({ env: 'dev' });
  });
});

describe('the trust store', () => {
  it('a non-JSON trust store is one line naming the file, line and column', () => {
    const project = tempProject('ndc-trust-');
    mkdirSync(join(project, 'approvals', 'dev'), { recursive: true });
    writeFileSync(join(project, 'approvals', 'dev', 'trust-store.json'), '{\n  "versions": [\n    {"body": 1,}\n  ]\n}\n');
    let error: unknown;
    try {
      readTrustStore(project, 'dev');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toBe('approvals/dev/trust-store.json:3:16: is not valid JSON: unexpected "}" (expected a double-quoted key; no comma before })');
  });
});
