import type { Rule } from '../../rule';
import { noPasswords } from './passwords';
import { noPrivateKeys } from './private-keys';
import { noTokens } from './tokens';

/** Secrets: nothing that authenticates is written into an artifact. */
export const pack: Rule[] = [noPrivateKeys, noPasswords, noTokens];
