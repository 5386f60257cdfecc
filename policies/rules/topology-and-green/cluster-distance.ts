import type { Rule, RuleResult } from '../../rule';
import { fail, notApplicable, pass, profileOf, vn2016 } from '../support';

export const clusterDistance: Rule = {
  id: 'NDC-TOP-002',
  title: 'Every pair of regional clusters is at least 100 km apart (configurable)',
  family: 'topology',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Decision 2629/QD-TTg (geographically distributed national clusters)'),
  explanation: 'Clusters in the same flood plain or on the same power grid fail together. Each pair must be at least the profile\'s distance apart (100 km by default; policy.parameters.minClusterDistanceKm changes it), measured as the great-circle distance between their coordinates.',
  remediation: 'Place the cluster at another site, or document a different minimum in policy.parameters.minClusterDistanceKm (it appears in the report).',
  check(context) {
    const min = profileOf(context).parameters.minClusterDistanceKm;
    const clusters = context.cloud.clusters;
    if (clusters.length < 2) return [notApplicable(context.cloud.node.path, 'fewer than two clusters')];
    const results: RuleResult[] = [];
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        const [a, b] = [clusters[i], clusters[j]];
        const km = a.distanceKmTo(b);
        const subject = `${context.cloud.node.path}/${a.id}<->${b.id}`;
        results.push(km >= min ? pass(subject, `${a.id}-${b.id}: ${Math.round(km)} km (at least ${min})`) : fail(subject, `${a.id}-${b.id}: ${km.toFixed(1)} km, less than ${min} km`));
      }
    }
    return results;
  },
};
