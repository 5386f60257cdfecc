/** One benchmark measurement (run by scripts/bench.ts in its own process): synth ROOT ENV, print JSON figures. */
import { scopeReachLines } from '../policies/network/scope-reach';
import { installScopeReachability } from '../stacks/reach';
import { synthEnvironment } from '../stacks/synth';

// Synthesis as the command line composes it (cli/composition.ts): scope digests cover reachability.
installScopeReachability(scopeReachLines);

const [root, env, label] = process.argv.slice(2);
const start = performance.now();
const result = synthEnvironment(root, env);
const wallMs = performance.now() - start;
// maxRSS is in KiB: the process's peak resident memory, module loading included.
const peakMiB = process.resourceUsage().maxRSS / 1024;
const resources = result.artifacts.reduce((n, a) => n + a.resources, 0);
console.log(JSON.stringify({ label, wallMs, peakMiB, resources, systems: result.manifest.systems.length }));
