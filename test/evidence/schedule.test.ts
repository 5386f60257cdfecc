import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { main } from '../../cli/main';
import { loadEnvironment } from '../../environments/load';
import { writeTrustStore, versionHash, type TrustVersionBody } from '../../policies/approvals/trust-store';
import { signApproval, writeApproval } from '../../policies/approvals/statement';
import { foldLine, scheduleICalendar } from '../../policies/reports/schedule';
import { PROFILES } from '../../policies/profiles';
import { scheduleOf } from '../../policies/schedule';
import { keyOf, reviewerEntry } from '../approvals/fixture';
import { captureIO, REPO, tempProject } from '../helpers';

const prod = loadEnvironment(REPO, 'prod');
const scheduleOn = (asOf: string, days = 90, root = REPO, loaded = prod) => scheduleOf({ root, env: loaded.env, evidence: loaded.evidence, asOf, days });

describe('ndc schedule: what falls due', () => {
  it('lists evidence due in the window from the latest records and the profile intervals, sorted by date', () => {
    const schedule = scheduleOn('2026-11-27');
    expect(schedule.until).toBe('2027-02-25');
    const dates = schedule.items.map((i) => i.date);
    expect(dates).toEqual([...dates].sort());
    expect(dates.every((d) => d <= '2027-02-25')).toBe(true);
    // population-db (level 5) restored 2026-10-20: next quarterly restore test due 2027-01-20.
    expect(schedule.items.find((i) => i.subject === 'population-db' && i.what === 'restore-test')).toMatchObject({
      date: '2027-01-20',
      status: 'due',
      category: 'evidence',
      source: 'evidence/prod/population-db-restore-test-2026-10-20.json',
      detail: 'last: 2026-10-20 by National Data Center No. 1 operations team (every 3 months at level 5, reported)',
    });
    // The platform's 24/7 monitoring contract has no interval: it is renewed when it expires.
    expect(schedule.items.find((i) => i.what === 'monitoring-contract')).toMatchObject({ date: '2027-01-01', status: 'expires', subject: 'national-cloud-platform' });
    // Beyond the window: open-data-portal's assessment (2025-10-06, every 2 years) is due 2027-10-06.
    expect(schedule.items.some((i) => i.subject === 'open-data-portal' && i.what === 'assessment')).toBe(false);
    expect(scheduleOn('2026-11-27', 365).items.find((i) => i.subject === 'open-data-portal' && i.what === 'assessment')?.date).toBe('2027-10-06');
  });

  it('puts missing, failed and overdue evidence first, as overdue on the day', () => {
    const { env, evidence } = prod;
    const edited = evidence.filter((r) => !(r.system === 'online-meeting' && r.kind === 'incident-drill')).map((r) => (r.system === 'population-db' && r.kind === 'penetration-test' ? { ...r, result: 'fail' as const } : r));
    const schedule = scheduleOf({ root: REPO, env, evidence: edited, asOf: '2027-01-25', days: 30 });
    expect(schedule.items.filter((i) => i.status === 'overdue').map((i) => [i.date, i.subject, i.what, i.detail])).toEqual([
      ['2027-01-01', 'national-cloud-platform', 'monitoring-contract', 'valid until 2027-01-01: National Cyber Security Monitoring Centre (NCSC)'],
      ['2027-01-20', 'population-db', 'restore-test', 'last: 2026-10-20 by National Data Center No. 1 operations team (every 3 months at level 5, reported)'],
      ['2027-01-25', 'online-meeting', 'incident-drill', 'no incident-drill recorded (every 12 months at level 3, ndc policy)'],
      ['2027-01-25', 'population-db', 'penetration-test', 'last one failed: 2026-09-14 by National Cyber Security Center (NCSC), Ministry of Public Security (every 6 months at level 5, reported)'],
    ]);
  });

  describe('approvals and reviewer keys', () => {
    let root: string;
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('lists approvals and reviewer entries expiring in the window, not those already expired', () => {
      root = tempProject('ndc-schedule-');
      const body: TrustVersionBody = {
        env: 'prod',
        version: 1,
        previous: null,
        threshold: 1,
        reviewers: [reviewerEntry('su-go', ['security-unit'], ['*'], { notBefore: '2026-01-01', notAfter: '2027-01-15' }), reviewerEntry('nca-1', ['national-authority'], ['*'], { notBefore: '2026-01-01', notAfter: '2028-12-31' })],
        revokedKeys: [],
      };
      writeTrustStore(root, 'prod', { versions: [{ body, signatures: [] }] });
      const statement = (expires: string, digest: string) => ({ env: 'prod', operation: 'deploy' as const, digest, policyDigest: 'p', systems: [{ id: 'population-db', level: 5 }], reviewer: 'su-go', role: 'security-unit' as const, keyId: keyOf('su-go').keyId, issued: '2026-11-20T09:00:00.000Z', expires });
      writeApproval(root, 'prod', signApproval(statement('2026-12-20T09:00:00.000Z', 'a'.repeat(64)), keyOf('su-go').privateKey));
      writeApproval(root, 'prod', signApproval(statement('2026-11-26T09:00:00.000Z', 'b'.repeat(64)), keyOf('su-go').privateKey));
      const items = scheduleOn('2026-11-27', 90, root, loadEnvironment(root, 'prod')).items.filter((i) => i.category !== 'evidence');
      expect(items.map((i) => [i.date, i.category, i.subject, i.status])).toEqual([
        ['2026-12-20', 'approval', 'su-go', 'expires'],
        ['2027-01-15', 'reviewer', 'su-go', 'expires'],
      ]);
      expect(items[0].detail).toBe('security-unit approval of population-db (digest aaaaaaaaaaaa...) expires 2026-12-20T09:00:00.000Z');
      expect(items[1].source).toBe('approvals/prod/trust-store.json');
      expect(versionHash(body)).toMatch(/^[0-9a-f]{64}$/);
    });
  });

  describe('iCalendar (RFC 5545) a team subscribes to', () => {
    const schedule = scheduleOn('2026-11-27', 120);
    const ics = scheduleICalendar(schedule);

    it('parses with ical.js: one event per item, all-day on the due date, stamped with the asOf day', () => {
      const calendar = new ICAL.Component(ICAL.parse(ics));
      const events = calendar.getAllSubcomponents('vevent');
      expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
      expect(events).toHaveLength(schedule.items.length);
      events.forEach((event, i) => {
        const item = schedule.items[i];
        const parsed = new ICAL.Event(event);
        expect(parsed.uid).toBe(`${item.uid}@ndc`);
        expect(parsed.startDate.isDate).toBe(true);
        expect(parsed.startDate.toString()).toBe(item.date);
        expect(event.getFirstPropertyValue('dtstamp')?.toString()).toBe('2026-11-27T00:00:00Z');
        // Escaped commas and semicolons come back as written.
        expect(parsed.description.split('\n')[0]).toBe(item.detail);
      });
    });

    it('uses CRLF line ends and folds every line at 75 octets without splitting a character', () => {
      expect(ics.endsWith('\r\n')).toBe(true);
      expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
      for (const line of ics.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
      const vietnamese = `DESCRIPTION:${'Cục An toàn thông tin, Bộ Thông tin và Truyền thông; '.repeat(4)}`;
      const folded = foldLine(vietnamese);
      expect(folded.split('\r\n').every((l, i) => Buffer.byteLength(l) <= 75 && (i === 0 || l.startsWith(' ')))).toBe(true);
      expect(folded.split('\r\n ').join('')).toBe(vietnamese);
    });

    it('is byte-identical for the same inputs, and keeps each obligation\'s UID when its date moves', () => {
      expect(scheduleICalendar(scheduleOn('2026-11-27', 120))).toBe(ics);
      const later = scheduleOn('2027-01-21', 120);
      const before = schedule.items.find((i) => i.subject === 'population-db' && i.what === 'restore-test')!;
      const after = later.items.find((i) => i.subject === 'population-db' && i.what === 'restore-test')!;
      expect([after.uid, after.status]).toEqual([before.uid, 'overdue']);
    });
  });

  describe('the command', () => {
    let root: string;
    beforeAll(() => {
      root = tempProject('ndc-schedule-cli-');
    });
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it('prints text by default, json with --format json, and writes an .ics with --output', async () => {
      const text = captureIO(root);
      expect(await main(['schedule', '--env', 'prod', '--as-of', '2026-11-27'], text.io)).toBe(0);
      expect(text.out.join('\n').split('\n')[0]).toBe(`Schedule for prod (profile vn-2016 ${PROFILES['vn-2016'].version}), 2026-11-27 to 2027-02-25 (90 days): ${scheduleOn('2026-11-27').items.length} items`);
      const json = captureIO(root, true);
      expect(await main(['schedule', '--env', 'prod', '--days', '30', '--as-of', '2026-11-27'], json.io)).toBe(0);
      expect(JSON.parse(json.out.join('\n'))).toMatchObject({ env: 'prod', days: 30, until: '2026-12-27' });
      const ical = captureIO(root);
      expect(await main(['schedule', '--env', 'prod', '--format', 'ical', '--output', 'calendar/prod.ics', '--as-of', '2026-11-27'], ical.io)).toBe(0);
      expect(readFileSync(join(root, 'calendar/prod.ics'), 'utf8')).toBe(scheduleICalendar(scheduleOn('2026-11-27')));
    });

    it.each([
      [['--days', '0'], 'ndc schedule: --days: "0": must be a whole number of days from 1 to 3660'],
      [['--days', '1.5'], 'ndc schedule: --days: "1.5": must be a whole number of days from 1 to 3660'],
      [['--format', 'pdf'], 'ndc schedule: --format: "pdf" is not a schedule format (formats: text, json, ical)'],
      [['--output', 'environments/prod.ics'], expect.stringMatching(/^ndc schedule: --output: /)],
    ])('refuses %j in one line, exit 2', async (args, message) => {
      const { io, err } = captureIO(root);
      expect(await main(['schedule', '--env', 'prod', ...args], io)).toBe(2);
      expect(err).toEqual([message]);
    });
  });
});
