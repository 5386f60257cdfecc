import type { Rule } from '../../rule';
import { clusterCount } from './cluster-count';
import { clusterDistance } from './cluster-distance';
import { energySource } from './energy-source';
import { powerUsageEffectiveness } from './pue';
import { recoveryCluster } from './recovery-cluster';

/** Topology (three distant clusters, recovery clusters) and green data centers. */
export const pack: Rule[] = [clusterCount, clusterDistance, recoveryCluster, powerUsageEffectiveness, energySource];
