import type { Rule } from '../../rule';
import { defaultDeny } from './default-deny';
import { deviceManagementIsolated } from './device-management-isolated';
import { dmzNotToDatabase } from './dmz-database';
import { govNetworkNotInternet } from './gov-network-not-internet';
import { internetIngress } from './internet-ingress';
import { managementAccess } from './management-access';
import { securityGroupsMatchFlows } from './security-groups-match-flows';

/** Network segmentation: zones, default deny, and the deployed security groups against the model's flows. */
export const pack: Rule[] = [defaultDeny, internetIngress, dmzNotToDatabase, managementAccess, deviceManagementIsolated, govNetworkNotInternet, securityGroupsMatchFlows];
