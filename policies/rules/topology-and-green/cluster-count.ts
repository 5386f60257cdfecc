import type { Rule } from '../../rule';
import { fail, pass, profileOf, vn2016 } from '../support';

export const clusterCount: Rule = {
  id: 'NDC-TOP-001',
  title: 'The cloud runs on at least three regional clusters',
  family: 'topology',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Decision 2629/QD-TTg (unified government cloud on at least three national data-center clusters)'),
  explanation: 'The government cloud is run from at least three national data-center clusters (North, Central, South) so that a regional disaster leaves two.',
  remediation: 'Add regional clusters to regions[]; a development environment may make this rule advisory in policy.overrides.',
  check(context) {
    const min = profileOf(context).parameters.minClusters;
    const clusters = context.cloud.clusters;
    const subject = context.cloud.node.path;
    return [clusters.length >= min ? pass(subject, `${clusters.length} regional clusters (${clusters.map((c) => c.id).join(', ')})`) : fail(subject, `${clusters.length} regional cluster${clusters.length === 1 ? '' : 's'} (${clusters.map((c) => c.id).join(', ')}), at least ${min} required`)];
  },
};
