import { defineEnvironment } from './define';
import { DECREE_85_APPROVER_FLOOR } from './vocabulary';

/** Development: one small cluster with local state, for working on the platform itself. */
export default defineEnvironment({
  name: 'dev',
  stage: 'development',
  description: 'Single-cluster development cloud with local Terraform state',
  profile: 'vn-2016',
  state: { backend: 'local' },
  interconnect: { cidr: '10.201.0.0/16', govNetworkCidr: '172.16.0.0/12' },
  regions: [
    {
      id: 'north',
      name: 'Hoa Lac, Hanoi (development)',
      site: 'National Data Center No. 1, development hall',
      location: { lat: 21.0136, lon: 105.5259 },
      openstackRegion: 'VN-North-Dev',
      availabilityZones: [{ id: 'north-dev-a' }],
      green: { pue: 1.35, energySource: 'grid with rooftop solar' },
      addressPlan: {
        cidr: '10.200.0.0/16',
        segments: {
          edge: '10.200.0.0/24',
          dmz: '10.200.1.0/24',
          'internal-server': '10.200.2.0/24',
          database: '10.200.3.0/24',
          management: '10.200.4.0/24',
          'device-management': '10.200.5.0/24',
          backup: '10.200.6.0/24',
          'gov-interconnect': '10.200.7.0/24',
        },
      },
    },
  ],
  systems: [
    {
      id: 'open-data-portal',
      name: 'National Open Data Portal (development)',
      level: 2,
      ownerAgency: 'Ministry of Science and Technology',
      classification: 'public',
      internetFacing: true,
      primaryRegion: 'north',
      tiers: [
        { name: 'web', zone: 'dmz', instances: 1, flavor: 'c4.small', volumeGb: 20 },
        { name: 'catalog', zone: 'internal-server', instances: 1, flavor: 'c4.small', volumeGb: 20 },
      ],
      flows: [
        { from: 'internet', to: 'dmz', protocol: 'tcp', ports: 443 },
        { from: 'dmz', to: 'internal-server', protocol: 'tcp', ports: 8080 },
      ],
      backup: { schedule: '0 3 * * *', retentionDays: 7, rpoHours: 24 },
    },
    {
      id: 'e-document-exchange',
      name: 'National E-Document Exchange Platform (development)',
      level: 3,
      ownerAgency: 'Government Office',
      classification: 'internal',
      primaryRegion: 'north',
      tiers: [
        { name: 'gateway', zone: 'dmz', instances: 1, flavor: 'c4.small', volumeGb: 20 },
        { name: 'app', zone: 'internal-server', instances: 1, flavor: 'c4.small', volumeGb: 20 },
        { name: 'db', zone: 'database', instances: 1, flavor: 'm4.small', volumeGb: 50 },
      ],
      flows: [
        { from: 'gov-network', to: 'dmz', protocol: 'tcp', ports: 443 },
        { from: 'dmz', to: 'internal-server', protocol: 'tcp', ports: 8443 },
        { from: 'internal-server', to: 'database', protocol: 'tcp', ports: 5432 },
      ],
      backup: { schedule: '0 1 * * *', retentionDays: 14, rpoHours: 24 },
    },
  ],
  sharedServicesRegion: 'north',
  policy: {
    // Development has one cluster and no offsite copies by design; report those rules without blocking.
    overrides: {
      'NDC-TOP-001': 'advisory',
      'NDC-BAK-001': 'advisory',
      'NDC-K8S-004': 'advisory',
      // Development systems are assessed by the platform team, not by a licensed assessor organisation.
      'NDC-LVL-010': 'advisory',
    },
    exceptions: [
      {
        rule: 'NDC-BAK-004',
        system: 'e-document-exchange',
        reason: 'The development copy holds synthetic documents only; 14-day retention keeps the single development vault small.',
        grantedBy: 'Platform team security unit',
        expires: '2027-06-30',
      },
      {
        rule: 'NDC-LVL-009',
        resource: 'dev/e-document-exchange/controls/highAvailability',
        reason: 'Development runs one instance per tier on its single cluster; high availability is rehearsed in staging and run in prod.',
        grantedBy: 'Platform team security unit',
        expires: '2027-06-30',
      },
      {
        rule: 'NDC-LVL-009',
        resource: 'dev/e-document-exchange/controls/centralBackup',
        reason: 'Development has one cluster and one vault, so no second copy exists; the data is synthetic (see NDC-BAK-004).',
        grantedBy: 'Platform team security unit',
        expires: '2027-06-30',
      },
    ],
  },
  approvals: {
    // Development asks for the vn-2016 floor (Decree 85 art. 12) and no more: one national-authority reviewer at level 5.
    levels: DECREE_85_APPROVER_FLOOR,
    maxValidityDays: 90,
  },
});
