import type { Rule, RuleResult } from '../../rule';

/** NDC-EDGE-001: only level 1-2 systems without personal data may be placed on the commercial edge. */
export const edgeResidency: Rule = {
  id: 'NDC-EDGE-001',
  title: 'Systems on the public edge are level 1-2 and hold no personal data',
  family: 'residency',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: {
    profile: 'vn-2016',
    reference: 'Law on Cybersecurity 2018 Art. 26 and Decree 53/2022/ND-CP (data kept in Viet Nam); Decree 13/2023/ND-CP (personal data); Decree 85/2016/ND-CP levels',
  },
  explanation:
    'The public edge is a commercial CDN and object store outside the national clusters. Data of security level 3 and above, and personal data, must stay in the national data-center clusters; only public open data of level 1-2 systems may be copied to the edge.',
  remediation: 'Set publicEdge: false on the system (serve it from its DMZ in the national clusters), or publish only a level 1-2, non-personal open-data subset as a separate system.',
  check({ cloud }) {
    const results: RuleResult[] = [];
    for (const system of cloud.systems) {
      if (!system.publicEdge) continue;
      const subject = system.node.path;
      const reasons = [
        ...(system.level >= 3 ? [`it is security level ${system.level} (level 3 and above stays in the national clusters)`] : []),
        ...(system.personalData ? ['it holds personal data'] : []),
      ];
      results.push(
        reasons.length > 0
          ? { status: 'fail', systemId: system.id, subject, message: `${system.id} is placed on the public edge but ${reasons.join(' and ')}` }
          : { status: 'pass', systemId: system.id, subject, message: `${system.id} is level ${system.level} without personal data: may be served from the public edge` },
      );
    }
    return results;
  },
};
