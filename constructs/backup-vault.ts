import { Construct } from 'constructs';
import { propError } from './props';

const VAULT = Symbol.for('ndc.BackupVault');

export interface BackupVaultProps {
  /** S3-compatible endpoint (host:port) of the cluster's object store (Ceph RGW / MinIO). */
  readonly endpoint?: string;
  /** Object lock (WORM) on the vault's buckets. Default: true. */
  readonly objectLock?: boolean;
  /** Default object-lock retention in days for immutable copies. Default: 30. */
  readonly lockDays?: number;
  /** KMS key encrypting the vault (server-side encryption). Default: `ndc-backup`. */
  readonly kmsKeyId?: string;
}

/** The S3-compatible backup vault of a regional cluster: versioned, encrypted, object-locked. */
export class BackupVault extends Construct {
  static isBackupVault(x: unknown): x is BackupVault {
    return typeof x === 'object' && x !== null && VAULT in x;
  }

  readonly endpoint: string;
  readonly objectLock: boolean;
  readonly lockDays: number;
  readonly kmsKeyId: string;

  constructor(scope: Construct, id: string, props: BackupVaultProps = {}) {
    super(scope, id);
    Object.defineProperty(this, VAULT, { value: true });
    const cluster = scope.node.id;
    const env = scope.node.scope?.node.id ?? 'ndc';
    this.endpoint = props.endpoint ?? `backup.${cluster}.${env}.cloud.gov.vn:443`;
    this.objectLock = props.objectLock ?? true;
    this.lockDays = props.lockDays ?? 30;
    if (!Number.isInteger(this.lockDays) || this.lockDays < 1) throw propError(this, 'lockDays', this.lockDays, 'must be a whole number of days, at least 1');
    this.kmsKeyId = props.kmsKeyId ?? 'ndc-backup';
  }
}
