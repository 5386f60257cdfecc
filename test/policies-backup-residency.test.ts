import { pack as backupPack } from '../policies/rules/backup';
import { backupEncrypted } from '../policies/rules/backup/encrypted';
import { immutableCopies } from '../policies/rules/backup/immutable-copies';
import { restoreTested } from '../policies/rules/backup/restore-tested';
import { retentionAndRpo } from '../policies/rules/backup/retention-and-rpo';
import { threeTwoOne } from '../policies/rules/backup/three-two-one';
import { pack as residencyPack } from '../policies/rules/residency';
import { backupCopiesNational } from '../policies/rules/residency/backup-copies-national';
import { nationalClustersOnly } from '../policies/rules/residency/national-clusters';
import { publicEdgePublicOnly } from '../policies/rules/residency/public-edge-public-only';
import { evidenceOf, failedSystems, failures, variant, withEvidence, withoutEvidence, withTerraform, type Fixture } from './policy-fixtures';

type SystemInput = NonNullable<Fixture['input']['systems']>[number];
const system = (input: Fixture['input'], id: string): SystemInput => input.systems!.find((s) => s.id === id)!;

let prod: Fixture;
beforeAll(() => {
  prod = variant('prod', () => undefined);
});

describe('backup pack', () => {
  it('has stable ids and every rule passes on prod as shipped', () => {
    expect(backupPack.map((r) => r.id)).toEqual(['NDC-BAK-001', 'NDC-BAK-002', 'NDC-BAK-003', 'NDC-BAK-004', 'NDC-BAK-005']);
    for (const rule of backupPack) expect([rule.id, failures(rule, prod.context)]).toEqual([rule.id, []]);
  });

  it('NDC-BAK-001: a copy in the primary\'s own cluster is not offsite, and one copy is not three', () => {
    const local = variant('prod', (input) => {
      system(input, 'e-document-exchange').backup!.copies = [
        { region: 'central', medium: 'object' },
        { region: 'central', medium: 'tape' },
      ];
    }, { render: false });
    expect(failures(threeTwoOne, local.context).map((r) => [r.systemId, r.message])).toEqual([['e-document-exchange', 'no copy outside the primary cluster central (copies in central, central)']]);
    const single = variant('prod', (input) => {
      system(input, 'online-meeting').backup!.copies = [{ region: 'north', medium: 'disk' }];
    }, { render: false });
    expect(failures(threeTwoOne, single.context)[0].message).toBe('2 copies including the live data, 3 required; one medium (disk), 2 required');
    const none = variant('dev', () => undefined, { render: false });
    expect(failedSystems(threeTwoOne, none.context)).toEqual(['e-document-exchange']);
  });

  it('NDC-BAK-002 fails for an unencrypted plan and for a bucket without server-side encryption', () => {
    const plain = variant('prod', (input) => {
      system(input, 'online-meeting').backup!.encrypted = false;
    });
    expect(failures(backupEncrypted, plain.context).map((r) => [r.systemId, r.message])).toEqual([
      ['online-meeting', 'backup.encrypted is false; bucket ndc-prod-online-meeting-central-object has no server-side encryption; bucket ndc-prod-online-meeting-north-disk has no server-side encryption'],
    ]);
    const edited = withTerraform(prod, 'backup-vaults', (c) => {
      delete c.resource.minio_s3_bucket_server_side_encryption['digital-signature-ca-central-0-encryption'];
    });
    expect(failedSystems(backupEncrypted, edited)).toEqual(['digital-signature-ca']);
  });

  it('NDC-BAK-003 fails for a mutable copy of a level-4 system and for a bucket without object lock', () => {
    const mutable = variant('prod', (input) => {
      system(input, 'public-service-portal').backup!.copies![1].immutable = false;
    });
    expect(failures(immutableCopies, mutable.context)[0].message).toContain('copy 2 in south (disk) is not immutable');
    const edited = withTerraform(prod, 'backup-vaults', (c) => {
      delete c.resource.minio_s3_bucket_object_lock_configuration['population-db-central-0-object-lock'];
    });
    expect(failures(immutableCopies, edited).map((r) => r.message)).toEqual(['bucket ndc-prod-population-db-central-object has no compliance-mode object lock']);
  });

  it('NDC-BAK-004 fails for an RPO above the level bound (the 6 h digital-signature-ca plan prod used to have)', () => {
    const f = variant('prod', (input) => {
      Object.assign(system(input, 'digital-signature-ca').backup!, { schedule: '0 */6 * * *', rpoHours: 6 });
      system(input, 'e-document-exchange').backup!.retentionDays = 30;
    }, { render: false });
    expect(failures(retentionAndRpo, f.context).map((r) => [r.systemId, r.message])).toEqual([
      ['e-document-exchange', 'retention 30 days is below 90 days for level 3'],
      ['digital-signature-ca', 'RPO 6 h exceeds 4 h for level 4'],
    ]);
  });

  it('NDC-BAK-005 (mandatory) fails for a missing, overdue or failed restore test record', () => {
    expect(restoreTested.enforcement).toBe('mandatory');
    expect(failures(restoreTested, prod.context)).toEqual([]);
    let evidence = withEvidence(evidenceOf('prod'), 'population-db', 'restore-test', { performed: '2026-08-01' });
    evidence = withoutEvidence(evidence, 'digital-signature-ca', 'restore-test');
    evidence = withEvidence(evidence, 'online-meeting', 'restore-test', { result: 'fail' });
    const f = variant('prod', () => undefined, { render: false, evidence });
    const file = 'evidence/prod/population-db-restore-test-2026-10-20.json';
    expect(failures(restoreTested, f.context).map((r) => [r.systemId, r.message])).toEqual([
      ['population-db', `last restore-test 2026-08-01 by National Data Center No. 1 operations team (${file}): overdue since 2026-11-01 (every 3 months at level 5, reported)`],
      ['online-meeting', 'last restore-test 2026-10-13 by National Data Center No. 1 operations team (evidence/prod/online-meeting-restore-test-2026-10-13.json): result fail; a passing restore-test was due by 2027-04-13'],
      ['digital-signature-ca', 'restore-test: none recorded under evidence/prod/ (due every 6 months at level 4, reported)'],
    ]);
  });

  it('NDC-BAK-005 applies to a level 1-2 system only when it has backups', () => {
    const f = variant('prod', (input) => {
      delete system(input, 'open-data-portal').backup;
    }, { render: false, evidence: withoutEvidence(evidenceOf('prod'), 'open-data-portal', 'restore-test') });
    const result = restoreTested.check(f.context).find((r) => r.systemId === 'open-data-portal');
    expect(result).toMatchObject({ status: 'not-applicable', message: 'level 2: no backup plan' });
  });
});

