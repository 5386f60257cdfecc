import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './helpers';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { INTERRUPT_BUDGET, tierUpFlags } = require('../bin/v8-tuning') as { INTERRUPT_BUDGET: number; tierUpFlags(execArgv: readonly string[]): string[] };

/**
 * How often V8 has optimized a hot function after `calls` calls, in a fresh process that applies (or not)
 * bin/v8-tuning.js as bin/ndc.js does first. Optimization is made synchronous (no concurrent
 * recompilation), so the answer depends on the budget alone, not on timing; %GetOptimizationStatus bit 16
 * is "optimized".
 */
function optimizedAfter(calls: number, tuned: boolean): boolean {
  const script = [
    tuned ? `require(${JSON.stringify(join(REPO, 'bin', 'v8-tuning.js'))}).tuneTierUp([]);` : '',
    'function hot(x) { let s = 0; for (let i = 0; i < 20; i++) s += (i * x) % 7; return s; }',
    `let t = 0; for (let n = 0; n < ${calls}; n++) t += hot(n);`,
    'process.stdout.write(String((%GetOptimizationStatus(hot) & 16) !== 0));',
  ].join('\n');
  const child = spawnSync(process.execPath, ['--allow-natives-syntax', '--no-concurrent-recompilation', '-e', script], { encoding: 'utf8' });
  expect(child.stderr).toBe('');
  return child.stdout === 'true';
}

describe("V8's tier-up for the command (bin/v8-tuning.js)", () => {
  it('raises the interrupt budget tenfold, unless node was given one on its own command line', () => {
    expect(tierUpFlags([])).toEqual([`--interrupt-budget=${INTERRUPT_BUDGET}`]);
    expect(INTERRUPT_BUDGET).toBe(67_584 * 10);
    expect(tierUpFlags(['--interrupt-budget=1000'])).toEqual([]);
    expect(tierUpFlags(['--interrupt_budget', '1000'])).toEqual([]);
  });

  it('leaves briefly warm code to the baseline tiers and still optimizes code that stays hot', () => {
    // Under V8's default budget a thousand calls are enough for the optimizing compiler...
    expect(optimizedAfter(1_000, false)).toBe(true);
    // ...with the command's budget they are not (a short command's code is mostly this warm),
    expect(optimizedAfter(1_000, true)).toBe(false);
    // and code that keeps running (a national-scale synthesis) is optimized all the same.
    expect(optimizedAfter(50_000, true)).toBe(true);
  });
});
