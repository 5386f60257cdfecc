import type { Rule } from '../../rule';
import { vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

export const deviceManagementIsolated: Rule = {
  id: 'NDC-SEG-005',
  title: 'The device-management zone is isolated: reached only from the management zone, reaching nothing',
  family: 'segmentation',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex, level 4 (device-management zone)'),
  explanation: 'The device-management zone carries the out-of-band interfaces of switches, firewalls and servers. Taking it over means taking over the infrastructure, so only the management zone may reach it and it may start no connection to other zones.',
  remediation: 'Remove flows into device-management from anything but management, and every flow out of device-management.',
  check: perSystem({
    judge(system) {
      const problems = system.declaredFlows
        .filter((f) => (f.to === 'device-management' && f.from !== 'management') || f.from === 'device-management')
        .map((f) => `flow ${f.from} -> ${f.to} on ${f.port}`);
      return judged(problems, system.zones.includes('device-management') ? 'device-management reached only from management' : 'no device-management traffic');
    },
  }),
};
