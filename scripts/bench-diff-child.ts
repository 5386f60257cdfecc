/**
 * Helper of scripts/bench-diff.ts: records out/<env>/ of a project root as its approved state, as
 * `ndc approve` does once every scope of the digest is approved.
 *   node bin/run-ts.js scripts/bench-diff-child.ts ROOT ENV
 */
import { recordApprovedState } from '../policies/approvals/approved-state';
import { requireManifest } from '../stacks/manifest';

const [root, env] = process.argv.slice(2);
const written = recordApprovedState(root, requireManifest(root, env), new Date('2026-11-20T09:00:00.000Z'));
process.stdout.write(`${written.shown}\n`);
