/**
 * Deploys of staging and production environments are judged against the deploys recorded before them
 * (levels, owners, the approvals table, the trust store accepted): they need the PostgreSQL ledger, never
 * the local file under .ndc/ that anyone with the checkout can replace.
 */
import { rmSync } from 'node:fs';
import { main } from '../../cli/main';
import { captureIO, tempProject } from '../helpers';

describe('deploy and destroy of staging and production need the shared ledger and the change author', () => {
  const root = tempProject('ndc-shared-ledger-');
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const run = async (args: string[], environment: NodeJS.ProcessEnv = {}) => {
    const { io, err } = captureIO(root);
    const code = await main(args, io, { NDC_LEDGER_URL: '', NDC_CHANGE_AUTHOR: 'dev-1', ...environment });
    return { code, err: err.join('\n') };
  };

  it.each([
    ['deploy', 'staging'],
    ['destroy', 'prod'],
  ])('%s --env %s without NDC_LEDGER_URL is refused before anything runs', async (command, env) => {
    const refused = await run([command, '--env', env]);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(new RegExp(`^ndc ${command}: NDC_LEDGER_URL: is not set: ${env} is a (staging|production) environment, and its deploys are judged against the deploys recorded before them`));
  });

  it('and the change author, whose own approvals never count', async () => {
    const refused = await run(['deploy', '--env', 'prod'], { NDC_CHANGE_AUTHOR: ' ', NDC_LEDGER_URL: 'postgres://ndc@127.0.0.1:1/ndc' });
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/^ndc deploy: NDC_CHANGE_AUTHOR: is not set: prod is a production environment, and the approvals of the change's author never count for it/);
  });

  it('a development environment, and a dry run of any, may use the local ledger', async () => {
    for (const args of [['deploy', '--env', 'dev'], ['deploy', '--env', 'prod', '--dry-run']]) {
      expect((await run(args)).err).not.toContain('NDC_LEDGER_URL: is not set');
    }
  });
});
