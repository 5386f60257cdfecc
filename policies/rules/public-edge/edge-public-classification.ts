import type { Rule, RuleResult } from '../../rule';

/** NDC-EDGE-002: what the edge serves is classified public. */
export const edgePublicClassification: Rule = {
  id: 'NDC-EDGE-002',
  title: 'Systems on the public edge are classified public',
  family: 'public-edge',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: { profile: 'vn-2016', reference: 'Decision 2629/QD-TTg (standard open data of agencies); Law on Access to Information 2016' },
  explanation:
    'Anything the edge holds is readable by anyone on the internet through the CDN. Only information classified public (open data) belongs there; internal, confidential and secret information is served from the national clusters to authorised users.',
  remediation: "Set publicEdge: false on the system, or classify it 'public' after the owner agency has approved the data for open publication.",
  check({ cloud }) {
    const results: RuleResult[] = [];
    for (const system of cloud.systems) {
      if (!system.publicEdge) continue;
      const ok = system.classification === 'public';
      results.push({
        status: ok ? 'pass' : 'fail',
        systemId: system.id,
        subject: system.node.path,
        message: ok ? `${system.id} is classified public` : `${system.id} is classified ${system.classification} but placed on the public edge`,
      });
    }
    return results;
  },
};
