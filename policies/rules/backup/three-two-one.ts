import type { Rule } from '../../rule';
import { vn2016 } from '../support';
import { doesNotApply, judged, perSystem } from '../per-system';

/**
 * 3-2-1: three copies of the data (the live data on the primary's block storage counts as the first, on
 * disk), on two kinds of media, one of them in another regional cluster. A copy kept in the primary's
 * own cluster is a copy but never the offsite one.
 */
export const threeTwoOne: Rule = {
  id: 'NDC-BAK-001',
  title: 'Level 3+ systems have a backup plan with 3 copies on 2 media, 1 in another regional cluster',
  family: 'backup',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex, level 3 (central backup, 3-2-1)'),
  explanation:
    'From level 3 data is backed up centrally by the 3-2-1 rule: three copies (the live data counts as the first), on at least two kinds of media, at least one in another regional cluster so that losing a whole data center loses no data. Copies in the primary\'s own cluster do not count as offsite.',
  remediation: 'Give backup.copies at least two entries, at least one in a region other than primaryRegion, using a medium other than disk for one of them (object or tape).',
  check: perSystem({
    judge(system) {
      const plan = system.backup;
      if (system.level < 3 && !plan) return doesNotApply(`level ${system.level}: central backup is required from level 3`);
      if (!plan) return judged(['no backup plan'], '');
      const copies = 1 + plan.copies.length;
      const media = new Set(['disk', ...plan.copies.map((c) => c.medium)]);
      const offsite = plan.offsiteCopies(system.primary);
      const problems: string[] = [];
      if (system.level < 3) return judged([], `level ${system.level}: backup plan with ${copies} copies (3-2-1 not required)`);
      if (copies < 3) problems.push(`${copies} copies including the live data, 3 required`);
      if (media.size < 2) problems.push(`one medium (${[...media].join(', ')}), 2 required`);
      if (offsite.length === 0) problems.push(`no copy outside the primary cluster ${system.primary.id}${plan.copies.length ? ` (copies in ${plan.copies.map((c) => c.cluster.id).join(', ')})` : ''}`);
      return judged(problems, `${copies} copies on ${media.size} media (${[...media].join(', ')}), offsite in ${[...new Set(offsite.map((c) => c.cluster.id))].join(', ')}`);
    },
  }),
};
