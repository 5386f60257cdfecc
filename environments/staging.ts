import { defineEnvironment } from './define';
import { DECREE_85_APPROVERS } from './vocabulary';
import { nationalAssessors, nationalLinks, nationalRegions, nationalSystems, openDataEdge } from './shared/national';

/** Staging: the same three clusters and systems as prod at a third of the size, for release rehearsal. */
export default defineEnvironment({
  name: 'staging',
  stage: 'staging',
  description: 'National government cloud, staging: prod topology at reduced size',
  profile: 'vn-2016',
  state: { backend: 'pg', schemaName: 'ndc_staging' },
  interconnect: { cidr: '10.1.0.0/16', govNetworkCidr: '172.16.0.0/12', links: nationalLinks() },
  regions: nationalRegions({ base: 110 }),
  systems: nationalSystems({ base: 110, scale: 1 / 3 }),
  assessorOrganisations: nationalAssessors(),
  edge: openDataEdge({ domainName: 'staging.data.gov.vn' }),
  sharedServicesRegion: 'north',
  approvals: {
    // Staging rehearses production's approvals: the same roles as prod.
    levels: DECREE_85_APPROVERS,
    maxValidityDays: 60,
  },
});
