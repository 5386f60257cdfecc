import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, stableJson } from '../../core/canonical-json';
import { InputError } from '../../core/errors';
import type { TarEntry } from '../../core/tar';
import { documentPath, evidenceDir, type LoadedEvidenceRecord } from '../../environments/evidence';
import type { Ledger } from '../../ledger/ledger';
import { readPrivateKeyFile } from '../../policies/approvals/keys';
import { readTrustStore } from '../../policies/approvals/trust-store';
import { policyInForce } from '../../policies/engine';
import { evaluatePolicies } from '../../policies/evaluate';
import { archiveEntries, buildEvidenceArchive, TRUST_STORE_ENTRY, checkSigner, verifyEvidenceArchive } from '../../policies/evidence-archive';
import { intervalsOf } from '../../policies/evidence-intervals';
import { renderReport, REPORT_FORMATS, type ReportFormat } from '../../policies/reports';
import { renderSchedule } from '../../policies/reports/schedule';
import { addDays, scheduleOf } from '../../policies/schedule';
import type { ProjectReader } from '../../stacks/project';
import type { CommandIO } from '../io';
import { parseAsOf, writeAtomically } from './check';
import { printJson, refuseProjectInput, requireId, resolvePath } from './common';
import { DEFAULT_SCHEDULE_DAYS } from './schedule';

export interface EvidenceOptions {
  readonly env: string;
  readonly out?: string;
  readonly key?: string;
  readonly as?: string;
  /** YYYY-MM-DD: the day the archive is made for (default: the environment's asOf, else today). */
  readonly asOf?: string;
  /** YYYY-MM-DD: first day of the ledger extract (default: a year before asOf). */
  readonly since?: string;
  readonly openLedger: () => Ledger;
  readonly trustRoots: readonly string[];
  readonly project: ProjectReader;
}

const REPORT_FILES: Record<ReportFormat, string> = {
  text: 'report/policy-report.txt',
  json: 'report/policy-report.json',
  sarif: 'report/policy-report.sarif',
  junit: 'report/policy-report.junit.xml',
  markdown: 'report/policy-report.md',
  html: 'report/policy-report.html',
};

const text = (path: string, content: string): TarEntry => ({ path, content: Buffer.from(content, 'utf8') });
const day = (date: Date): string => date.toISOString().slice(0, 10);

/**
 * `ndc evidence --env E --out FILE --key KEY --as ID [--as-of D] [--since D]`: the signed, reproducible
 * evidence archive for the periodic assessment. Exit 0, or 2 on bad input (including a signer the trust
 * store does not accept).
 */
export async function evidenceCommand(opts: EvidenceOptions, io: CommandIO): Promise<number> {
  if (opts.out === undefined || opts.out === '') throw new InputError('--out', 'is required (the archive to write, for example --out evidence-prod.tar.gz)');
  refuseProjectInput(io.root, opts.out, '--out');
  if (opts.key === undefined || opts.key === '') throw new InputError('--key', "is required (the signing reviewer's private key)");
  const reviewer = requireId('--as', opts.as);
  const keyFile = resolvePath(io, opts.key);
  const { key, keyId } = readPrivateKeyFile(keyFile.file, keyFile.shown);
  const { env, source, evidence } = opts.project.loadEnvironment(opts.env);
  const asOf = opts.asOf !== undefined ? day(parseAsOf(opts.asOf)!) : (env.asOf ?? day(io.now()));
  const since = opts.since !== undefined ? day(parseAsOf(opts.since)!) : addDays(asOf, -365);
  if (since > asOf) throw new InputError('--since', `${since} is after the archive's day ${asOf}`);
  checkSigner(readTrustStore(io.root, opts.env), opts.env, opts.trustRoots, { reviewer, keyId }, asOf);

  const evaluation = evaluatePolicies(io.root, opts.env, { asOf: new Date(`${asOf}T00:00:00Z`), now: io.now() });
  if (evaluation.synthesized) io.err(`ndc evidence: synthesized out/${opts.env}/ first (${evaluation.synthReason})`);
  // The report alone: whether this run had to synthesize first is not part of what was assessed.
  const { source: reportSource, synthesized: _synthesized, synthReason: _reason, ...report } = evaluation;
  const entries: TarEntry[] = REPORT_FORMATS.map((format) => text(REPORT_FILES[format], renderReport(report, format, reportSource)));
  entries.push({ path: 'manifest.json', content: readFileSync(join(io.root, 'out', opts.env, 'manifest.json')) });
  entries.push(...filesOf(join(io.root, 'approvals', opts.env), 'approvals'));
  entries.push(...evidenceFiles(io.root, opts.env, evidence));
  const { profile } = policyInForce(env, source);
  entries.push(text('profile.json', stableJson({ profile, intervals: intervalsOf(profile), policyDigest: evaluation.policyDigest })));
  entries.push(text('schedule.json', renderSchedule(scheduleOf({ root: io.root, env, evidence, asOf, days: DEFAULT_SCHEDULE_DAYS }), 'json')));
  entries.push(...(await ledgerEntries(opts, io.root, since, asOf)));
  if (!entries.some((e) => e.path === TRUST_STORE_ENTRY)) throw new InputError(`approvals/${opts.env}/trust-store.json`, 'is missing: the archive must carry the trust store its signature is checked against');

  const archive = buildEvidenceArchive(
    {
      index: { env: opts.env, asOf, period: { since, until: asOf }, profile: { name: evaluation.profile.name, version: evaluation.profile.version, title: evaluation.profile.title }, policyDigest: evaluation.policyDigest, manifestDigest: evaluation.manifestDigest },
      entries,
    },
    { reviewer, keyId, privateKey: key },
  );
  const written = writeAtomically(io.root, opts.out, archive, '--out');
  const summary = { archive: written, env: opts.env, asOf, period: { since, until: asOf }, entries: entries.length + 2, signer: reviewer, mandatoryFailures: evaluation.mandatoryFailures };
  if (io.json) printJson(io, 'evidence', summary);
  else io.out(`Wrote ${written}: ${summary.entries} entries for ${opts.env} on ${asOf} (ledger ${since} to ${asOf}), index signed by ${reviewer}; policy: ${evaluation.mandatoryFailures} mandatory failure${evaluation.mandatoryFailures === 1 ? '' : 's'}`);
  return 0;
}

