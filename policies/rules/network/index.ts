import type { Rule } from '../../rule';
import { govInternetApart } from './gov-internet-apart';
import { internetDepth } from './internet-depth';
import { internetOneHop } from './internet-one-hop';
import { managementReach } from './management-reach';
import { ownersApart } from './owners-apart';
import { reachExplained } from './reach-explained';

/** Reachability: what can reach what, computed from the artifacts of all three engines together. */
export const pack: Rule[] = [internetOneHop, internetDepth, ownersApart, govInternetApart, reachExplained, managementReach];
