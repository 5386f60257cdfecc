import type { Rule } from './rule';

/**
 * The rule packs ndc knows, by name. Each is required only when a profile puts it in force. Adding a pack
 * (kubernetes, public-edge) is one line here plus its name in the profile's `packs`.
 */
interface PackModule {
  readonly pack: readonly Rule[];
}

/* eslint-disable @typescript-eslint/no-require-imports */
export const PACKS: Readonly<Record<string, () => readonly Rule[]>> = {
  'security-level': () => (require('./rules/security-level') as PackModule).pack,
  segmentation: () => (require('./rules/segmentation') as PackModule).pack,
  backup: () => (require('./rules/backup') as PackModule).pack,
  residency: () => (require('./rules/residency') as PackModule).pack,
  'topology-and-green': () => (require('./rules/topology-and-green') as PackModule).pack,
  secrets: () => (require('./rules/secrets') as PackModule).pack,
};
/* eslint-enable @typescript-eslint/no-require-imports */

export interface PackedRule {
  readonly pack: string;
  readonly rule: Rule;
}

/** The rules of the named packs, in pack order; duplicate ids across packs are a programming error. */
export function rulesOf(packNames: readonly string[]): PackedRule[] {
  const out: PackedRule[] = [];
  const seen = new Map<string, string>();
  for (const pack of packNames) {
    const load = PACKS[pack];
    if (!load) throw new Error(`internal: regulation profile names unknown rule pack ${JSON.stringify(pack)} (known: ${Object.keys(PACKS).join(', ')})`);
    for (const rule of load()) {
      const earlier = seen.get(rule.id);
      if (earlier) throw new Error(`internal: rule id ${rule.id} is defined in packs ${earlier} and ${pack}`);
      seen.set(rule.id, pack);
      out.push({ pack, rule });
    }
  }
  return out;
}
