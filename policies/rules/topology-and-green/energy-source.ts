import type { Rule } from '../../rule';
import { fail, pass, vn2016 } from '../support';

const UNKNOWN = /^(unknown|n\/?a|none|tbd|todo|-)$/i;

export const energySource: Rule = {
  id: 'NDC-GRN-002',
  title: 'Every cluster declares its energy source',
  family: 'green',
  severity: 'low',
  enforcement: 'mandatory',
  regulation: vn2016('ndc policy (energy-source reporting)'),
  explanation: 'Reviewers and the green-data-center reporting need each cluster\'s energy source (grid mix, renewable contracts, on-site generation).',
  remediation: 'Set regions[].green.energySource to a real description, e.g. "grid with solar power purchase agreement".',
  check({ cloud }) {
    return cloud.clusters.map((cluster) => {
      const source = cluster.green.energySource.trim();
      return source.length >= 3 && !UNKNOWN.test(source) ? pass(cluster.node.path, `${cluster.id}: ${source}`) : fail(cluster.node.path, `${cluster.id}: energy source ${JSON.stringify(source)} is not declared`);
    });
  },
};
