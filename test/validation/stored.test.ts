/**
 * Validations kept between commands (policies/validation/stored.ts, installed by ndc start): the same
 * artifacts and systems are served from the store; a changed artifact sha256, a changed system, or no
 * store at all validate afresh; ndc start keeps them under .ndc/cache/validation and --no-cache ignores them.
 */
import { cacheSeal } from '../../core/cache-seal';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../cli/main';
import { artifactSetOf } from '../../policies/artifacts';
import { useValidationStore, validateArtifacts, type ValidationFinding } from '../../policies/validation';
import { validationKey, type ValidationStore } from '../../policies/validation/stored';
import { renderEnvironment } from '../../stacks/synth';
import { captureIO, REPO, tempProject } from '../helpers';

const rendered = renderEnvironment(REPO, 'dev');
const input = () => ({ artifacts: artifactSetOf(rendered.artifacts), manifest: rendered.manifest, systems: rendered.cloud.systems });
const planted: ValidationFinding = { check: 'NDC-VAL-001', artifact: 'terraform/x/cdk.tf.json', address: 'planted.finding', path: '', reason: 'planted in the store' };

function memoryStore(): ValidationStore & { entries: Map<string, ValidationFinding[]> } {
  const entries = new Map<string, ValidationFinding[]>();
  return { entries, read: (key) => entries.get(key), write: (key, findings) => void entries.set(key, [...findings]) };
}

describe('validations kept in a store', () => {
  afterEach(() => useValidationStore(undefined));

  it('stores a validation and serves the same inputs from it', () => {
    const store = memoryStore();
    useValidationStore(store);
    expect(validateArtifacts(input())).toEqual([]);
    expect([...store.entries.values()]).toEqual([[]]);
    const [key] = store.entries.keys();
    store.entries.set(key, [planted]);
    // A new artifact set of the same bytes: served from the store (what a later command does).
    expect(validateArtifacts(input())).toEqual([planted]);
  });

  it('keys on every artifact sha256 and on the systems, so a change is validated afresh', () => {
    const base = validationKey(input());
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    const [first, ...rest] = rendered.manifest.artifacts;
    expect(validationKey({ ...input(), manifest: { artifacts: [{ ...first, sha256: '0'.repeat(64) }, ...rest] } })).not.toBe(base);
    expect(validationKey({ ...input(), manifest: { artifacts: rest } })).not.toBe(base);
    const [system, ...others] = rendered.cloud.systems;
    expect(validationKey({ ...input(), systems: [{ id: system.id, tiers: [...system.tiers, { name: 'extra' }] }, ...others] })).not.toBe(base);
    expect(validationKey(input())).toBe(base);
  });

  it('validates afresh without a store', () => {
    const store = memoryStore();
    useValidationStore(store);
    validateArtifacts(input());
    store.entries.set([...store.entries.keys()][0], [planted]);
    useValidationStore(undefined);
    expect(validateArtifacts(input())).toEqual([]);
  });
});

describe('ndc start and the validation store', () => {
  const root = tempProject();
  const entries = () => readdirSync(join(root, '.ndc', 'cache', 'validation')).filter((f) => f.endsWith('.json'));
  const mandatoryLine = async (...args: string[]) => {
    const { io, out } = captureIO(root);
    await main(['start', '--env', 'dev', ...args], io);
    return out.find((l) => l.startsWith('Mandatory failures:'));
  };

  it('keeps the validation under .ndc/cache/validation, reads it back, and ignores it with --no-cache', async () => {
    expect(await mandatoryLine()).toBe('Mandatory failures: 0');
    expect(entries()).toHaveLength(1);
    const file = join(root, '.ndc', 'cache', 'validation', entries()[0]);
    const purpose = `validation:${entries()[0].replace(/\.json$/, '')}`;
    expect(JSON.parse(cacheSeal.openSealed(purpose, readFileSync(file, 'utf8'))!)).toEqual([]);
    // An entry planted without this machine's cache key (a force-committed .ndc/) is never believed.
    writeFileSync(file, JSON.stringify([planted]));
    expect(await mandatoryLine()).toBe('Mandatory failures: 0');
    // One sealed here for these very artifacts is believed by start (as a synthesis cache entry is), never by --no-cache.
    writeFileSync(file, cacheSeal.sealText(purpose, JSON.stringify([planted]))!);
    expect(await mandatoryLine()).toBe('Mandatory failures: 1');
    expect(await mandatoryLine('--no-cache')).toBe('Mandatory failures: 0');
    writeFileSync(file, cacheSeal.sealText(purpose, '{"not": "a list"}')!);
    expect(await mandatoryLine()).toBe('Mandatory failures: 0');
  });
});
