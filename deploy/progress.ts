import type { StackStep, Wave } from './waves';

/**
 * How a run shows its progress: a task list redrawn in place on a terminal, plain lines in CI logs and
 * pipes (no escape codes, one event per line, each prefixed with its stack so parallel output can be
 * told apart).
 */
export type StepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'already-done' | 'not-started';

export interface Progress {
  begin(waves: readonly Wave[]): void;
  waveStarted(wave: Wave): void;
  stepState(step: StackStep, state: StepState, detail?: string): void;
  commandStarted(step: StackStep, display: string): void;
  output(step: StackStep, line: string): void;
  end(): void;
}

export function plainProgress(out: (line: string) => void, opts: { echoOutput: boolean }): Progress {
  return {
    begin() {},
    waveStarted(wave) {
      out(`wave ${wave.index} ${wave.name}: ${wave.steps.map((s) => s.id).join(', ')}`);
    },
    stepState(step, state, detail) {
      if (state === 'pending') return;
      out(`[${step.id}] ${state}${detail ? ` (${detail})` : ''}`);
    },
    commandStarted(step, display) {
      out(`[${step.id}] $ ${display}`);
    },
    output(step, line) {
      if (opts.echoOutput) out(`[${step.id}] ${line}`);
    },
    end() {},
  };
}

const MARK: Record<StepState, string> = {
  pending: ' ',
  running: '>',
  succeeded: '\u2714',
  failed: '\u2718',
  'already-done': '=',
  'not-started': '-',
};

/** The live task list: rewritten in place with cursor-up and erase-line; nothing beyond ANSI. */
export function ttyProgress(write: (text: string) => void, columns: () => number): Progress {
  const rows: { wave: Wave; steps: { step: StackStep; state: StepState; detail: string }[] }[] = [];
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  const find = (step: StackStep) => rows.flatMap((r) => r.steps).find((s) => s.step === step);
  const draw = () => {
    timer = undefined;
    const width = Math.max(40, columns());
    const lines: string[] = [];
    for (const row of rows) {
      lines.push(`wave ${row.wave.index} ${row.wave.name}`);
      for (const s of row.steps) lines.push(`  ${MARK[s.state]} ${s.step.id.padEnd(28)} ${s.state === 'pending' ? '' : s.detail}`.slice(0, width - 1));
    }
    let text = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const line of lines) text += `\x1b[2K${line}\n`;
    drawn = lines.length;
    write(text);
  };
  const schedule = () => {
    timer ??= setTimeout(draw, 80);
  };
  return {
    begin(waves) {
      for (const wave of waves) rows.push({ wave, steps: wave.steps.map((step) => ({ step, state: 'pending' as StepState, detail: '' })) });
      draw();
    },
    waveStarted() {},
    stepState(step, state, detail) {
      const row = find(step);
      if (!row) return;
      row.state = state;
      row.detail = detail ?? state;
      schedule();
    },
    commandStarted(step, display) {
      const row = find(step);
      if (row) row.detail = display;
      schedule();
    },
    output(step, line) {
      const row = find(step);
      if (row && line.trim() !== '') row.detail = line.trim();
      schedule();
    },
    end() {
      if (timer) clearTimeout(timer);
      draw();
    },
  };
}
