import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { z } from 'zod';
import { calendarDateProblem } from '../core/dates';
import { InputError, show } from '../core/errors';
import { parseJsonFile } from '../core/json';
import { PLATFORM_SYSTEM_ID, type Environment } from './schema';
import { formatPath } from './validate';

/**
 * Evidence records: what was done to keep a system's security level (assessments, restore tests,
 * penetration tests, drills...), one JSON file each under `evidence/<env>/`. The interval rules and
 * `ndc schedule` read them; `ndc evidence` archives them with the documents they point to.
 */

/** The kinds of evidence ndc knows (other layers may add kinds here). */
export const EVIDENCE_KINDS = [
  'assessment',
  'restore-test',
  'penetration-test',
  'vulnerability-scan',
  'incident-drill',
  'risk-assessment',
  'monitoring-contract',
  'endpoint-protection',
  // Controls no artifact shows (policies/controls/attested.ts): the administration VPN, upstream DDoS
  // scrubbing, the redundant core network of the data centres.
  'admin-vpn',
  'ddos-protection',
  'core-redundancy',
] as const;
export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** The subject of evidence about the shared national infrastructure rather than one information system (the platform's scope). */
export const PLATFORM_SYSTEM = PLATFORM_SYSTEM_ID;

export const EVIDENCE_RESULTS = ['pass', 'fail', 'partial'] as const;
export type EvidenceResult = (typeof EVIDENCE_RESULTS)[number];

const day = z.string().superRefine((text, ctx) => {
  const problem = calendarDateProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem, input: text });
});

export const evidenceRecordSchema = z.strictObject({
  kind: z.enum(EVIDENCE_KINDS),
  /** An information system id of the environment, or `national-cloud-platform`. */
  system: z.string().min(1),
  /** The day the activity was carried out (YYYY-MM-DD). */
  performed: day,
  /** The person or organisation who carried it out. */
  by: z.string().trim().min(1, 'must name the person or organisation'),
  result: z.enum(EVIDENCE_RESULTS),
  document: z.strictObject({
    /** The report, relative to evidence/<env>/; when given, its sha256 is verified on load. */
    path: z.string().min(1).optional(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (the sha256 of the document)'),
  }),
  /** The last day the record stands as evidence (a report's or contract's own validity). */
  validUntil: day,
  notes: z.string().optional(),
});

export type EvidenceRecord = z.output<typeof evidenceRecordSchema>;

/** A record as loaded: with the file it came from, relative to the project root. */
export interface LoadedEvidenceRecord extends EvidenceRecord {
  readonly source: string;
}

/** The evidence folder of an environment, relative to the project root. */
export const evidenceDir = (env: string): string => `evidence/${env}`;

export interface EvidenceOptions {
  /**
   * `refuse` (default): a record naming a system the environment does not have is bad input. `skip`:
   * leave it out (test fixtures that remove systems from a shipped environment).
   */
  readonly unknownSystems?: 'refuse' | 'skip';
}

/**
 * Reads every `evidence/<env>/*.json` in file-name order and validates each against the environment.
 * The first problem is an InputError naming file, field and reason; no directory means no evidence.
 */
export function loadEvidence(root: string, env: Pick<Environment, 'name' | 'systems'>, opts: EvidenceOptions = {}): LoadedEvidenceRecord[] {
  const folder = evidenceDir(env.name);
  const dir = join(root, folder);
  if (!existsSync(dir)) return [];
  const systems = new Set([PLATFORM_SYSTEM, ...env.systems.map((s) => s.id)]);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const records: LoadedEvidenceRecord[] = [];
  const seen = new Map<string, string>();
  for (const file of files) {
    const source = `${folder}/${file}`;
    if (!lstatSync(join(dir, file)).isFile()) throw new InputError(source, 'is not a regular file (an evidence record is one JSON file)');
    const parsed = evidenceRecordSchema.safeParse(parseJsonFile(readFileSync(join(dir, file), 'utf8'), source));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const reason = issue.code === 'unrecognized_keys' ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => show(k)).join(', ')}` : issue.message;
      throw new InputError(`${source}: ${formatPath(issue.path) || '(top level)'}`, reason);
    }
    const record = parsed.data;
    if (!systems.has(record.system)) {
      if (opts.unknownSystems === 'skip') continue;
      throw new InputError(`${source}: system`, `${show(record.system)} is not a system of environment ${env.name} (systems: ${[...systems].join(', ')})`);
    }
    if (record.validUntil < record.performed) throw new InputError(`${source}: validUntil`, `${record.validUntil} is before performed ${record.performed}`);
    if (record.document.path !== undefined) verifyDocument(root, folder, source, record.document.path, record.document.sha256);
    const key = `${record.kind} ${record.system} ${record.performed}`;
    const earlier = seen.get(key);
    if (earlier) throw new InputError(source, `duplicate of ${earlier} (the same ${record.kind} of ${record.system} on ${record.performed})`);
    seen.set(key, source);
    records.push({ ...record, source });
  }
  return records;
}

/** The document path inside evidence/<env>/, or an InputError when it is absolute or leaves the folder. */
export function documentPath(folder: string, source: string, path: string): string {
  const normalised = normalize(path);
  if (isAbsolute(path) || normalised === '..' || normalised.startsWith(`..${sep}`) || path.includes('\\')) {
    throw new InputError(`${source}: document.path`, `${show(path)} must be a relative path inside ${folder}/`);
  }
  return `${folder}/${normalised.split(sep).join('/')}`;
}

function verifyDocument(root: string, folder: string, source: string, path: string, expected: string): void {
  const inProject = documentPath(folder, source, path);
  const file = join(root, inProject);
  if (!existsSync(file) || !lstatSync(file).isFile()) throw new InputError(`${source}: document.path`, `${inProject} does not exist (or is not a regular file)`);
  const actual = createHash('sha256').update(readFileSync(file)).digest('hex');
  if (actual !== expected) throw new InputError(`${source}: document.sha256`, `${expected.slice(0, 12)}... is not the sha256 of ${inProject} (${actual.slice(0, 12)}...)`);
}

/** The latest record of a kind for a system (by date performed, then file name), or undefined. */
export function latestEvidence(records: readonly LoadedEvidenceRecord[], system: string, kind: EvidenceKind | string): LoadedEvidenceRecord | undefined {
  let latest: LoadedEvidenceRecord | undefined;
  for (const r of records) {
    if (r.system !== system || r.kind !== kind) continue;
    if (!latest || r.performed > latest.performed || (r.performed === latest.performed && r.source > latest.source)) latest = r;
  }
  return latest;
}
