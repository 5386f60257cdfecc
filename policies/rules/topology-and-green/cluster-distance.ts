import type { Rule } from '../../rule';
import { fail, notApplicable, pass, profileOf, vn2016 } from '../support';

export const clusterDistance: Rule = {
  id: 'NDC-TOP-002',
  title: 'Every pair of regional clusters is at least 100 km apart (configurable)',
  family: 'topology',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('ndc policy (distance between clusters; Decision 2629/QD-TTg sets none)'),
  explanation: 'Clusters in the same flood plain or on the same power grid fail together. Each pair must be at least the profile\'s distance apart (100 km by default; policy.parameters.minClusterDistanceKm changes it), measured as the great-circle distance between their coordinates.',
  remediation: 'Place the cluster at another site, or document a different minimum in policy.parameters.minClusterDistanceKm (it appears in the report).',
  check(context) {
    const { clusters, node } = context.cloud;
    if (clusters.length < 2) return [notApplicable(node.path, 'fewer than two clusters')];
    const min = profileOf(context).parameters.minClusterDistanceKm;
    return pairsOf(clusters).map(([a, b]) => {
      const km = a.distanceKmTo(b);
      const subject = `${node.path}/${a.id}<->${b.id}`;
      return km >= min ? pass(subject, `${a.id}-${b.id}: ${Math.round(km)} km (at least ${min})`) : fail(subject, `${a.id}-${b.id}: ${km.toFixed(1)} km, less than ${min} km`);
    });
  },
};

/** Every unordered pair, in list order: (0,1), (0,2), ..., (1,2), ... */
function pairsOf<T>(items: readonly T[]): [T, T][] {
  return items.flatMap((a, i) => items.slice(i + 1).map((b): [T, T] => [a, b]));
}
