import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingToolMessage, resolveTool, which } from '../../deploy/engines';

/** An executable file (its content never runs here). */
function executable(file: string): string {
  writeFileSync(file, '#!/bin/sh\nexit 0\n');
  chmodSync(file, 0o755);
  return file;
}

describe('engine binaries come from the deploy machine, never from the project', () => {
  // `npx ndc deploy` puts <project>/node_modules/.bin first on PATH, and a change's author decides what
  // lands there (a dependency whose package declares a `tofu` bin) or anywhere else in the checkout.
  const root = mkdtempSync(join(tmpdir(), 'ndc-engines-project-'));
  const installed = mkdtempSync(join(tmpdir(), 'ndc-engines-installed-'));
  mkdirSync(join(root, 'node_modules/.bin'), { recursive: true });
  mkdirSync(join(root, 'tools'));
  for (const tool of ['tofu', 'pulumi', 'aws']) {
    executable(join(root, 'node_modules/.bin', tool));
    executable(join(root, tool));
    executable(join(installed, tool));
  }
  executable(join(root, 'tools/tofu'));

  it('skips PATH entries inside the project (and relative ones) and finds the installed engine', () => {
    const environment = { PATH: [join(root, 'node_modules/.bin'), '.', join(root, 'tools'), installed].join(':') };
    expect(resolveTool('terraform', environment, root).path).toBe(join(installed, 'tofu'));
    expect(resolveTool('pulumi', environment, root).path).toBe(join(installed, 'pulumi'));
    expect(which('aws', environment, root)).toBe(join(installed, 'aws'));
    expect(resolveTool('pulumi', { PATH: join(root, 'node_modules/.bin') }, root).path).toBeUndefined();
  });

  it('refuses NDC_TF_BIN naming a file in the project, saying why', () => {
    const found = resolveTool('terraform', { PATH: installed, NDC_TF_BIN: 'tools/tofu' }, root);
    expect(found.path).toBeUndefined();
    expect(missingToolMessage(found, ['terraform/national-core'])).toMatch(
      /^OpenTofu\/Terraform binary not found: looked for NDC_TF_BIN=tools\/tofu \(inside the project, whose files a change's author controls: install the engine outside it\) on PATH; needed by terraform\/national-core; /,
    );
    expect(resolveTool('terraform', { PATH: installed, NDC_TF_BIN: join(installed, 'tofu') }, root).path).toBe(join(installed, 'tofu'));
  });
});
