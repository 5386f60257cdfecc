import { PROFILES, VN_2016, VN_2026 } from './profiles';
import type { Rule } from './rule';

/**
 * The rule packs ndc knows, by name, with the regulation profiles that put them in force. Each is
 * required only when evaluated. Adding a pack (kubernetes, public-edge) is one line here.
 */
export interface PackEntry {
  readonly profiles: readonly string[];
  readonly load: () => readonly Rule[];
}

interface PackModule {
  readonly pack: readonly Rule[];
}

/* eslint-disable @typescript-eslint/no-require-imports */
export const PACKS: Readonly<Record<string, PackEntry>> = {
  'security-level': { profiles: [VN_2016, VN_2026], load: () => (require('./rules/security-level') as PackModule).pack },
  segmentation: { profiles: [VN_2016, VN_2026], load: () => (require('./rules/segmentation') as PackModule).pack },
  backup: { profiles: [VN_2016, VN_2026], load: () => (require('./rules/backup') as PackModule).pack },
  residency: { profiles: [VN_2016, VN_2026], load: () => (require('./rules/residency') as PackModule).pack },
  'topology-and-green': { profiles: [VN_2016, VN_2026], load: () => (require('./rules/topology-and-green') as PackModule).pack },
  secrets: { profiles: [VN_2016, VN_2026], load: () => (require('./rules/secrets') as PackModule).pack },
  kubernetes: { profiles: [VN_2016, VN_2026], load: () => (require('./rules/kubernetes') as PackModule).pack },
  'public-edge': { profiles: [VN_2016, VN_2026], load: () => (require('./rules/public-edge') as PackModule).pack },
  network: { profiles: [VN_2016, VN_2026], load: () => (require('./rules/network') as PackModule).pack },
  // Evidence of recurring assurance activities: the figures come from each profile's intervals.
  assurance: { profiles: Object.keys(PROFILES), load: () => (require('./rules/assurance') as PackModule).pack },
  // What the engines would reject is rejected under every regulation profile.
  validation: { profiles: Object.keys(PROFILES), load: () => (require('./validation/pack') as PackModule).pack },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The packs a profile puts in force, in registry order. */
export function packsOf(profile: string): string[] {
  return Object.entries(PACKS)
    .filter(([, entry]) => entry.profiles.includes(profile))
    .map(([name]) => name);
}

export interface PackedRule {
  readonly pack: string;
  readonly rule: Rule;
}

/** The rules of the named packs, in pack order; duplicate ids across packs are a programming error. */
export function rulesOf(packNames: readonly string[]): PackedRule[] {
  const out: PackedRule[] = [];
  const seen = new Map<string, string>();
  for (const pack of packNames) {
    const load = PACKS[pack]?.load;
    if (!load) throw new Error(`internal: unknown rule pack ${JSON.stringify(pack)} (known: ${Object.keys(PACKS).join(', ')})`);
    for (const rule of load()) {
      const earlier = seen.get(rule.id);
      if (earlier) throw new Error(`internal: rule id ${rule.id} is defined in packs ${earlier} and ${pack}`);
      seen.set(rule.id, pack);
      out.push({ pack, rule });
    }
  }
  return out;
}
