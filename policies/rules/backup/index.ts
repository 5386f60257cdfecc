import type { Rule } from '../../rule';
import { backupEncrypted } from './encrypted';
import { immutableCopies } from './immutable-copies';
import { restoreTested } from './restore-tested';
import { retentionAndRpo } from './retention-and-rpo';
import { threeTwoOne } from './three-two-one';

/** Central backup: 3-2-1, encryption, immutability, bounds, restore tests. */
export const pack: Rule[] = [threeTwoOne, backupEncrypted, immutableCopies, retentionAndRpo, restoreTested];
