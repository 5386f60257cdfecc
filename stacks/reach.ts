import { sha256 } from '../core/canonical-json';
import type { Artifact, ManifestBody } from './manifest';

/**
 * Reachability in scope digests. A scope's approvals must go void when a change elsewhere changes who can
 * reach it (a platform firewall rule opening a database to the internet), so each scope digest covers the
 * lines of its reachability. They are computed from the artifacts by the network model, which belongs to
 * the policies layer (policies/network/scope-reach.ts); a layer only imports from the layers above it, so
 * the composition roots (the command line, the tests' setup, the benchmarks) install it here, and rendering
 * refuses to build a manifest before they have.
 */

export interface ReachInput {
  readonly artifacts: readonly Pick<Artifact, 'path' | 'engine' | 'stack' | 'content'>[];
  /** The government network's CIDR (the environment's interconnect.govNetworkCidr). */
  readonly governmentNetwork: string;
  /** Every scope of the manifest (the systems and the platform). */
  readonly systems: ManifestBody['systems'];
}

/** Per scope id: its reachability lines, sorted. */
export type ScopeReachability = (input: ReachInput) => ReadonlyMap<string, readonly string[]>;

let installed: ScopeReachability | undefined;

/** Installs how reachability is computed (policies/network/scope-reach.ts scopeReachLines). */
export function installScopeReachability(compute: ScopeReachability): void {
  installed = compute;
}

/** The installed computation; a render without one would give digests blind to reachability, so it is an error. */
export function scopeReachability(): ScopeReachability {
  if (!installed) throw new Error('internal: no scope reachability installed (call installScopeReachability from the composition root before rendering)');
  return installed;
}

/** The digest of one scope's reachability lines, as its scope digest covers it. */
export function reachDigest(lines: readonly string[]): string {
  return sha256(`ndc-reach-v1\n${lines.join('\n')}`);
}
