import { latestEvidence, type LoadedEvidenceRecord } from '../environments/evidence';

/**
 * The evidence records grouped by `kind|system`, built once per loaded record list: the rules ask per
 * system, and a scan of every record per system would grow with the square of the cloud's size.
 */

interface EvidenceIndex {
  readonly byKey: ReadonlyMap<string, readonly LoadedEvidenceRecord[]>;
  /** Each record's place in the loaded list. */
  readonly position: ReadonlyMap<LoadedEvidenceRecord, number>;
}

const indexes = new WeakMap<readonly LoadedEvidenceRecord[], EvidenceIndex>();

function indexOf(records: readonly LoadedEvidenceRecord[]): EvidenceIndex {
  const cached = indexes.get(records);
  if (cached) return cached;
  const byKey = new Map<string, LoadedEvidenceRecord[]>();
  const position = new Map<LoadedEvidenceRecord, number>();
  records.forEach((r, i) => {
    position.set(r, i);
    const key = `${r.kind}|${r.system}`;
    const list = byKey.get(key);
    if (list) list.push(r);
    else byKey.set(key, [r]);
  });
  const index = { byKey, position };
  indexes.set(records, index);
  return index;
}

/** The records of one kind for any of the given systems, in the order they were loaded. */
export function evidenceRecordsOf(records: readonly LoadedEvidenceRecord[], kind: string, systems: readonly string[]): LoadedEvidenceRecord[] {
  const { byKey, position } = indexOf(records);
  const lists = [...new Set(systems)].map((s) => byKey.get(`${kind}|${s}`) ?? []);
  // Back in load order, as a filter over the whole list would give them.
  return lists.flat().sort((a, b) => position.get(a)! - position.get(b)!);
}

/** latestEvidence over the index: the same record, without scanning every system's records. */
export function latestEvidenceOf(records: readonly LoadedEvidenceRecord[], system: string, kind: string): LoadedEvidenceRecord | undefined {
  return latestEvidence(indexOf(records).byKey.get(`${kind}|${system}`) ?? [], system, kind);
}
