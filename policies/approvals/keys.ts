import { chmodSync, closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { sha256 } from '../../core/canonical-json';
import { InputError } from '../../core/errors';

/**
 * Reviewer keys are Ed25519. A key is named by its fingerprint, the sha256 of its DER public key, so a
 * trust store, an approval and a revocation all refer to the same key by the same 64 hex digits.
 */
export interface ReviewerKeyPair {
  readonly privatePem: string;
  readonly publicPem: string;
  readonly keyId: string;
}

export function generateReviewerKeyPair(): ReviewerKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicPem, keyId: keyIdOf(publicKey) };
}

const keyIds = new WeakMap<KeyObject, string>();

export function keyIdOf(publicKey: KeyObject): string {
  let keyId = keyIds.get(publicKey);
  if (keyId === undefined) {
    keyId = sha256(publicKey.export({ type: 'spki', format: 'der' }));
    keyIds.set(publicKey, keyId);
  }
  return keyId;
}

/**
 * Parsed keys by PEM text: a trust store is checked on load and again when resolved, and parsing dominates
 * the cost of verifying approvals. Key objects are immutable, so sharing them is safe.
 */
const parsedKeys = new Map<string, KeyObject | string>();
const PARSED_KEYS_LIMIT = 50_000;

/** Parses a PEM public key; returns a reason when it is not an Ed25519 public key. */
export function parsePublicKey(pem: string): KeyObject | string {
  let parsed = parsedKeys.get(pem);
  if (parsed === undefined) {
    parsed = parsePublicKeyUncached(pem);
    if (parsedKeys.size >= PARSED_KEYS_LIMIT) parsedKeys.clear();
    parsedKeys.set(pem, parsed);
  }
  return parsed;
}

function parsePublicKeyUncached(pem: string): KeyObject | string {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    return 'is not a PEM public key';
  }
  if (key.asymmetricKeyType !== 'ed25519') return `is a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`;
  return key;
}

export function readPublicKeyFile(file: string, shown: string): { pem: string; key: KeyObject; keyId: string } {
  if (!existsSync(file)) throw new InputError(shown, 'no such public key file');
  const pem = readFileSync(file, 'utf8');
  const key = parsePublicKey(pem);
  if (typeof key === 'string') throw new InputError(shown, `${key} (expected the .pub file written by ndc keys generate)`);
  return { pem: key.export({ type: 'spki', format: 'pem' }).toString(), key, keyId: keyIdOf(key) };
}

/** Reads a private key; like ssh, refuses one that other users can read. */
export function readPrivateKeyFile(file: string, shown: string): { key: KeyObject; keyId: string } {
  if (!existsSync(file)) throw new InputError(shown, 'no such private key file');
  const mode = statSync(file).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new InputError(shown, `permissions ${mode.toString(8).padStart(4, '0')} are too open for a private key; run chmod 600 ${shown}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(file, 'utf8'));
  } catch {
    throw new InputError(shown, 'is not a PEM private key (expected the .key file written by ndc keys generate)');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new InputError(shown, `is a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
  return { key, keyId: keyIdOf(createPublicKey(key)) };
}

/**
 * Signatures are over `<domain>\n<canonical JSON>`: the domain keeps a trust-store signature from being
 * replayed as an approval and back.
 */
export function signStatement(privateKey: KeyObject, domain: string, canonical: string): string {
  return sign(null, Buffer.from(`${domain}\n${canonical}`, 'utf8'), privateKey).toString('base64');
}

export function verifyStatement(publicKey: KeyObject, domain: string, canonical: string, signature: string): boolean {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  const bytes = Buffer.from(signature, 'base64');
  if (bytes.length !== 64) return false;
  try {
    return verify(null, Buffer.from(`${domain}\n${canonical}`, 'utf8'), publicKey, bytes);
  } catch {
    return false;
  }
}

/** Writes a new file and refuses to replace an existing one (`wx`), with the given mode. */
export function writeNewFile(file: string, shown: string, content: string, mode: number): void {
  let fd: number;
  try {
    fd = openSync(file, 'wx', mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new InputError(shown, 'already exists; refusing to overwrite a key (choose another --id or --out)');
    throw new InputError(shown, `cannot be created (${code ?? 'unknown error'})`);
  }
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
  chmodSync(file, mode);
}
