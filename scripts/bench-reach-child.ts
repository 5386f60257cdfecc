/**
 * One measurement of `npm run bench` for reachability, in its own process: synthesizes the environment
 * under <root>, then times what `ndc reach` does on what was written: read and parse the artifacts, build
 * the network model and the one-hop reachability, the attack paths, and the six NDC-NET rules. Prints one JSON line.
 */
import { join } from 'node:path';
import { evaluate } from '../policies/engine';
import { attackPaths, networkReachability } from '../policies/network';
import { loadNetworkArtifacts } from '../policies/network/artifacts';
import { rulesOf } from '../policies/registry';
import { scopeReachLines } from '../policies/network/scope-reach';
import { installScopeReachability } from '../stacks/reach';
import { synthEnvironment } from '../stacks/synth';

// Synthesis as the command line composes it (cli/composition.ts): scope digests cover reachability.
installScopeReachability(scopeReachLines);

const [root, env] = process.argv.slice(2);
// Only what ndc reach has after synthesis is kept: the rendered artifacts' text is dropped before timing.
const synth = (({ env: environment, source, cloud, manifest }) => ({ env: environment, source, cloud, manifest }))(synthEnvironment(root, env));
let start = performance.now();
const artifacts = loadNetworkArtifacts(join(root, 'out', env), synth.manifest, `out/${env}`);
const loadMs = performance.now() - start;
start = performance.now();
const reach = networkReachability({ artifacts, manifest: synth.manifest, governmentNetwork: synth.cloud.govNetwork.text });
const modelMs = performance.now() - start;
start = performance.now();
const paths = attackPaths(reach);
const pathsMs = performance.now() - start;
start = performance.now();
const report = evaluate({ env: synth.env, source: synth.source, cloud: synth.cloud, manifest: synth.manifest, artifacts, evidence: [], asOf: new Date('2026-11-27T00:00:00Z'), rules: rulesOf(['network']) });
const rulesMs = performance.now() - start;
process.stdout.write(
  `${JSON.stringify({
    systems: synth.cloud.systems.length,
    endpoints: reach.model.endpoints.length,
    hops: reach.hops.length,
    paths: paths.filter((p) => p.hops !== undefined).length,
    mandatoryFailures: report.mandatoryFailures,
    loadMs,
    modelMs,
    pathsMs,
    rulesMs,
    peakMiB: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
