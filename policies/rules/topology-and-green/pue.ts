import type { Rule } from '../../rule';
import { fail, pass, profileOf, vn2016 } from '../support';

export const powerUsageEffectiveness: Rule = {
  id: 'NDC-GRN-001',
  title: 'Every cluster declares a PUE at or below its target (1.4 by default)',
  family: 'green',
  severity: 'medium',
  enforcement: 'mandatory',
  regulation: vn2016('ndc policy (PUE target; Decision 2629/QD-TTg sets no figure)'),
  explanation: 'The national clusters are built to green standards: the power usage effectiveness (total facility power / IT power) must not exceed the cluster\'s target, and a target may not be looser than the profile\'s default.',
  remediation: 'Correct the measured PUE in regions[].green.pue, or improve the facility; do not raise pueTarget above the profile default.',
  check(context) {
    const ceiling = profileOf(context).parameters.defaultPueTarget;
    return context.cloud.clusters.map((cluster) => {
      const { pue, pueTarget } = cluster.green;
      const target = Math.min(pueTarget, ceiling);
      return pue <= target
        ? pass(cluster.node.path, `${cluster.id}: PUE ${pue.toFixed(2)} <= target ${target.toFixed(2)}`)
        : fail(cluster.node.path, `${cluster.id}: PUE ${pue.toFixed(2)} above target ${target.toFixed(2)}${pueTarget > ceiling ? ` (declared target ${pueTarget.toFixed(2)} is looser than the profile's ${ceiling.toFixed(2)})` : ''}`);
    });
  },
};
