'use strict';
// Seals for what ndc keeps under <project>/.ndc/cache/ (rendered artifacts, transpiled environment files,
// validation findings, reachability lines, laid-out diagrams): an HMAC-SHA256 under a key kept outside
// the project, in ~/.ndc/cache.key (NDC_CACHE_KEY_FILE moves it), made on first use and readable by its
// owner only. An entry is used only when its seal verifies, so an entry someone wrote into the project
// without that key (a force-committed .ndc/, a file planted by a change) is never served to a report,
// a check or a diff on another machine: it is rendered, transpiled or computed afresh. Without a usable
// key (no writable home, a damaged key file) nothing is cached at all.
const { createHmac, randomBytes, timingSafeEqual } = require('node:crypto');
const { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { Buffer } = require('node:buffer');
const { homedir, userInfo } = require('node:os');
const { dirname, join } = require('node:path');

/**
 * Where the key is: NDC_CACHE_KEY_FILE, else .ndc/cache.key in the user's home as the system records it
 * (not $HOME, which commands and tests point elsewhere: the key, and the build sealed with it, stay the
 * user's whatever HOME a command runs with).
 */
function keyFile() {
  if (process.env.NDC_CACHE_KEY_FILE) return process.env.NDC_CACHE_KEY_FILE;
  let home;
  try {
    home = userInfo().homedir;
  } catch {
    home = homedir();
  }
  return join(home || homedir(), '.ndc', 'cache.key');
}

/** The key (a Buffer), null when none can be had; read or made once per process. */
let key;

function sealingKey() {
  if (key === undefined) {
    const file = keyFile();
    key = readKey(file) ?? createKey(file) ?? null;
  }
  return key;
}

function readKey(file) {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return /^[0-9a-f]{64}$/.test(text) ? Buffer.from(text, 'hex') : undefined;
  } catch {
    return undefined;
  }
}

/** Makes the key file whole or not at all; when another command made it first, theirs is used. */
function createKey(file) {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(temporary, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      linkSync(temporary, file);
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    return readKey(file);
  } catch {
    return undefined;
  } finally {
    rmSync(temporary, { force: true });
  }
}

/** Whether entries can be sealed (and so whether anything should be cached). */
function canSeal() {
  return sealingKey() !== null;
}

/** The seal of `content` (string or Buffer) kept for `purpose`, or undefined when no key can be had. */
function seal(purpose, content) {
  const k = sealingKey();
  if (k === null) return undefined;
  return createHmac('sha256', k).update(purpose).update('\u0000').update(content).digest('hex');
}

/** Whether `claimed` is the seal of `content` for `purpose` under this machine's key. */
function isSealed(purpose, content, claimed) {
  const expected = seal(purpose, content);
  if (expected === undefined || typeof claimed !== 'string' || claimed.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(claimed), Buffer.from(expected));
}

/** `text` preceded by a line holding its seal for `purpose`, as an entry file keeps it; undefined without a key. */
function sealText(purpose, text) {
  const s = seal(purpose, text);
  return s === undefined ? undefined : `${s}\n${text}`;
}

/** The text of an entry file written by sealText, or undefined when its seal is not this machine's for `purpose`. */
function openSealed(purpose, stored) {
  if (typeof stored !== 'string' || stored.indexOf('\n') !== 64) return undefined;
  const text = stored.slice(65);
  return isSealed(purpose, text, stored.slice(0, 64)) ? text : undefined;
}

/** The text of the sealed entry file `file` for `purpose`, or undefined when it is absent, unreadable or not sealed here. */
function readSealed(file, purpose) {
  try {
    return openSealed(purpose, readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * Writes `text` sealed for `purpose` to `file`, whole or not at all (a temporary sibling renamed into
 * place). Nothing is written without a key, and a read-only project or a full disk is no error: an entry
 * only saves work next time.
 */
function writeSealed(file, purpose, text) {
  const sealed = sealText(purpose, text);
  if (sealed === undefined) return;
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(temporary, sealed);
    renameSync(temporary, file);
  } catch {
    rmSync(temporary, { force: true });
  }
}

module.exports = { canSeal, isSealed, keyFile, openSealed, readSealed, seal, sealText, writeSealed };
