import { Construct } from 'constructs';
import { propError } from './props';

const STORAGE_POOL = Symbol.for('ndc.StoragePool');

export interface StoragePoolProps {
  /** Cinder volume type. Default: `encrypted` (shared) or `dedicated-<system>` (dedicated). */
  readonly volumeType?: string;
  /** Storage backends used only by one information system (levels 4-5). Default: false. */
  readonly dedicatedTo?: string;
  /** Volumes encrypted at rest. Default: true. */
  readonly encrypted?: boolean;
}

/** Block storage of a cluster, shared or dedicated to one system. */
export class StoragePool extends Construct {
  static isStoragePool(x: unknown): x is StoragePool {
    return typeof x === 'object' && x !== null && STORAGE_POOL in x;
  }

  readonly volumeType: string;
  readonly dedicatedTo?: string;
  readonly encrypted: boolean;

  constructor(scope: Construct, id: string, props: StoragePoolProps = {}) {
    super(scope, id);
    Object.defineProperty(this, STORAGE_POOL, { value: true });
    this.dedicatedTo = props.dedicatedTo;
    this.encrypted = props.encrypted ?? true;
    this.volumeType = props.volumeType ?? (props.dedicatedTo ? `dedicated-${props.dedicatedTo}` : 'encrypted');
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(this.volumeType)) throw propError(this, 'volumeType', this.volumeType, 'must be a volume type name (lower-case letters, digits, . _ -)');
  }
}
