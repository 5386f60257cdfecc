import type { LoadedEvidenceRecord } from '../../../environments/evidence';
import { latestEvidenceOf } from '../../evidence-index';
import type { Environment } from '../../../environments/schema';
import type { Rule, RuleContext } from '../../rule';
import { profileOf, vn2016 } from '../support';
import { doesNotApply, judged, perSystem } from '../per-system';


type AssessorOrganisation = Environment['assessorOrganisations'][number];

/** The organisation an assessment names, by id or by name. */
function organisationNamed(orgs: readonly AssessorOrganisation[], by: string): AssessorOrganisation | undefined {
  return orgs.find((o) => o.id === by) ?? orgs.find((o) => o.name === by);
}

export const assessorEntitled: Rule = {
  id: 'NDC-LVL-010',
  title: 'From level 3 the assessor is a licensed or designated organisation (a professional one where the profile requires it)',
  family: 'security-level',
  severity: 'high',
  enforcement: 'mandatory',
  regulation: vn2016('Decree 85/2016/ND-CP art. 20(2)(c)'),
  explanation:
    'The periodic assessment of a system of level 3 and above is done by an organisation licensed or designated to assess, whose licence or designation was valid on the day of the assessment; the reported 2026 profile also asks for a professional assessor organisation at level 5. The environment lists those organisations (assessorOrganisations: licence number, issuer, valid until) and the `by` of each system\'s latest assessment evidence record names one of them.',
  remediation:
    'Add the assessor organisation to assessorOrganisations (id, name, standing licensed or designated, professional, licence {number, issuer, validUntil}) and name it (id or name) as `by` of the system\'s latest assessment evidence record (evidence/<env>/); or have the system assessed by an organisation that is entitled.',
  check: perSystem({
    prepare: (context: RuleContext) => ({ profile: profileOf(context), orgs: context.env.assessorOrganisations, evidence: context.evidence }),
    judge(system, { profile, orgs, evidence }) {
      const { licensedFromLevel, professionalFromLevel } = profile.assessor;
      if (system.level < licensedFromLevel.value) return doesNotApply(`level ${system.level}: an entitled assessor organisation is required from level ${licensedFromLevel.value}`);
      const latest: LoadedEvidenceRecord | undefined = latestEvidenceOf(evidence, system.id, 'assessment');
      if (!latest) return judged([`no assessment evidence record, so no assessor to judge (level ${system.level} needs a licensed or designated assessor organisation)`], '');
      const org = organisationNamed(orgs, latest.by);
      if (!org) {
        const known = orgs.length ? orgs.map((o) => o.id).join(', ') : 'none';
        return judged([`assessor ${JSON.stringify(latest.by)} of ${latest.source} is not a licensed or designated assessor organisation of this environment (assessorOrganisations: ${known})`], '');
      }
      const problems: string[] = [];
      const { number, issuer, validUntil } = org.licence;
      if (validUntil < latest.performed) problems.push(`the ${org.standing === 'licensed' ? 'licence' : 'designation'} ${number} of ${org.id} (${issuer}) was valid until ${validUntil}, before the assessment of ${latest.performed}`);
      const professional = professionalFromLevel !== undefined && system.level >= professionalFromLevel.value;
      if (professional && !org.professional) {
        problems.push(`level ${system.level} needs a professional assessor organisation under ${profile.name}${professionalFromLevel.status === 'reported' ? ' (reported)' : ''}; ${org.id} is not declared professional`);
      }
      return judged(problems, `assessed ${latest.performed} by ${org.id}, ${org.standing} (${number}, ${issuer}, valid until ${validUntil})${professional ? ', professional' : ''}`);
    },
  }),
};
