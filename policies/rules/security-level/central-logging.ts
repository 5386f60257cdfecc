import type { Rule } from '../../rule';
import { requirementsFor } from '../../../constructs';
import { logArchiveProblems, logBucketProblems, logShippingProblems, siemProblems } from '../../artifacts/logging';
import { vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

export const centralLogging: Rule = {
  id: 'NDC-LVL-005',
  version: 2,
  title: 'The system\'s logs are shipped to its clusters\' collectors, archived object-locked for its level\'s retention, and (level 3+) forwarded to the SIEM',
  family: 'security-level',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex (log management, SIEM from level 3); retention 1/3/6/12 months and immutability from level 4 as reported for the 2026 profile'),
  explanation:
    'Security logs must leave the system they describe, so an intruder cannot erase them, and be kept long enough to investigate incidents. Read from the artifacts, per cluster the system runs in: the log collectors (Fluentd) in the management zone admit the system\'s segments on the forward port; every instance\'s cloud-init runs Fluent Bit forwarding to them and its security group lets it; the Kubernetes log agent tails the system\'s namespace and may reach them; the collectors archive the system\'s logs to its bucket in the backup vault, object-locked by default for 1, 3, 6 or 12 months at levels 2, 3, 4 and 5 (compliance mode, immutable, from level 4, in a zone apart from the system); from level 3 they also forward them to the SIEM (OpenSearch Security Analytics) which admits them.',
  remediation: 'Synthesize again (the platform renders the collectors, agents, bucket and SIEM forwarding for every system); never remove them from out/ by hand. A longer retention is set with the system\'s logRetentionMonths; the level\'s minimum cannot be lowered.',
  check: perSystem({
    judge(system, _prepared, context) {
      const problems: string[] = [];
      for (const cluster of system.clusters) {
        problems.push(...logShippingProblems(context, system, cluster), ...logArchiveProblems(context, system, cluster));
        if (system.level >= 3) problems.push(...siemProblems(context, system, cluster));
      }
      problems.push(...logBucketProblems(context, system));
      const need = requirementsFor(system.level).logRetentionMonths;
      return judged(problems, `logs shipped to the collectors of ${system.clusters.map((c) => c.id).join(' and ')}, archived${need > 0 ? ` object-locked ${system.logArchive.retentionMonths} months (level ${system.level} needs ${need}${system.level >= 4 ? ', compliance mode' : ''})` : ''}${system.level >= 3 ? ', forwarded to the SIEM' : ''}`);
    },
  }),
};
