/* eslint-disable */
const t0 = performance.now();
const { useSynthCache } = require('./stacks/cache');
const { currentState, baseState } = require('./cli/commands/diff');
const { diffStates } = require('./policies/approvals/scope-diff');
const { renderDiff } = require('./policies/reports/scope-diff');
useSynthCache('use');
const t1 = performance.now();
const base = baseState(process.cwd(), 'prod', 'approved');
const t2 = performance.now();
const cur = currentState(process.cwd(), 'prod');
const t3 = performance.now();
const d = diffStates({ base: base.state, current: cur.state, against: base.base, currentSource: 'out/prod', settings: cur.settings, approvals: [] });
const t4 = performance.now();
const text = renderDiff(d, 'json');
const t5 = performance.now();
console.log({ load: t1 - t0, base: t2 - t1, current: t3 - t2, diff: t4 - t3, render: t5 - t4, len: text.length });
