/**
 * What the offline validators report: one rejection an engine would make at plan or apply time, with the
 * artifact, the resource address, the attribute path and the reason, printable as one line.
 */
export interface ValidationFinding {
  /** The NDC-VAL rule the finding belongs to. */
  readonly check: string;
  /** The artifact's path relative to out/<env>/ (`terraform/backup-vaults/cdk.tf.json`). */
  readonly artifact: string;
  /** The resource address in that artifact (`minio_s3_bucket.north-platform-bucket`, `velero/Schedule/x`, a logical id). */
  readonly address: string;
  /** The attribute path inside the resource (`rule[0].default_retention[0].days`); empty for the whole resource. */
  readonly path: string;
  readonly reason: string;
}

/** `out/prod/terraform/x/cdk.tf.json: openstack_x.y: attr: reason`. */
export function findingLine(finding: ValidationFinding, env: string): string {
  const path = finding.path === '' ? '' : ` ${finding.path}:`;
  return `out/${env}/${finding.artifact}: ${finding.address}:${path} ${finding.reason}`;
}

/** A path segment appended to an attribute path: `a.b`, `a[0]`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

/** Findings in a stable order: artifact, address, path, rule. */
export function sortFindings(findings: ValidationFinding[]): ValidationFinding[] {
  const key = (f: ValidationFinding) => [f.artifact, f.address, f.path, f.check, f.reason];
  return findings.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return 0;
  });
}

/** Whether a value is a literal Terraform/CloudFormation can check now, or an expression known only at apply. */
export function isInterpolated(value: unknown): boolean {
  return typeof value === 'string' && value.includes('${');
}

/** Short, one-line rendering of a value for a reason. */
export function shown(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
