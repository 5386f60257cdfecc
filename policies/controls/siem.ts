import { siemProblems } from '../artifacts/logging';
import type { ControlDetector } from './control';

/**
 * SIEM from level 3: in every cluster the system runs in, the log collectors forward its logs to the SIEM
 * (OpenSearch with Security Analytics, in the national core's shared-services network) and the security
 * groups on both sides let them.
 */
export const siem: ControlDetector = {
  id: 'siem',
  name: 'SIEM forwarding (Fluentd collectors to OpenSearch Security Analytics)',
  requiredFromLevel: 3,
  citation: 'Circular 12/2022/TT-BTTTT, Annex, level 3 (centralised security monitoring, SIEM)',
  check: (system, context) => system.clusters.flatMap((cluster) => siemProblems(context, system, cluster)),
};
