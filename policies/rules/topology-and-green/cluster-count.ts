import type { Rule } from '../../rule';
import { fail, pass, profileOf, vn2016 } from '../support';

export const clusterCount: Rule = {
  id: 'NDC-TOP-001',
  // 2: counts national clusters only (a cluster declared `national: false` does not count).
  version: 2,
  title: 'The cloud runs on at least three national data-center clusters',
  family: 'topology',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Decision 2629/QD-TTg (unified government cloud on at least three national data-center clusters)'),
  explanation: 'The government cloud is run from at least three national data-center clusters (North, Central, South) so that a regional disaster leaves two.',
  remediation: 'Add regional clusters to regions[]; a development environment may make this rule advisory in policy.overrides.',
  check(context) {
    const min = profileOf(context).parameters.minClusters;
    const clusters = context.cloud.clusters.filter((c) => c.national);
    const others = context.cloud.clusters.filter((c) => !c.national);
    const subject = context.cloud.node.path;
    const besides = others.length ? `; not national, so not counted: ${others.map((c) => c.id).join(', ')}` : '';
    const listed = `(${clusters.map((c) => c.id).join(', ')}${besides})`;
    return [clusters.length >= min ? pass(subject, `${clusters.length} national clusters ${listed}`) : fail(subject, `${clusters.length} national cluster${clusters.length === 1 ? '' : 's'} ${listed}, at least ${min} required`)];
  },
};
