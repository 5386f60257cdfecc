import type { ConsolePort } from '../deploy/ports';

/**
 * What a command handler needs from its surroundings (project root, output, --json, clock); tests pass
 * their own. It is deploy's console port: the lower layer states what it needs, the command line provides it.
 */
export type CommandIO = ConsolePort;
