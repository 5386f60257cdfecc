import type { Rule } from '../../rule';
import { allowWithinFlows } from './allow-within-flows';
import { backupScheduleOffsite } from './backup-schedule-offsite';
import { defaultDeny } from './default-deny';
import { noAllNamespacesIngress } from './no-all-namespaces-ingress';
import { podSecurityRestricted } from './pod-security-restricted';

/** Rules on the Kubernetes artifacts (out/<env>/kubernetes/<cluster>.yaml), NDC-K8S-001 to 005. */
export const pack: Rule[] = [defaultDeny, noAllNamespacesIngress, podSecurityRestricted, backupScheduleOffsite, allowWithinFlows];
