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
  /** Of readBackMs: reading out/<env>/, checking each file's sha256 against the manifest and parsing it. */
  readParseMs: number;
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
    `${(f.readParseMs / 1000).toFixed(2)} s`.padStart(9),
    `${f.peakMiB.toFixed(0)} MiB`.padStart(9),
  ].join(' ');
}

/** The check's share of synthesis that #19 sets as the target at 1,000 systems per region, in percent. */
const SHARE_TARGET = 35;

/** The verdict on the share target for each path, at the largest size measured (the target is set at 1,000 per region). */
function verdicts(size: number, f: Figures): string[] {
  const at = size === 1000 ? 'at 1,000 systems per region' : `at ${size} systems per region (the target is set at 1,000; run NDC_BENCH_SIZES=1000 to judge it)`;
  const line = (path: string, ms: number) => {
    const share = (100 * ms) / f.synthMs;
    return `${path} ${at}: ${(ms / 1000).toFixed(2)} s against ${(f.synthMs / 1000).toFixed(2)} s of synthesis = ${share.toFixed(0)} % (target < ${SHARE_TARGET} %): ${share < SHARE_TARGET ? 'met' : 'missed'}`;
  };
  return [line('check in-process after synth (cold)', f.coldMs), line('check reading out/E back', f.readBackMs)];
}

export async function bench(): Promise<void> {
  const sizes = (process.env.NDC_BENCH_SIZES ?? '10,100,1000').split(',').map(Number);
  console.log('Policy checks right after synthesis (artifacts held in memory, sha256 checked, parsed, every pack in force), one process per row;');
  console.log('"cold" includes loading the rule modules, "warm" is a second run; "+synth" is cold check / synth;');
  console.log('"read back" is the check another process makes: out/E read from disk, every file\'s sha256 checked against the manifest, parsed, then every pack');
  console.log('evaluated on fresh objects (nothing cached from the in-memory run); "+synth" again its share, "rd+parse" the part of it spent reading, verifying and parsing.');
  console.log(`${'case'.padEnd(24)} ${'systems'.padStart(7)} ${'resources'.padStart(9)} ${'findings'.padStart(8)} ${'mandatory'.padStart(9)} ${'synth'.padStart(9)} ${'check'.padStart(9)} ${'warm'.padStart(9)} ${'per res.'.padStart(10)} ${'+synth'.padStart(7)} ${'read back'.padStart(9)} ${'+synth'.padStart(7)} ${'rd+parse'.padStart(9)} ${'peak'.padStart(9)}`);
  const prodRoot = project('prod');
  try {
    console.log(row('prod', measure(prodRoot, 'prod')));
  } finally {
    rmSync(prodRoot, { recursive: true, force: true });
  }
  let largest: { size: number; figures: Figures } | undefined;
  for (const size of sizes) {
    const root = project('generated', generateEnvironment(size));
    try {
      const figures = measure(root, 'generated');
      console.log(row(`generated ${size}/region`, figures));
      if (!largest || size > largest.size) largest = { size, figures };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }
  console.log('Targets: the check adds < 1 s to synth on prod; "per res." roughly constant as size grows (linear);');
  console.log(`at 1,000 systems per region the check costs < ${SHARE_TARGET} % of synthesis, in-process right after synth and read back alike.`);
  if (largest) for (const line of verdicts(largest.size, largest.figures)) console.log(line);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(__filename)) {
  bench().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