describe('residency pack', () => {
  it('has stable ids and every rule passes on prod as shipped', () => {
    expect(residencyPack.map((r) => r.id)).toEqual(['NDC-RES-001', 'NDC-RES-002', 'NDC-RES-003']);
    for (const rule of residencyPack) expect([rule.id, failures(rule, prod.context)]).toEqual([rule.id, []]);
  });

  it('NDC-RES-001 and NDC-RES-002 fail for systems and copies in a cluster that is not national', () => {
    const f = variant('prod', (input) => {
      input.regions[2].national = false;
    }, { render: false });
    // Level 3+ systems running in south: the portal and population-db (recovery), online-meeting (primary);
    // open-data-portal (level 2, no personal data) may run there.
    expect(failedSystems(nationalClustersOnly, f.context)).toEqual(['public-service-portal', 'population-db', 'online-meeting']);
    expect(failedSystems(backupCopiesNational, f.context)).toEqual(['public-service-portal', 'population-db', 'e-document-exchange', 'digital-signature-ca']);
    expect(nationalClustersOnly.check(f.context).find((r) => r.systemId === 'open-data-portal')?.status).toBe('not-applicable');
  });

  it('NDC-RES-001 applies to personal data at any level', () => {
    const f = variant('prod', (input) => {
      input.regions[2].national = false;
      system(input, 'open-data-portal').personalData = true;
    }, { render: false });
    expect(failedSystems(nationalClustersOnly, f.context)).toContain('open-data-portal');
  });

  it('NDC-RES-003 fails for a confidential system on the public edge', () => {
    const f = variant('prod', (input) => {
      system(input, 'e-document-exchange').publicEdge = true;
      system(input, 'open-data-portal').publicEdge = true;
    }, { render: false });
    expect(failures(publicEdgePublicOnly, f.context).map((r) => [r.systemId, r.message])).toEqual([['e-document-exchange', 'classification confidential, not public; level 3']]);
  });
});
