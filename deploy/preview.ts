import { progressStep } from '../core/progress-line';
import type { Environment } from '../environments/schema';
import type { Manifest } from '../stacks/manifest';
import { plainProgress } from './progress';
import { runWaves, type RunResult } from './runner';
import { secretValues } from './secrets';
import { prepareTerraformWorkDirs, takeSnapshot } from './snapshot';
import type { Tool, Wave } from './waves';

/** What plan's previews and drift's no-change checks share: read-only engine runs on the digest's snapshot. */
export interface PreviewRun {
  readonly root: string;
  readonly env: Environment;
  readonly manifest: Manifest;
  readonly waves: Wave[];
  readonly binaries: ReadonlyMap<Tool, string>;
  readonly environment: NodeJS.ProcessEnv;
  readonly concurrency?: number;
  readonly err: (line: string) => void;
}

/**
 * Runs the engines' read-only commands on the same snapshot a deploy of this digest would apply (never on
 * out/<env>/ itself), every stack even after one fails, credentials redacted from what they print.
 */
export function runPreviews(run: PreviewRun): Promise<RunResult> {
  takeSnapshot(run.root, run.manifest);
  prepareTerraformWorkDirs(run.root, run.manifest, run.waves);
  return progressStep(`${run.manifest.env}: engine previews of ${run.waves.reduce((n, w) => n + w.steps.length, 0)} stacks`, () => runWaves({
    root: run.root,
    env: run.manifest.env,
    operation: 'plan',
    waves: run.waves,
    binaries: run.binaries,
    environment: run.environment,
    secrets: secretValues(run.environment, run.env.state.backend === 'pg' ? [run.env.state.connStrEnv] : []),
    concurrency: run.concurrency ?? 4,
    keepGoing: true,
    progress: plainProgress(run.err, { echoOutput: false }),
  }));
}
