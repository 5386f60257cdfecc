import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository the command runs from. Data files shipped with the sources (provider schemas, vendored
 * CRDs) are read there, so the compiled dist/ (which holds only JavaScript) finds the same files.
 */
export const SOURCE_ROOT = repositoryOf(__dirname);

function repositoryOf(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`internal: no package.json above ${start}`);
  }
}
