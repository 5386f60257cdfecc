import type { CommandIO } from '../io';
import { synthCommand } from './synth';

export interface StartOptions {
  readonly env: string;
}

/** `npm start`: the main job on the default environment: synthesize, then report. */
export async function startCommand(opts: StartOptions, io: CommandIO): Promise<number> {
  return synthCommand({ env: opts.env }, io);
}
