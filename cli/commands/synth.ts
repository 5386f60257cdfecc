import { relative } from 'node:path';
import { ZONES } from '../../environments/schema';
import type { SynthResult } from '../../stacks/synth';
import { synthEnvironment } from '../../stacks/synth';
import type { CommandIO } from '../io';
import { printJson } from './common';

export interface SynthOptions {
  readonly env: string;
}

/** `ndc synth --env E`: writes out/E/ and prints what was synthesized. */
export async function synthCommand(opts: SynthOptions, io: CommandIO): Promise<number> {
  const result = synthEnvironment(io.root, opts.env);
  if (io.json) printJson(io, 'synth', synthSummary(result, io.root));
  else for (const line of describeSynth(result, io.root)) io.out(line);
  return 0;
}

export function synthSummary(result: SynthResult, root: string) {
  const { manifest, cloud } = result;
  return {
    env: manifest.env,
    stage: manifest.stage,
    profile: manifest.profile,
    digest: manifest.digest,
    outDir: relative(root, result.outDir) || '.',
    clusters: cloud.clusters.map((c) => ({ id: c.id, name: c.displayName, zones: zonesOf(result, c.id).length })),
    systems: manifest.systems,
    scopes: manifest.scopes,
    artifacts: result.artifacts.map((a) => ({ path: a.path, engine: a.engine, stack: a.stack, resources: a.resources })),
  };
}

function zonesOf(result: SynthResult, clusterId: string): string[] {
  const cluster = result.cloud.cluster(clusterId);
  const shared = cluster.zones.map(String);
  const dedicated = result.cloud.systems
    .flatMap((s) => s.placements)
    .filter((p) => p.cluster === cluster && p.ownsSegments)
    .flatMap((p) => p.segments.map((seg) => `${seg.zone} (${p.system.id})`));
  return [...shared, ...dedicated];
}

/** The human summary: clusters, zones per cluster, systems by level, resources per stack, digest. */
export function describeSynth(result: SynthResult, root: string): string[] {
  const { manifest, cloud, artifacts } = result;
  const lines: string[] = [];
  lines.push(`Synthesized ${manifest.env} (${manifest.stage}, regulation profile ${manifest.profile}) from ${result.source}`);
  lines.push('');
  lines.push(`Regional clusters (${cloud.clusters.length}):`);
  const width = Math.max(...cloud.clusters.map((c) => c.id.length));
  for (const cluster of cloud.clusters) {
    const dedicated = zonesOf(result, cluster.id).length - cluster.zones.length;
    lines.push(
      `  ${cluster.id.padEnd(width)}  ${cluster.displayName} - ${cluster.site}; ${cluster.availabilityZones.length} availability zones; PUE ${cluster.green.pue.toFixed(2)} (target ${cluster.green.pueTarget.toFixed(2)}), ${cluster.green.energySource}`,
    );
    const shared = ZONES.filter((z) => cluster.hasSegment(z));
    lines.push(`  ${' '.repeat(width)}  zones: ${shared.length} shared (${shared.join(', ')})${dedicated ? ` + ${dedicated} dedicated to level 4-5 systems` : ''}`);
  }
  lines.push('');
  lines.push(`Information systems by security level (${manifest.systems.length}):`);
  for (const level of [5, 4, 3, 2, 1]) {
    const systems = manifest.systems.filter((s) => s.level === level);
    if (systems.length === 0) continue;
    lines.push(`  level ${level}: ${systems.map((s) => `${s.id} (${s.regions.join(' -> ')})`).join(', ')}`);
  }
  lines.push('');
  lines.push('Resources per stack:');
  // Supporting files (cdk-nag reports, asset manifests, the cloud assembly) declare no resources.
  const stacks = artifacts.filter((a) => a.resources > 0);
  const supporting = artifacts.length - stacks.length;
  const stackWidth = Math.max(...stacks.map((a) => a.stack.length));
  for (const artifact of stacks) {
    lines.push(`  ${artifact.engine.padEnd(14)} ${artifact.stack.padEnd(stackWidth)}  ${String(artifact.resources).padStart(5)} resources  ${artifact.path}`);
  }
  const total = artifacts.reduce((n, a) => n + a.resources, 0);
  lines.push(`  ${'total'.padEnd(14)} ${''.padEnd(stackWidth)}  ${String(total).padStart(5)} resources${supporting ? ` (+ ${supporting} supporting files: cdk-nag reports, asset manifests, cloud assembly, Pulumi project and stack settings)` : ''}`);
  lines.push('');
  lines.push(`Scopes (approvals bind to these digests, over each scope's resources and reachability; ${manifest.resources.entries} entries in ${manifest.resources.path}):`);
  const scopeWidth = Math.max(...manifest.scopes.map((x) => x.id.length));
  const described = manifest.scopes.map((scope) => {
    const settings = scope.settings > 0 ? ` + ${scope.settings} engine settings` : '';
    return `${String(scope.resources).padStart(5)} resources${settings}, ${result.reach.get(scope.id)?.length ?? 0} reachability lines`;
  });
  const describedWidth = Math.max(...described.map((d) => d.length));
  manifest.scopes.forEach((scope, i) => lines.push(`  ${scope.id.padEnd(scopeWidth)}  level ${scope.level}  ${described[i].padEnd(describedWidth)}  ${scope.digest}`));
  lines.push('');
  lines.push(`Digest: ${manifest.digest}`);
  lines.push(`Wrote ${relative(root, result.outDir)}/ (${artifacts.length} artifacts, ${manifest.resources.path} and manifest.json)`);
  return lines;
}
