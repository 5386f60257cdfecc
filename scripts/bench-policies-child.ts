/**
 * One measurement of `npm run bench` for the policy checks, in its own process: synthesizes the
 * environment under <root>, then times the checks on what was synthesized (the artifacts held in memory,
 * checked against the manifest's sha256, parsed, every pack evaluated; what ndc start, check, plan and
 * deploy do), cold (rule modules loading) and warm, and once more reading them back from out/<env>/
 * (what a separate process does: every file's sha256 checked against the manifest, then parsed, then every
 * pack evaluated on those objects). Prints one JSON line.
 */
import { loadArtifactSet } from '../policies/artifacts';
import { evaluate } from '../policies/engine';
import { evaluateSynthesized } from '../policies/evaluate';
import { scopeReachLines } from '../policies/network/scope-reach';
import { installScopeReachability } from '../stacks/reach';
import { synthEnvironment } from '../stacks/synth';

// Synthesis as the command line composes it (cli/composition.ts): scope digests cover reachability.
installScopeReachability(scopeReachLines);

const [root, env] = process.argv.slice(2);
const asOf = new Date('2026-11-27T00:00:00Z');
let start = performance.now();
const synth = synthEnvironment(root, env);
const synthMs = performance.now() - start;
// Each run's report is dropped before the next, so the next is not timed under the previous one's memory.
const { coldMs, findings, mandatoryFailures } = (() => {
  const begin = performance.now();
  const cold = evaluateSynthesized(root, synth, { asOf });
  return { coldMs: performance.now() - begin, findings: cold.findings.length, mandatoryFailures: cold.mandatoryFailures };
})();
start = performance.now();
const readBack = loadArtifactSet(root, synth.manifest);
const readParseMs = performance.now() - start;
evaluate({ ...synth, artifacts: readBack, asOf });
const readBackMs = performance.now() - start;
start = performance.now();
evaluateSynthesized(root, synth, { asOf });
const warmMs = performance.now() - start;
process.stdout.write(
  `${JSON.stringify({
    systems: synth.cloud.systems.length,
    resources: synth.artifacts.reduce((n, a) => n + a.resources, 0),
    findings,
    mandatoryFailures,
    synthMs,
    coldMs,
    warmMs,
    readBackMs,
    readParseMs,
    peakMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
