import { defineEnvironment } from './define';
import { DECREE_85_APPROVERS } from './vocabulary';
import { nationalAssessors, nationalLinks, nationalRegions, nationalSystems, openDataEdge } from './shared/national';

/** Production: the national government cloud on the three national data-center clusters. */
export default defineEnvironment({
  name: 'prod',
  stage: 'production',
  description: 'National government cloud, production: North (Hoa Lac), Central (Da Nang), South (Ho Chi Minh City)',
  profile: 'vn-2016',
  state: { backend: 'pg', schemaName: 'ndc_prod' },
  interconnect: { cidr: '10.0.0.0/16', govNetworkCidr: '172.16.0.0/12', links: nationalLinks() },
  regions: nationalRegions({ base: 10 }),
  systems: nationalSystems({ base: 10, scale: 1 }),
  assessorOrganisations: nationalAssessors(),
  edge: openDataEdge({ domainName: 'data.gov.vn' }),
  sharedServicesRegion: 'north',
  approvals: {
    levels: DECREE_85_APPROVERS,
    maxValidityDays: 30,
  },
});
