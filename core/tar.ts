import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * Reproducible tar.gz archives (POSIX ustar): regular files only, in the order given, with one fixed
 * mtime, owner 0:0 and mode 0644, so the same entries give the same bytes. The reader accepts exactly
 * what the writer makes and refuses anything else (links, devices, paths leaving the archive).
 */

export interface TarEntry {
  readonly path: string;
  readonly content: Buffer;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** ustar keeps up to 100 bytes of name and 155 of prefix, split at a slash. */
function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new Error(`internal: ${path} is too long for a ustar archive`);
}

function header(path: string, size: number, mtime: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const { name, prefix } = splitPath(path);
  block.write(name, 0, 'utf8');
  block.write(octal(0o644, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(mtime, 12), 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write('0', 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  block.write(prefix, 345, 'utf8');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
}

/** The tar.gz of `entries` in the order given, every entry stamped with `mtime` (seconds since 1970). */
export function writeTarGz(entries: readonly TarEntry[], mtime: number): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(header(entry.path, entry.content.length, mtime), entry.content);
    const pad = (BLOCK - (entry.content.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  // zlib's gzip header carries no time or file name: the bytes depend on the content alone.
  return gzipSync(Buffer.concat(parts), { level: 9 });
}

/** Why a tar.gz cannot be read, as thrown by readTarGz. */
export class TarError extends Error {}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('utf8');
}

/** The regular files of a tar.gz written by writeTarGz (or any plain ustar archive), in archive order. */
export function readTarGz(data: Buffer, maxBytes = 1 << 30): TarEntry[] {
  let tar: Buffer;
  try {
    tar = gunzipSync(data, { maxOutputLength: maxBytes });
  } catch (error) {
    throw new TarError(`is not a gzip file (${(error as Error).message})`);
  }
  const entries: TarEntry[] = [];
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const block = tar.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) return entries;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i];
    if (parseInt(field(block, 148, 8).trim(), 8) !== sum) throw new TarError(`has a damaged header at byte ${offset}`);
    const prefix = field(block, 345, 155);
    const path = prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100);
    const type = String.fromCharCode(block[156]);
    if (type !== '0' && type !== '\0') throw new TarError(`${path}: is not a regular file (tar type ${JSON.stringify(type)})`);
    const size = parseInt(field(block, 124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || offset + BLOCK + size > tar.length) throw new TarError(`${path}: is cut short`);
    entries.push({ path, content: Buffer.from(tar.subarray(offset + BLOCK, offset + BLOCK + size)) });
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  throw new TarError('ends without the end-of-archive blocks (cut short)');
}
