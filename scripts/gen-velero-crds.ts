/**
 * Writes stacks/kubernetes/crds/velero-<release>/crds.json: the vendored upstream CRD files (the YAML
 * beside it, unchanged) parsed once, in file order, so synthesis and validation read them with JSON.parse
 * instead of the YAML parser (a tenth of a cold `ndc start`). test/kubernetes-prerequisites.test.ts
 * checks that it holds exactly what the YAML files hold.
 * Run after updating the vendored files: node bin/run-ts.js scripts/gen-velero-crds.ts
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { VELERO_CRD_DIR, VELERO_CRDS_FILE } from '../stacks/kubernetes/prerequisites';

const crds = readdirSync(VELERO_CRD_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(VELERO_CRD_DIR, file), 'utf8')).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0].message}`);
      return doc.toJS() as unknown;
    }),
  );
writeFileSync(join(VELERO_CRD_DIR, VELERO_CRDS_FILE), `${JSON.stringify(crds)}\n`);
console.log(`${VELERO_CRDS_FILE}: ${crds.length} CRDs`);
