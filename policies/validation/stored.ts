import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, sha256 } from '../../core/canonical-json';
import { SOURCE_ROOT } from '../../core/source-root';
import { VELERO_CRD_DIR } from '../../stacks/kubernetes/prerequisites';
import { packageVersion, projectSourceDigest } from '../../stacks/cache';
import type { ValidationFinding } from './findings';
import type { ValidationInput } from './index';

/**
 * Earlier validations kept by the command line (ndc start: .ndc/cache/validation/), by a key over
 * everything the findings depend on: the validators' sources (every project source policies/validation
 * imports, transitively, and the versions of the packages they import), the data they read (the pinned
 * provider schemas and the vendored CRDs), the Node version, and the input itself (each artifact's path,
 * engine, stack and sha256, and the systems' tiers). A validator that starts reading other files must
 * add them to DATA_DIRS.
 */
export interface ValidationStore {
  read(key: string): ValidationFinding[] | undefined;
  write(key: string, findings: readonly ValidationFinding[]): void;
}

/** Bump when the key's composition or the stored form changes. */
const FORMAT = 1;

/** Folders of data files the validators read (besides packages, which the source digest versions). */
const DATA_DIRS = [join(SOURCE_ROOT, 'stacks', 'terraform', 'providers', 'schema'), VELERO_CRD_DIR];

/** Packages the validators load by a computed name (`kubernetes-models/<group>/<kind>`), which a scan of imports cannot see. */
const DYNAMIC_PACKAGES = ['kubernetes-models', '@kubernetes-models/base', '@kubernetes-models/validate', '@aws-cdk/aws-service-spec'];

let code: string | undefined;

/** The key of a validation, or undefined when the validators' sources or data cannot be read (validate afresh). */
export function validationKey(input: ValidationInput): string | undefined {
  try {
    code ??= sha256(
      canonicalJson({
        format: FORMAT,
        node: process.version,
        sources: projectSourceDigest('policies/validation/index.ts').digest,
        data: DATA_DIRS.map((dir) => readdirSync(dir).sort().map((file) => [file, sha256(readFileSync(join(dir, file), 'utf8'))])),
        packages: DYNAMIC_PACKAGES.map((name) => [name, packageVersion(name)]),
      }),
    );
    return sha256(
      canonicalJson({
        code,
        artifacts: input.manifest.artifacts.map((a) => ({ path: a.path, engine: a.engine, stack: a.stack, sha256: a.sha256 })),
        systems: input.systems.map((s) => ({ id: s.id, tiers: s.tiers.map((t) => t.name) })),
      }),
    );
  } catch {
    return undefined;
  }
}
