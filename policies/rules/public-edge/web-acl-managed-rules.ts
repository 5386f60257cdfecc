import type { Rule } from '../../rule';
import { list, props, record, resourcesOfType, subjectOf, systemIdOf } from '../../artifacts/cloudformation';
import { vn2016 } from '../support';

/** The AWS managed rule groups every edge web ACL must enforce. */
export const REQUIRED_MANAGED_GROUPS = ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesAmazonIpReputationList'];

/** NDC-EDGE-005: edge web ACLs are CloudFront-scoped, enforce the AWS managed rule groups and limit request rates. */
export const webAclManagedRules: Rule = {
  id: 'NDC-EDGE-005',
  title: 'Edge WAF web ACLs enforce AWS managed rule groups and a rate limit',
  family: 'public-edge',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Decree 85/2016/ND-CP level 2: web application firewall; Circular 12/2022/TT-BTTTT: protection against denial of service'),
  explanation:
    'A web ACL protects the edge only if its rule groups block: a managed group in Count mode (OverrideAction Count) only counts. The common rule set (OWASP top 10), known bad inputs and the Amazon IP reputation list stop the bulk of automated attacks, and a per-IP rate-based rule blunts scraping floods before they reach the origin.',
  remediation: `Give the web ACL scope CLOUDFRONT, the managed groups ${REQUIRED_MANAGED_GROUPS.join(', ')} with OverrideAction None, and a rateBasedStatement rule with action Block (stacks/public-edge does).`,
  check({ artifacts }) {
    return resourcesOfType(artifacts, 'AWS::WAFv2::WebACL').map((located) => {
      const p = props(located.resource);
      const rules = list(p.Rules).map(record);
      const problems: string[] = [];
      if (p.Scope !== 'CLOUDFRONT') problems.push(`scope is ${String(p.Scope)}, not CLOUDFRONT`);
      for (const group of REQUIRED_MANAGED_GROUPS) {
        const rule = rules.find((r) => {
          const statement = record(record(r.Statement).ManagedRuleGroupStatement);
          return statement.VendorName === 'AWS' && statement.Name === group;
        });
        if (!rule) problems.push(`${group} missing`);
        else if (record(rule.OverrideAction).Count !== undefined) problems.push(`${group} only counts (OverrideAction Count)`);
      }
      if (!rules.some((r) => record(r.Statement).RateBasedStatement !== undefined && record(r.Action).Block !== undefined)) problems.push('no blocking rate-based rule');
      return problems.length === 0
        ? { status: 'pass' as const, systemId: systemIdOf(located), subject: subjectOf(located), message: `CLOUDFRONT scope, ${REQUIRED_MANAGED_GROUPS.length} managed groups enforced, rate limit` }
        : { status: 'fail' as const, systemId: systemIdOf(located), subject: subjectOf(located), message: problems.join('; ') };
    });
  },
};