/** Every regular file of a folder, in name order, under `prefix/` (none when the folder is absent). */
function filesOf(dir: string, prefix: string): TarEntry[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .filter((name) => statSync(join(dir, name)).isFile() && !name.includes('.tmp-'))
    .map((name) => ({ path: `${prefix}/${name}`, content: readFileSync(join(dir, name)) }));
}

/** The evidence records as their files, and the documents they point to (already verified on load). */
function evidenceFiles(root: string, env: string, records: readonly LoadedEvidenceRecord[]): TarEntry[] {
  const folder = evidenceDir(env);
  const entries: TarEntry[] = [];
  const documents = new Set<string>();
  for (const record of records) {
    entries.push({ path: `evidence/${record.source.slice(folder.length + 1)}`, content: readFileSync(join(root, record.source)) });
    if (record.document.path !== undefined) documents.add(documentPath(folder, record.source, record.document.path));
  }
  for (const document of [...documents].sort()) entries.push({ path: `evidence/${document.slice(folder.length + 1)}`, content: readFileSync(join(root, document)) });
  return entries;
}

/** The environment's ledger records in the period, one canonical JSON line each, and the verification of the whole chain. */
async function ledgerEntries(opts: EvidenceOptions, root: string, since: string, until: string): Promise<TarEntry[]> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { auditLedger } = require('../../ledger/audit') as typeof import('../../ledger/audit');
  const ledger = opts.openLedger();
  try {
    const { recordList, filed: _filed, ...verification } = await auditLedger(ledger, { root, trustRoots: opts.trustRoots });
    const extract = recordList.filter((r) => r.env === opts.env && r.at.slice(0, 10) >= since && r.at.slice(0, 10) <= until);
    return [
      text('ledger/records.jsonl', extract.map((r) => `${canonicalJson(r)}\n`).join('')),
      text('ledger/verification.json', stableJson({ ledger: ledger.id, period: { since, until }, extract: { records: extract.length, firstSeq: extract[0]?.seq ?? null, lastSeq: extract[extract.length - 1]?.seq ?? null }, ...verification })),
    ];
  } finally {
    await ledger.close();
  }
}

/**
 * `ndc evidence verify FILE`: every entry against the signed index, the signature against the archive's
 * trust store pinned by NDC_TRUST_ROOT. Exit 0 intact, 1 tampered or not trusted, 2 not an archive.
 */
export async function evidenceVerifyCommand(opts: { file?: string; trustRoots: readonly string[] }, io: CommandIO): Promise<number> {
  if (opts.file === undefined || opts.file === '') throw new InputError('(no file)', 'ndc evidence verify needs the archive to check: ndc evidence verify FILE');
  const { file, shown } = resolvePath(io, opts.file);
  if (!existsSync(file) || !statSync(file).isFile()) throw new InputError(shown, 'no such file');
  const entries = archiveEntries(readFileSync(file));
  if (typeof entries === 'string') throw new InputError(shown, `is not an evidence archive: ${entries}`);
  const verdict = verifyEvidenceArchive(entries, opts.trustRoots);
  if (!verdict.ok) {
    if (io.json) printJson(io, 'evidence verify', { archive: shown, intact: false, entry: verdict.where, reason: verdict.reason });
    else io.err(`ndc evidence verify: ${shown}: ${verdict.where}: ${verdict.reason}`);
    return 1;
  }
  const { index } = verdict;
  if (io.json) printJson(io, 'evidence verify', { archive: shown, intact: true, env: index.env, asOf: index.asOf, entries: index.entries.length, signer: index.signer, trustStoreVersion: verdict.trustVersion });
  else io.out(`OK: ${shown}: ${index.entries.length} entries match the index of ${index.env} on ${index.asOf}, signed by ${index.signer.reviewer} (key ${index.signer.keyId.slice(0, 16)}..., trust store version ${verdict.trustVersion})`);
  return 0;
}
