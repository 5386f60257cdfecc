import type { Rule } from '../../rule';
import { vn2016 } from '../support';
import { judged, perSystem } from '../per-system';

/** Administrative protocols: SSH, RDP, WinRM, VNC. */
const ADMIN_PORTS = [22, 3389, 5985, 5986, 5900];

export const managementAccess: Rule = {
  id: 'NDC-SEG-004',
  title: 'The management zone and administrative ports are reachable only from the management zone (bastion / PAM)',
  family: 'segmentation',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Circular 12/2022/TT-BTTTT, Annex, level 3 (management zone; administration through a bastion)'),
  explanation: 'Administration goes through the bastion in the management zone. No other zone, and neither the internet nor the government network, may reach the management zone or an administrative port (SSH, RDP, WinRM, VNC) of any tier.',
  remediation: 'Remove the flow; administer the system through the bastion (flows management -> zone on tcp 22 are added automatically).',
  check: perSystem({
    judge(system) {
      const problems: string[] = [];
      for (const flow of system.declaredFlows) {
        if (flow.from === 'management') continue;
        if (flow.to === 'management') problems.push(`flow ${flow.from} -> management on ${flow.port}`);
        else if (flow.port.protocol === 'tcp' && ADMIN_PORTS.some((p) => flow.port.from! <= p && p <= flow.port.to!)) problems.push(`flow ${flow.from} -> ${flow.to} on ${flow.port} opens an administrative port`);
      }
      return judged(problems, 'administration only from the management zone');
    },
  }),
};
