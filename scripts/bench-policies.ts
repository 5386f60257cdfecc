/**
 * Policy-check benchmark (`bench()` is called by scripts/bench.ts): the time every pack in force adds to
 * synthesis, on prod and on generated clouds of 10, 100 and 1,000 systems per region
 * (NDC_BENCH_SIZES overrides). Each case runs in its own process. Target: under 1 s on prod, and a
 * per-resource cost that stays flat as the cloud grows (linear growth).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generateEnvironment, writeGeneratedEvidence } from './generate-cloud';
import type { EnvironmentInput } from '../environments/schema';

const REPO = resolve(__dirname, '..');

interface Figures {
  systems: number;
  resources: number;
  findings: number;
  mandatoryFailures: number;
  synthMs: number;
  coldMs: number;
  warmMs: number;
  readBackMs: number;
  peakMiB: number;
}

function measure(root: string, env: string): Figures {
  const child = spawnSync(process.execPath, [join(REPO, 'bin/run-ts.js'), join(REPO, 'scripts/bench-policies-child.ts'), root, env], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (child.status !== 0) throw new Error(`${env}: ${child.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(child.stdout.trim().split('\n').pop()!) as Figures;
}

function project(env: string, content?: unknown): string {
  const root = mkdtempSync(join(tmpdir(), `ndc-bench-policies-${env}-`));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
  if (content === undefined) {
    symlinkSync(join(REPO, 'environments'), join(root, 'environments'), 'dir');
    symlinkSync(join(REPO, 'evidence'), join(root, 'evidence'), 'dir');
  } else {
    mkdirSync(join(root, 'environments'));
    writeFileSync(join(root, 'environments', `${env}.json`), JSON.stringify(content));
    writeGeneratedEvidence(root, content as EnvironmentInput);
  }
  return root;
}

function row(label: string, f: Figures): string {
  const perResource = (f.warmMs * 1000) / f.resources;
  return [
    label.padEnd(24),
    String(f.systems).padStart(7),
    String(f.resources).padStart(9),
    String(f.findings).padStart(8),
    String(f.mandatoryFailures).padStart(9),
    `${(f.synthMs / 1000).toFixed(2)} s`.padStart(9),
    `${(f.coldMs / 1000).toFixed(2)} s`.padStart(9),
    `${(f.warmMs / 1000).toFixed(2)} s`.padStart(9),
    `${perResource.toFixed(1)} us`.padStart(10),
    `${((100 * f.coldMs) / f.synthMs).toFixed(0)} %`.padStart(7),
    `${(f.readBackMs / 1000).toFixed(2)} s`.padStart(9),
    `${((100 * f.readBackMs) / f.synthMs).toFixed(0)} %`.padStart(7),
    `${f.peakMiB.toFixed(0)} MiB`.padStart(9),
  ].join(' ');
}

export async function bench(): Promise<void> {
  const sizes = (process.env.NDC_BENCH_SIZES ?? '10,100,1000').split(',').map(Number);
  console.log('Policy checks right after synthesis (artifacts held in memory, sha256 checked, parsed, every pack in force), one process per row;');
  console.log('"cold" includes loading the rule modules, "warm" is a second run; "+synth" is cold check / synth;');
  console.log('"read back" is a warm check reading and parsing out/E from disk instead (what another process does), "+synth" again its share.');
  console.log(`${'case'.padEnd(24)} ${'systems'.padStart(7)} ${'resources'.padStart(9)} ${'findings'.padStart(8)} ${'mandatory'.padStart(9)} ${'synth'.padStart(9)} ${'check'.padStart(9)} ${'warm'.padStart(9)} ${'per res.'.padStart(10)} ${'+synth'.padStart(7)} ${'read back'.padStart(9)} ${'+synth'.padStart(7)} ${'peak'.padStart(9)}`);
  const prodRoot = project('prod');
  try {
    console.log(row('prod', measure(prodRoot, 'prod')));
  } finally {
    rmSync(prodRoot, { recursive: true, force: true });
  }
  for (const size of sizes) {
    const root = project('generated', generateEnvironment(size));
    try {
      console.log(row(`generated ${size}/region`, measure(root, 'generated')));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  console.log('Targets: the check adds < 1 s to synth on prod; "per res." roughly constant as size grows (linear);');
  console.log('at 1,000 systems per region the check costs < 35 % of synthesis.');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(__filename)) {
  bench().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
