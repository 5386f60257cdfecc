'use strict';
// How V8 tiers the command's code up, set by bin/ndc.js before anything else runs.
//
// V8 hands a function to its optimizing compiler (TurboFan) once the function has run through its
// "interrupt budget" of bytecode (67,584 by default). A command runs for well under a second on the
// environments people edit by hand, and there TurboFan spends more than it saves: it compiles hundreds of
// functions on background threads, which on a machine of two cores take the time of the main thread and
// the helper thread, and most of them have finished their work before the optimized code is ready. With
// the budget ten times larger only code that is hot for longer is optimized: a cold `ndc start --env prod`
// took 0.56 s instead of 0.66 s and 0.84 s of CPU instead of 1.05 s, while at 100 systems per region
// (seconds of work, where TurboFan pays) it took the same 6.8 s (no optimization at all: 9.7 s). The
// commands benchmark (npm run bench) prints the cold and warm figures.
//
// The setting is V8's, for this process only (the helper thread included; not the environment file's
// child process). A budget given to node on its own command line (`node --interrupt-budget=N bin/ndc.js`)
// is left as given. The build records the code cache's seed through bin/ndc.js, so the seed is compiled
// under the same setting (V8 serves cached code only to a process whose settings hash the same).

/** Ten times V8's default budget (--interrupt-budget=67584 in Node 20's V8). */
const INTERRUPT_BUDGET = 675_840;

/** The V8 settings the command runs under, given node's own command line: none when it sets the budget itself. */
function tierUpFlags(execArgv = process.execArgv) {
  if (execArgv.some((arg) => /^--interrupt[-_]budget(=|$)/.test(arg))) return [];
  return [`--interrupt-budget=${INTERRUPT_BUDGET}`];
}

/** Applies tierUpFlags to this process; returns what it applied. */
function tuneTierUp(execArgv = process.execArgv) {
  const flags = tierUpFlags(execArgv);
  if (flags.length > 0) require('node:v8').setFlagsFromString(flags.join(' '));
  return flags;
}

module.exports = { INTERRUPT_BUDGET, tierUpFlags, tuneTierUp };
