import type { Rule } from '../../rule';
import { fail, pass, VN_2016, verdict } from '../support';
import { describeAllowance, explanationOf, ProblemsBySystem, reachOf } from './reach';

export const reachExplained: Rule = {
  id: 'NDC-NET-005',
  title: 'Every one-hop reachability, across all engines, is explained by a flow of the model',
  family: 'segmentation',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: { profile: VN_2016, reference: 'TCVN 11930:2017 section 6 (network access control); Circular 12/2022/TT-BTTTT, Annex (zoning)' },
  explanation:
    'Reviewers approve zones and the flows between them. What the artifacts of all three engines open together must not go beyond that: every pair of endpoints that can talk, on every protocol and port, must be a flow of the destination\'s system (and of the sender\'s, when the sender is inside the cloud), the cluster\'s own services (DNS), the public edge, or the shared services the management zones use. A rule that is harmless alone can open an unexplained path once combined with another engine\'s.',
  remediation: 'Declare the traffic as a flow of the system in the environment file and synthesize again, or remove the rule the finding names; never edit artifacts in out/ by hand.',
  check(context) {
    const reach = reachOf(context);
    const problems = new ProblemsBySystem();
    let explained = 0;
    for (const hop of reach.hops) {
      const to = reach.model.byId.get(hop.to)!;
      const from = reach.model.byId.get(hop.from)!;
      for (const allowance of hop.allows) {
        if (explanationOf(context, reach, hop, allowance) !== undefined) explained++;
        else problems.note(to.system ?? from.system, `${hop.from} -> ${hop.to}: ${describeAllowance(allowance)} matches no flow`);
      }
    }
    const platform = problems.of(undefined);
    return [
      ...context.cloud.systems.map((s) => verdict(s, problems.of(s.id), 'everything that reaches it, or that it reaches, is a declared flow')),
      platform.length ? fail(`${context.cloud.envName} (platform)`, platform.join('; ')) : pass(`${context.cloud.envName} (platform)`, `${explained} allowances between endpoints, each explained by a flow or a platform service`),
    ];
  },
};
