import type { Rule, RuleResult } from '../../rule';
import { resourcesOfType, subjectOf, systemIdOf } from '../../artifacts/cloudformation';
import { vn2016 } from '../support';

/** Edge resources that hold or serve a system's data. */
const DATA_RESOURCES = ['AWS::S3::Bucket', 'AWS::CloudFront::Distribution'];

/**
 * NDC-EDGE-001: what the edge templates actually deploy (each bucket and distribution names its system in
 * its `ndc:system` tag) is open data: level 1-2, classified public, no personal data. The residency pack
 * checks the model's publicEdge flag (NDC-RES-003); this rule checks the artifacts reviewers approve.
 */
export const edgeResidency: Rule = {
  id: 'NDC-EDGE-001',
  title: 'The edge deploys only open data: level 1-2, classified public, no personal data',
  family: 'residency',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('ndc policy (the public edge carries open data only; data of level 3+ and personal data stays in the national clusters)'),
  explanation:
    'The public edge is a commercial CDN and object store outside the national clusters. Data of security level 3 and above, personal data and anything not classified public must stay in the national data-center clusters; only public open data of level 1-2 systems may be copied to the edge. This rule reads the synthesized CloudFormation, so it holds for exactly what would be deployed.',
  remediation: 'Set publicEdge: false on the system (serve it from its DMZ in the national clusters), or publish a public, level 1-2, non-personal extract as a separate open-data system.',
  check({ artifacts, cloud }) {
    const results: RuleResult[] = [];
    for (const type of DATA_RESOURCES) {
      for (const located of resourcesOfType(artifacts, type)) {
        const systemId = systemIdOf(located);
        if (systemId === undefined) continue; // the shared access-log bucket holds no system data
        const subject = subjectOf(located);
        const system = cloud.systems.find((s) => s.id === systemId);
        if (!system) {
          results.push({ status: 'fail', systemId, subject, message: `serves ${systemId}, which is not an information system of ${cloud.envName}; run ndc synth again` });
          continue;
        }
        const problems = [
          ...(system.level >= 3 ? [`it is security level ${system.level} (level 3 and above stays in the national clusters)`] : []),
          ...(system.personalData ? ['it holds personal data'] : []),
          ...(system.classification !== 'public' ? [`it is classified ${system.classification}, not public`] : []),
        ];
        results.push(
          problems.length > 0
            ? { status: 'fail', systemId, subject, message: `deploys ${systemId} to the public edge but ${problems.join(' and ')}` }
            : { status: 'pass', systemId, subject, message: `${systemId} is public level-${system.level} open data without personal data` },
        );
      }
    }
    return results;
  },
};
