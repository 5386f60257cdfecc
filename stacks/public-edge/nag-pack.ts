import type { CfnResource } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { NagPack } from 'cdk-nag/lib/nag-pack';
import { NagMessageLevel, type NagRuleResult } from 'cdk-nag/lib/nag-rules';
import pack from './aws-solutions-pack.json';

/**
 * cdk-nag's AwsSolutions pack, applied to each resource with only the rules that can report on its type.
 *
 * `AwsSolutionsChecks` calls all 131 of its rules on every resource, so loading it loads every rule file
 * and, through them, the aws-cdk-lib module of every service they test (about 0.3 s of module loading and
 * 0.3 s of first calls, for an edge of a few S3, CloudFront, WAF and ACM resources). Every rule starts
 * with `instanceof` tests of the L1 classes it checks and returns NOT_APPLICABLE for any other resource,
 * which the pack records nowhere; scripts/gen-edge-nag-catalog.ts reads those classes from the installed
 * cdk-nag into aws-solutions-pack.json (and proves the NOT_APPLICABLE answer on a resource of another
 * type). This pack applies, in the pack's order and with the pack's ids, levels and texts, the rules whose
 * types include the resource's, loading each rule's file the first time it is needed. The same resources
 * therefore get the same findings as from `AwsSolutionsChecks` (test/public-edge/nag-pack.test.ts).
 */
export class EdgeAwsSolutionsChecks extends NagPack {
  readonly name = 'AwsSolutions';

  constructor(scope?: IConstruct) {
    super(scope, { verbose: true });
    this.packName = 'AwsSolutions';
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const installed = (require('cdk-nag/package.json') as { version: string }).version;
    if (installed !== pack.cdkNag) {
      throw new Error(`internal: stacks/public-edge/aws-solutions-pack.json was read from cdk-nag ${pack.cdkNag}, but ${installed} is installed; run node bin/run-ts.js scripts/gen-edge-nag-catalog.ts`);
    }
  }

  protected checkResource(node: CfnResource): void {
    for (const rule of rulesFor(node.cfnResourceType)) {
      this.applyRule({
        ruleSuffixOverride: rule.id.slice('AwsSolutions-'.length),
        info: rule.info,
        explanation: rule.explanation,
        level: rule.level === 'error' ? NagMessageLevel.ERROR : NagMessageLevel.WARN,
        rule: ruleFunction(rule.module, rule.file),
        node,
      });
    }
  }
}

type PackRule = (typeof pack.rules)[number];
type RuleFunction = (node: CfnResource) => NagRuleResult;

const BY_TYPE = new Map<string, PackRule[]>();
for (const rule of pack.rules) {
  for (const type of rule.types) BY_TYPE.set(type, [...(BY_TYPE.get(type) ?? []), rule]);
}

/** The pack's rules that can report on resources of `type`, in the pack's order (`*`: every type). */
function rulesFor(type: string): readonly PackRule[] {
  const any = BY_TYPE.get('*');
  if (any === undefined) return BY_TYPE.get(type) ?? [];
  return pack.rules.filter((rule) => rule.types.includes('*') || rule.types.includes(type));
}

const FUNCTIONS = new Map<string, RuleFunction>();

/** A rule's function, its file loaded once: cdk-nag's lib/rules/<module>/<file>.js, default export. */
export function ruleFunction(module: string, file: string): RuleFunction {
  const key = `${module}/${file}`;
  let rule = FUNCTIONS.get(key);
  if (rule === undefined) {
    if (!/^[a-z0-9]+\/[A-Za-z0-9]+$/.test(key)) throw new Error(`internal: ${key} is not a cdk-nag rule file`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    rule = (require(`cdk-nag/lib/rules/${key}`) as { default: RuleFunction }).default;
    FUNCTIONS.set(key, rule);
  }
  return rule;
}

/** The pack's rule `AwsSolutions-<id suffix>`, if it has one. */
export function packRule(id: string): PackRule | undefined {
  return pack.rules.find((rule) => rule.id === id);
}
