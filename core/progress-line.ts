/**
 * The progress line: while a long step runs (synthesis of an engine's stacks, policy evaluation,
 * validation, engine previews), one line on the terminal's stderr says what is happening, and it is
 * cleared when the step ends. Layers mark their steps with `progressStep`; only the command line
 * installs a terminal, and only when stderr is one (never in CI logs, pipes or under --json), so
 * library callers and tests print nothing.
 */
export interface ProgressTerminal {
  write(text: string): unknown;
  readonly columns?: number;
}

const CLEAR = '\r\u001b[K';
let terminal: ProgressTerminal | undefined;
const labels: string[] = [];

/** Shows steps on `target` (undefined: nowhere) until the returned function restores the previous one. */
export function installProgress(target: ProgressTerminal | undefined): () => void {
  const previous = terminal;
  terminal = target;
  return () => {
    if (terminal && labels.length > 0) terminal.write(CLEAR);
    labels.length = 0;
    terminal = previous;
  };
}

function draw(): void {
  if (!terminal) return;
  const label = labels[labels.length - 1];
  const width = Math.max(20, (terminal.columns ?? 80) - 1);
  const text = label === undefined ? '' : label.length > width ? `${label.slice(0, width - 3)}...` : label;
  terminal.write(`${CLEAR}${text}`);
}

/**
 * Runs `work` with `label` on the progress line (the innermost step shows), cleared or restored to the
 * enclosing step's label when it ends, also when it throws. Synchronous and asynchronous work alike.
 */
export function progressStep<T>(label: string, work: () => T): T {
  if (!terminal) return work();
  labels.push(`ndc: ${label}...`);
  draw();
  const done = () => {
    labels.pop();
    draw();
  };
  let result: T;
  try {
    result = work();
  } catch (error) {
    done();
    throw error;
  }
  if (result instanceof Promise) return result.finally(done) as T;
  done();
  return result;
}

/** A line printer that first clears the progress line and redraws it after, so output never mixes with it. */
export function aroundProgress(write: (line: string) => void): (line: string) => void {
  return (line) => {
    if (!terminal || labels.length === 0) return write(line);
    terminal.write(CLEAR);
    write(line);
    draw();
  };
}
