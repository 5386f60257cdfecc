import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../core/errors';
import { generateReviewerKeyPair, writeNewFile } from '../../policies/approvals/keys';
import type { CommandIO } from '../io';
import { guarded, printJson, requireId, resolvePath } from './common';

export interface KeysGenerateOptions {
  readonly id: string;
  /** Directory for `<id>.key` (private, mode 0600) and `<id>.pub`. */
  readonly out: string;
}

/** `ndc keys generate --id ID --out DIR`: an Ed25519 key pair for a reviewer; never overwrites a key. */
export async function keysGenerateCommand(opts: KeysGenerateOptions, io: CommandIO): Promise<number> {
  return guarded(io, 'keys generate', async () => {
    const id = requireId('--id', opts.id);
    if (!opts.out) throw new InputError('--out', 'is required (the directory for the key files)');
    const dir = resolvePath(io, opts.out);
    if (existsSync(dir.file) && !statSync(dir.file).isDirectory()) throw new InputError(`--out ${dir.shown}`, 'is not a directory');
    const privateFile = resolvePath(io, join(dir.file, `${id}.key`));
    const publicFile = resolvePath(io, join(dir.file, `${id}.pub`));
    for (const f of [privateFile, publicFile]) if (existsSync(f.file)) throw new InputError(f.shown, 'already exists; refusing to overwrite a key (choose another --id or --out)');
    mkdirSync(dir.file, { recursive: true, mode: 0o700 });
    const pair = generateReviewerKeyPair();
    writeNewFile(privateFile.file, privateFile.shown, pair.privatePem, 0o600);
    writeNewFile(publicFile.file, publicFile.shown, pair.publicPem, 0o644);
    if (io.json) printJson(io, 'keys generate', { id, keyId: pair.keyId, privateKey: privateFile.shown, publicKey: publicFile.shown });
    else {
      io.out(`wrote ${privateFile.shown} (private key, mode 0600: keep it to yourself)`);
      io.out(`wrote ${publicFile.shown} (public key: give it to whoever edits the trust store)`);
      io.out(`key id ${pair.keyId}`);
    }
    return 0;
  });
}
