import type { Rule } from '../../rule';
import { assessmentCurrent } from './assessment-current';
import { assessorEntitled } from './assessor-entitled';
import { centralLogging } from './central-logging';
import { dedicatedInfrastructure } from './dedicated-infrastructure';
import { levelControls } from './level-controls';
import { levelFloor } from './level-floor';
import { logicalIsolation } from './logical-isolation';
import { privilegedAccess } from './privileged-access';
import { recoverySiteDistance } from './recovery-site-distance';
import { wafInternetFacing } from './waf-internet-facing';
import { zonesRequired } from './zones-required';

/** Security level (Decree 85/2016/ND-CP, Circular 12/2022/TT-BTTTT): the level table as rules. */
export const pack: Rule[] = [zonesRequired, logicalIsolation, dedicatedInfrastructure, wafInternetFacing, centralLogging, privilegedAccess, recoverySiteDistance, assessmentCurrent, levelControls, assessorEntitled, levelFloor];
