import { Token } from 'cdktf';
import { Intrinsic } from 'cdktf/lib/tokens/private/intrinsic';
import { withoutTokenTraces } from '../stacks/terraform/app';

/** The lines cdktf recorded for where a token was made (what withoutTokenTraces leaves empty). */
const creationStack = () => new Intrinsic('x').creationStack;

describe('Terraform synthesis without cdktf\'s per-token stack traces', () => {
  test('tokens made inside have no creation trace; outside they have one', () => {
    expect(creationStack().length).toBeGreaterThan(0);
    expect(withoutTokenTraces(creationStack)).toEqual([]);
    expect(creationStack().length).toBeGreaterThan(0);
    // Tokens still resolve: only the trace is gone.
    expect(withoutTokenTraces(() => Token.isUnresolved(Token.asString(new Intrinsic('v'))))).toBe(true);
  });

  test('an Error thrown inside keeps its formatted stack, and the formatter is restored even when the work throws', () => {
    const before = Error.prepareStackTrace;
    const stack = withoutTokenTraces(() => new Error('inside').stack ?? '');
    expect(stack).toMatch(/^Error: inside\n\s+at /);
    expect(() =>
      withoutTokenTraces(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(Error.prepareStackTrace).toBe(before);
  });
});
