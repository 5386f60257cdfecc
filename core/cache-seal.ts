import { join } from 'node:path';
import { SOURCE_ROOT } from './source-root';

/**
 * Seals for the entries ndc keeps under .ndc/cache/ (bin/cache-seal.js, shared with the start-up code
 * that runs before dist/ loads): an HMAC under a key outside the project, so an entry written into the
 * project without it (a force-committed .ndc/, a planted file) is never used.
 */
interface CacheSeal {
  /** Whether a key could be had: without one nothing is cached. */
  canSeal(): boolean;
  /** The seal of `content` for `purpose`, or undefined when no key can be had. */
  seal(purpose: string, content: string | Buffer): string | undefined;
  /** Whether `claimed` is the seal of `content` for `purpose` under this machine's key. */
  isSealed(purpose: string, content: string | Buffer, claimed: unknown): boolean;
  /** `text` preceded by a line holding its seal for `purpose`; undefined when no key can be had. */
  sealText(purpose: string, text: string): string | undefined;
  /** The text of an entry written by sealText, or undefined when its seal is not this machine's for `purpose`. */
  openSealed(purpose: string, stored: string): string | undefined;
  /** The text of the sealed entry file `file`, or undefined when it is absent, unreadable or not sealed here for `purpose`. */
  readSealed(file: string, purpose: string): string | undefined;
  /** Writes `text` sealed for `purpose` to `file`, whole or not at all; nothing without a key, no error on a read-only project. */
  writeSealed(file: string, purpose: string, text: string): void;
  /** Where the key is kept (~/.ndc/cache.key, or NDC_CACHE_KEY_FILE). */
  keyFile(): string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const cacheSeal = require(join(SOURCE_ROOT, 'bin', 'cache-seal.js')) as CacheSeal;
