import type { Rule } from '../../rule';
import { backupCopiesNational } from './backup-copies-national';
import { nationalClustersOnly } from './national-clusters';
import { publicEdgePublicOnly } from './public-edge-public-only';

/** Data residency: level 3+ and personal data stay in the national clusters. */
export const pack: Rule[] = [nationalClustersOnly, backupCopiesNational, publicEdgePublicOnly];
