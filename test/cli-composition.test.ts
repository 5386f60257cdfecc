import { deployCommand, planCommand } from '../cli/commands/deploy';
import { composeCommandLine } from '../cli/composition';
import { loadEnvironment } from '../environments/load';
import { verifyArtifacts } from '../stacks/manifest';
import { captureIO } from './helpers';
import { synthesizedProject } from './deploy/fixture';

// Counts the real reads: every caller of these two goes through the module, whoever built the reader.
jest.mock('../environments/load', () => {
  const actual = jest.requireActual<typeof import('../environments/load')>('../environments/load');
  return { ...actual, loadEnvironment: jest.fn(actual.loadEnvironment) };
});
jest.mock('../stacks/manifest', () => {
  const actual = jest.requireActual<typeof import('../stacks/manifest')>('../stacks/manifest');
  return { ...actual, verifyArtifacts: jest.fn(actual.verifyArtifacts) };
});
const loads = loadEnvironment as jest.MockedFunction<typeof loadEnvironment>;
const verifies = verifyArtifacts as jest.MockedFunction<typeof verifyArtifacts>;

describe('the composition root of the command line', () => {
  beforeEach(() => jest.clearAllMocks());

  it('a deploy (dry run, through the real gate) loads the environment once and verifies the artifacts once', async () => {
    const { root } = synthesizedProject('dev');
    const { io, out } = captureIO(root);
    loads.mockClear();
    verifies.mockClear();
    expect(await deployCommand({ env: 'dev', dryRun: true }, composeCommandLine(io, {}))).toBe(1);
    expect(out).toContainEqual(expect.stringMatching(/^# gate: closed \(.*open-data-portal \(level 2\): missing security-unit approval/));
    expect(loads).toHaveBeenCalledTimes(1);
    expect(verifies).toHaveBeenCalledTimes(1);
  });

  it('reads NDC_CHANGE_AUTHOR and NDC_TRUST_ROOT from the environment it is given (and nothing below it does)', async () => {
    const { root } = synthesizedProject('dev');
    const [a, b] = ['a', 'b'].map((c) => c.repeat(64));
    const withAuthor = composeCommandLine(captureIO(root).io, { NDC_CHANGE_AUTHOR: ' SU-1 ', NDC_TRUST_ROOT: `${a.toUpperCase()}, 3:${b} prod:1:${b}` });
    expect(withAuthor.changeAuthor).toBe('su-1');
    expect(withAuthor.trustRoots).toEqual([a, `3:${b}`, b]);
    expect(() => composeCommandLine(captureIO(root).io, { NDC_TRUST_ROOT: 'ab' })).toThrow('NDC_TRUST_ROOT: "ab": not a pin');
    expect(() => composeCommandLine(captureIO(root).io, { NDC_CHANGE_AUTHOR: 'su-1,su-2' })).toThrow(/^NDC_CHANGE_AUTHOR: "su-1,su-2": contains a separator/);
    expect(composeCommandLine(captureIO(root).io, { NDC_CHANGE_AUTHOR: ' ' }).changeAuthor).toBeUndefined();
  });

  it('a plan loads the environment once for its own use, synthesis, the policy verdict and the gate, and verifies the artifacts once', async () => {
    const { root } = synthesizedProject('dev');
    const { io } = captureIO(root);
    const deps = composeCommandLine(io, {});
    loads.mockClear();
    verifies.mockClear();
    expect(await planCommand({ env: 'dev', noPreview: true }, deps)).toBe(0);
    expect(loads).toHaveBeenCalledTimes(1);
    expect(verifies).toHaveBeenCalledTimes(1);
  });
});
