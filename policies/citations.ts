import { NDC_POLICY, type CitationEntry, type Provenance, type RegulationProfile } from './profiles';
import type { Rule } from './rule';

/**
 * The requirement each rule enforces. A profile maps requirements to what it cites (profiles.ts
 * `citations`), so one rule serves every profile and its citation changes with the profile's data.
 * A trailing `*` matches an id prefix (the generated validation and cdk-nag rules).
 */
export const RULE_REQUIREMENTS: Readonly<Record<string, string>> = {
  'NDC-LVL-001': 'zoning',
  'NDC-LVL-002': 'shared-cloud-isolation',
  'NDC-LVL-003': 'shared-cloud-isolation',
  'NDC-LVL-004': 'internet-facing',
  'NDC-LVL-005': 'logging',
  'NDC-LVL-006': 'level-controls',
  'NDC-LVL-007': 'recovery-site',
  'NDC-LVL-008': 'assessment',
  'NDC-LVL-009': 'level-controls',
  'NDC-LVL-010': 'assessor',
  'NDC-LVL-011': 'level-criteria',
  'NDC-SEG-*': 'zoning',
  'NDC-SEG-006': 'gov-network',
  'NDC-BAK-*': 'backup',
  'NDC-BAK-005': 'restore-test',
  'NDC-RES-*': 'residency',
  'NDC-RES-003': 'public-edge',
  'NDC-TOP-001': 'clusters',
  'NDC-TOP-002': 'cluster-distance',
  'NDC-TOP-003': 'recovery-site',
  'NDC-GRN-*': 'green',
  'NDC-SEC-*': 'authentication',
  'NDC-K8S-*': 'zoning',
  'NDC-K8S-002': 'shared-cloud-isolation',
  'NDC-K8S-003': 'level-controls',
  'NDC-K8S-004': 'backup',
  'NDC-EDGE-*': 'internet-facing',
  'NDC-EDGE-001': 'public-edge',
  'NDC-EDGE-010': 'cdk-nag',
  'NDC-EDGE-011': 'cdk-nag',
  'NDC-NET-*': 'zoning',
  'NDC-NET-003': 'shared-cloud-isolation',
  'NDC-NET-004': 'gov-network',
  'NDC-ASR-001': 'penetration-test',
  'NDC-ASR-002': 'vulnerability-scan',
  'NDC-ASR-003': 'incident-drill',
  'NDC-ASR-004': 'risk-assessment',
  'NDC-VAL-*': 'engine-validity',
  'AwsSolutions-*': 'cdk-nag',
};

/** The requirement a rule enforces: its exact id, else the longest matching prefix; undefined when unmapped. */
export function requirementOf(ruleId: string): string | undefined {
  if (Object.hasOwn(RULE_REQUIREMENTS, ruleId)) return RULE_REQUIREMENTS[ruleId];
  let best: string | undefined;
  for (const key of Object.keys(RULE_REQUIREMENTS)) {
    if (key.endsWith('*') && ruleId.startsWith(key.slice(0, -1)) && (best === undefined || key.length > best.length)) best = key;
  }
  return best === undefined ? undefined : RULE_REQUIREMENTS[best];
}

/** What a rule cites under a profile: the entries, or undefined when the rule or its requirement is unmapped. */
export function citationsOf(profile: RegulationProfile, ruleId: string): readonly CitationEntry[] | undefined {
  const requirement = requirementOf(ruleId);
  if (requirement === undefined || !Object.hasOwn(profile.citations, requirement)) return undefined;
  return profile.citations[requirement];
}

/** A rule's regulation as the report shows it: profile, citation text and whether any of it is reported. */
export function regulationOf(profile: RegulationProfile, rule: Pick<Rule, 'id' | 'regulation'>): { profile: string; reference: string; status: Provenance; requirement?: string } {
  const entries = citationsOf(profile, rule.id);
  // A rule another branch adds before its citation is mapped keeps its own text; the citation test names it.
  if (!entries || entries.length === 0) return { profile: profile.name, reference: rule.regulation.reference, status: 'confirmed' };
  const status: Provenance = entries.some((e) => e !== NDC_POLICY && e.status === 'reported') ? 'reported' : 'confirmed';
  const reference = entries.map((e) => (e === NDC_POLICY ? NDC_POLICY : `${e.instrument} ${e.article}${e.status === 'reported' ? ' (reported)' : ''}`)).join('; ');
  return { profile: profile.name, reference, status, requirement: requirementOf(rule.id) };
}
