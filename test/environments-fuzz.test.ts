/**
 * A few hundred malformed environment files (seeded mutations of dev as JSON environments): each either
 * loads, builds and renders, or is refused with an InputError whose lines each name the file, never a
 * bare Error, an "internal error" or a stack trace. A handful go through the real executable.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCloud } from '../constructs';
import { InputError, inputErrorLines, PROBLEM_LINES_SHOWN } from '../core/errors';
import { loadEnvironment } from '../environments/load';
import { policySettingsOf } from '../policies/settings';
import { renderClusterObjects } from '../stacks/kubernetes/render';
import { kubernetesSettings } from '../stacks/kubernetes/settings';
import { environmentInput, REPO, tempProject } from './helpers';

const MUTATIONS = 300;

/** mulberry32: a small seeded generator, so a failing mutation can be reproduced from its number. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values that broke or slipped through validation before (issue #12), and the usual wrong types. */
const NASTY: readonly unknown[] = [
  null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, 0.0001, '', ' ', 'x', '010.010.004.000/22', '10.0.0.1/24',
  '10.200.0.0/33', '256.0.0.0/8', '2026-13-45', '2026-02-30', '0 3 * * 99', 'AKIAIOSFODNN7EXAMPLE', 'a'.repeat(5000),
  [], [1, 2], {}, { nested: { deeper: true } }, 'north', 'dmz', 'production', 443, [443, 80],
];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

function pathsOf(value: Json, at: Path = []): Path[] {
  const here = [at];
  if (Array.isArray(value)) return [...here, ...value.flatMap((v, i) => pathsOf(v, [...at, i]))];
  if (value !== null && typeof value === 'object') return [...here, ...Object.entries(value).flatMap(([k, v]) => pathsOf(v, [...at, k]))];
  return here;
}

function containerOf(root: Json, path: Path): { parent: Json[] | { [key: string]: Json }; key: string | number } | undefined {
  if (path.length === 0) return undefined;
  let cursor: Json = root;
  for (const part of path.slice(0, -1)) cursor = (cursor as Record<string | number, Json>)[part];
  return { parent: cursor as Json[] | { [key: string]: Json }, key: path[path.length - 1] };
}

/** The JSON text of one mutation of dev: one to three edits, some of them on the text itself. */
function mutation(n: number): string {
  const random = generator(n + 1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const dev = { ...environmentInput('dev'), name: `fz-${n}` };
  // Spelled out so mutations reach the quantities that render into Kubernetes quotas.
  for (const system of dev.systems ?? []) for (const tier of system.tiers) Object.assign(tier, { cpu: 2, memoryGb: 4 });
  const env = JSON.parse(JSON.stringify(dev)) as Json;
  let textEdits = 0;
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const spot = containerOf(env, pick(pathsOf(env).filter((p) => p.length > 0 && p[0] !== 'name')));
    if (!spot) continue;
    const { parent, key } = spot;
    const current = (parent as Record<string | number, Json>)[key];
    switch (pick(['replace', 'replace', 'delete', 'duplicate', 'unknown-key', 'prototype-key', 'double'] as const)) {
      case 'replace':
        (parent as Record<string | number, unknown>)[key] = structuredClone(pick(NASTY));
        break;
      case 'delete':
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key as string];
        break;
      case 'duplicate':
        if (Array.isArray(parent)) parent.push(structuredClone(current));
        else (parent as Record<string, Json>)[`${String(key)}Copy`] = structuredClone(current);
        break;
      case 'unknown-key':
        if (current !== null && typeof current === 'object' && !Array.isArray(current)) current.unexpected = 1;
        break;
      case 'prototype-key':
        textEdits++;
        break;
      case 'double':
        if (typeof current === 'number') (parent as Record<string | number, Json>)[key] = current * 1e300;
        break;
    }
  }
  let text = JSON.stringify(env, null, 2);
  for (let t = 0; t < textEdits; t++) {
    const braces = [...text.matchAll(/\{/g)].map((m) => m.index!);
    const at = pick(braces);
    text = `${text.slice(0, at + 1)}"${pick(['__proto__', 'constructor', 'prototype'])}": {"stage": "production"},${text.slice(at + 1)}`;
  }
  // Now and then, a file cut short: a JSON syntax error somewhere.
  if (random() < 0.05) text = text.slice(0, Math.floor(random() * text.length));
  return text;
}

/** Loads, builds and renders like synth's model and Kubernetes stages; the InputError when refused. */
function outcomeOf(root: string, name: string): { refused: InputError } | { rendered: string } {
  try {
    const { env, source } = loadEnvironment(root, name);
    policySettingsOf(env, source);
    const cloud = buildCloud(env, source);
    const pods = kubernetesSettings(env, cloud).podNetworks;
    return { rendered: JSON.stringify(cloud.clusters.map((c) => renderClusterObjects(cloud, c, pods.get(c.id)))) };
  } catch (error) {
    if (error instanceof InputError) return { refused: error };
    throw new Error(`mutation ${name}: not an InputError: ${error instanceof Error ? error.stack : String(error)}`, { cause: error });
  }
}

describe(`${MUTATIONS} malformed environment files`, () => {
  const root = tempProject('ndc-fuzz-');
  const refused: { name: string; lines: string[] }[] = [];
  let accepted = 0;

  it('each loads and renders finite quantities, or is refused with one line per problem naming the file', () => {
    for (let n = 0; n < MUTATIONS; n++) {
      const name = `fz-${n}`;
      const text = mutation(n);
      writeFileSync(join(root, 'environments', `${name}.json`), text);
      const outcome = outcomeOf(root, name);
      if ('rendered' in outcome) {
        accepted++;
        // Nothing is dropped silently: a prototype key is refused, never ignored.
        expect(text).not.toMatch(/"(__proto__|constructor|prototype)":/);
        expect(outcome.rendered).not.toMatch(/Infinity|NaN|\d[eE][+-]?\d/);
        continue;
      }
      const lines = inputErrorLines(outcome.refused);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.length).toBeLessThanOrEqual(PROBLEM_LINES_SHOWN + 1);
      for (const line of lines) {
        expect(line).not.toContain('\n');
        expect(line).toContain(`environments/${name}.json`);
      }
      refused.push({ name, lines });
    }
    // The mix is what makes this a test of both paths.
    expect(refused.length).toBeGreaterThan(MUTATIONS / 2);
    expect(accepted).toBeGreaterThan(0);
  });

  it('the real executable prints exactly those lines, exit 2, no stack trace', () => {
    const sample = [...refused.filter((r) => r.lines.length > 1).slice(0, 2), ...refused.filter((r) => r.lines.length === 1).slice(0, 3)];
    expect(sample).toHaveLength(5);
    for (const { name, lines } of sample) {
      const run = spawnSync(process.execPath, [join(REPO, 'bin/ndc.js'), 'synth', '--env', name], { cwd: root, encoding: 'utf8' });
      expect(run.status).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trimEnd().split('\n')).toEqual(lines.map((l) => `ndc synth: ${l}`));
      expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });
});
