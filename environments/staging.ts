import { defineEnvironment } from './schema';
import { nationalRegions, nationalSystems, openDataEdge } from './shared/national';

/** Staging: the same three clusters and systems as prod at a third of the size, for release rehearsal. */
export default defineEnvironment({
  name: 'staging',
  stage: 'staging',
  description: 'National government cloud, staging: prod topology at reduced size',
  profile: 'vn-2016',
  state: { backend: 'pg', schemaName: 'ndc_staging' },
  interconnect: { cidr: '10.1.0.0/16', govNetworkCidr: '172.16.0.0/12' },
  regions: nationalRegions({ base: 110 }),
  systems: nationalSystems({ base: 110, scale: 1 / 3 }),
  edge: openDataEdge({ domainName: 'staging.data.gov.vn' }),
  sharedServicesRegion: 'north',
  approvals: {
    // Staging rehearses production's approvals, so it asks for the same roles. Decree 85/2016/ND-CP: who approves at each level; level 5 needs two distinct national-authority reviewers.
    levels: {
      '1': ['security-unit'],
      '2': ['security-unit'],
      '3': ['security-unit', 'system-owner'],
      '4': ['national-authority', 'system-owner'],
      '5': ['national-authority', 'national-authority', 'system-owner'],
    },
    maxValidityDays: 60,
  },
});
