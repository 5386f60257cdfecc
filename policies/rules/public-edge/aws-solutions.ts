import type { NationalCloud } from '../../../constructs';
import type { Rule, RuleResult } from '../../rule';
import catalog from '../../../stacks/public-edge/aws-solutions-catalog.json';
import { baseRuleId, findingsOf, nagReportsOf, subjectOf } from './nag-reports';
import { vn2016 } from '../support';

/**
 * cdk-nag's AwsSolutions checks as ndc rules under their own ids (`AwsSolutions-S1`). cdk-nag runs at
 * synth time as a validation plugin of the edge app; its findings are recorded in the
 * `cloudformation/<stack>.nag.json` artifacts, which these rules read. An error-level rule is
 * mandatory, a warning advisory; an acknowledged finding passes and carries its reason.
 *
 * One generated rule per catalog entry rather than one file per rule: the checks themselves live in
 * cdk-nag, and the catalog (scripts/gen-edge-nag-catalog.ts) is regenerated when it is upgraded.
 */
export type CatalogEntry = (typeof catalog.rules)[number];

export function awsSolutionsRule(entry: CatalogEntry): Rule {
  return {
    id: entry.id,
    title: entry.info,
    family: 'public-edge',
    severity: entry.level === 'error' ? 'high' : 'medium',
    enforcement: entry.level === 'error' ? 'mandatory' : 'advisory',
    regulation: vn2016(`cdk-nag ${catalog.cdkNag} AwsSolutions pack (${entry.check}); Circular 12/2022/TT-BTTTT technical controls for internet-facing systems`),
    explanation: entry.explanation,
    remediation: `Fix the resource in stacks/public-edge so that ${entry.check} holds, or acknowledge it with a reason in the environment's edge.acknowledgements ({ rule: '${entry.id}', scope, reason }).`,
    check({ artifacts, cloud }) {
      const reports = nagReportsOf(artifacts);
      if (reports.size === 0) return [];
      const results: RuleResult[] = [];
      for (const finding of findingsOf(artifacts)) {
        // A stale acknowledgement is not a finding of the rule: NDC-EDGE-011 reports it.
        if (baseRuleId(finding.rule) !== entry.id || finding.acknowledged?.matched === false) continue;
        results.push(
          finding.acknowledged
            ? { status: 'pass', systemId: systemOf(finding.resource, cloud), subject: subjectOf(finding), message: `${finding.rule} acknowledged: ${finding.acknowledged.reason}` }
            : { status: 'fail', systemId: systemOf(finding.resource, cloud), subject: subjectOf(finding), message: `${finding.rule}: ${entry.info}` },
        );
      }
      if (results.length === 0) {
        for (const stack of reports.keys()) results.push({ status: 'pass', subject: `cloudformation/${stack}`, message: `no ${entry.id} finding` });
      }
      return results;
    },
  };
}

export const awsSolutionsRules: readonly Rule[] = catalog.rules.map(awsSolutionsRule);

const CATALOGUED = new Set(catalog.rules.map((r) => r.id));

/** Findings of AwsSolutions rules outside the catalog (a new resource type, a newer cdk-nag): never dropped. */
export const uncataloguedNagFindings: Rule = {
  id: 'NDC-EDGE-010',
  title: 'cdk-nag AwsSolutions findings outside the edge catalog',
  family: 'public-edge',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016(`cdk-nag ${catalog.cdkNag} AwsSolutions pack`),
  explanation:
    'cdk-nag reported a finding for a rule ndc has no entry for (the edge now contains a resource type it did not, or cdk-nag was upgraded). It is reported here with cdk-nag\'s own id and text so that no finding is lost.',
  remediation: 'Fix the finding or acknowledge it with a reason in edge.acknowledgements; then run node bin/run-ts.js scripts/gen-edge-nag-catalog.ts (adding the rule module to EDGE_MODULES) so it gets its own rule.',
  check({ artifacts, cloud }) {
    return findingsOf(artifacts)
      .filter((f) => !CATALOGUED.has(baseRuleId(f.rule)) && f.acknowledged?.matched !== false)
      .map((f) =>
        f.acknowledged
          ? { status: 'pass', systemId: systemOf(f.resource, cloud), subject: subjectOf(f), message: `${f.rule} acknowledged: ${f.acknowledged.reason}` }
          : { status: 'fail', systemId: systemOf(f.resource, cloud), subject: subjectOf(f), message: `${f.rule}: ${f.description}` },
      );
  },
};

/** Edge constructs are named after their system: `public-edge-global/<system>/distribution/Resource`. */
function systemOf(constructPath: string, cloud: NationalCloud): string | undefined {
  const id = constructPath.split('/')[1];
  return cloud.systems.some((s) => s.id === id) ? id : undefined;
}

/** Acknowledgements that no longer cover any finding: withdraw them so they cannot hide a future one. */
export const staleAcknowledgements: Rule = {
  id: 'NDC-EDGE-011',
  title: 'cdk-nag acknowledgements on the edge still match a finding',
  family: 'public-edge',
  severity: 'low',
  enforcement: 'advisory',
  regulation: vn2016(`cdk-nag ${catalog.cdkNag} AwsSolutions pack (acknowledgements)`),
  explanation:
    'An acknowledgement accepts a finding for a reason a reviewer approved. When the resource is fixed or removed, the acknowledgement stays in force for everything under its construct and would silently accept a new, unreviewed finding of the same rule there. ndc re-evaluates each acknowledged rule on the resources under it at synth time.',
  remediation: "Remove the entry from the environment's edge.acknowledgements (or the Validations.of(...).acknowledge call in stacks/public-edge).",
  check({ artifacts, cloud }) {
    return findingsOf(artifacts)
      .filter((f) => f.acknowledged !== undefined && f.acknowledged.matched !== undefined)
      .map((f) =>
        f.acknowledged!.matched
          ? { status: 'pass', systemId: systemOf(f.resource, cloud), subject: subjectOf(f), message: `${f.rule} acknowledgement on ${f.acknowledged!.scope} covers this finding` }
          : { status: 'fail', systemId: systemOf(f.resource, cloud), subject: subjectOf(f), message: `${f.rule} is acknowledged on ${f.acknowledged!.scope} ("${f.acknowledged!.reason}") but nothing under it has this finding any more` },
      );
  },
};
