import type { Rule, RuleContext, RuleResult, Severity } from '../rule';
import { CFN_CHECK } from './cloudformation';
import { K8S_CHECK } from './kubernetes';
import { SEMANTIC_CHECK } from './semantics';
import { TF_CHECK } from './terraform';
import { validateArtifacts, type ValidationFinding } from './index';

/**
 * The `validation` rule pack: what `ndc validate` reports, as mandatory rules of `ndc check`, one rule
 * per kind of rejection so reports, suppressions and trends can name it. The validators run once per
 * artifact set; each rule reports its share of the findings.
 */

interface Spec {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly engine: string;
  readonly explanation: string;
  readonly remediation: string;
}

const TERRAFORM = 'the pinned provider schemas (stacks/terraform/providers/schema/)';

const SPECS: readonly Spec[] = [
  { id: TF_CHECK.type, title: 'Every Terraform resource type exists in its pinned provider', severity: 'critical', engine: 'terraform', explanation: `tofu plan refuses a configuration naming a resource type the provider does not have; checked against ${TERRAFORM}.`, remediation: 'Use the resource type the provider registers (regenerate the bindings from the pinned schema: node bin/run-ts.js scripts/gen-bindings.ts) and synthesize again.' },
  { id: TF_CHECK.pin, title: 'Every Terraform provider is pinned to the exact version its schema describes', severity: 'high', engine: 'terraform', explanation: 'A version range lets tofu init install a provider other than the one the artifacts were validated against; what is applied could differ from what was checked.', remediation: 'Pin required_providers.<name>.version to the schema version (stacks/terraform) and synthesize again.' },
  { id: TF_CHECK.attribute, title: 'Every Terraform argument is one the resource accepts', severity: 'high', engine: 'terraform', explanation: `tofu validate rejects unknown arguments and arguments the provider only computes; checked against ${TERRAFORM}.`, remediation: 'Remove or rename the argument in the stack that emits it.' },
  { id: TF_CHECK.required, title: 'Every required Terraform argument is set', severity: 'high', engine: 'terraform', explanation: 'tofu validate rejects a resource missing a required argument or nested block.', remediation: 'Set the argument in the stack that emits the resource.' },
  { id: TF_CHECK.value, title: 'Terraform values have the schema type, item counts and pass the provider validators', severity: 'high', engine: 'terraform', explanation: 'The provider validates literal values at plan (StringInSlice, IntBetween, IsCIDR, MinItems/MaxItems, ...); a failing value stops the plan.', remediation: 'Change the value to one the provider accepts.' },
  { id: TF_CHECK.combination, title: 'Terraform arguments respect ConflictsWith, ExactlyOneOf, AtLeastOneOf and RequiredWith', severity: 'high', engine: 'terraform', explanation: 'The provider rejects arguments set together that exclude each other, or set without those they require.', remediation: 'Set exactly the combination the provider schema allows.' },
  { id: TF_CHECK.reference, title: 'Every Terraform reference resolves to something declared', severity: 'critical', engine: 'terraform', explanation: 'A reference to an undeclared resource, data source, provider alias, attribute or remote-state output fails the plan; so does a string Terraform cannot read as a template (every JSON string is one): a bare ${name}, an unescaped %{ directive, a ${ never closed.', remediation: 'Declare what is referenced or fix the reference in the stack; write $${ and %%{ for literal text.' },
  { id: K8S_CHECK.core, title: 'Every Kubernetes object is valid against the Kubernetes OpenAPI schema', severity: 'high', engine: 'kubernetes', explanation: 'The API server rejects objects of unknown kinds and objects that do not match the schema of their kind (kubernetes-models).', remediation: 'Fix the object in the Kubernetes renderer (stacks/kubernetes) and synthesize again.' },
  { id: K8S_CHECK.custom, title: 'Every custom resource is valid against its vendored CRD', severity: 'high', engine: 'kubernetes', explanation: 'Velero objects are admitted only if they match the structural schema of the CRDs installed (stacks/kubernetes/crds/), unknown fields included.', remediation: 'Fix the object, or vendor the CRDs of the Velero release the clusters run.' },
  { id: CFN_CHECK.property, title: 'Every CloudFormation resource type and property exists in the resource specification', severity: 'high', engine: 'cloudformation', explanation: 'CloudFormation rejects unknown resource types and properties (@aws-cdk/aws-service-spec).', remediation: 'Fix the construct in stacks/public-edge that emits it.' },
  { id: CFN_CHECK.required, title: 'Every required CloudFormation property is present', severity: 'high', engine: 'cloudformation', explanation: 'CloudFormation rejects a resource missing a required property.', remediation: 'Set the property in stacks/public-edge.' },
  { id: CFN_CHECK.value, title: 'CloudFormation values have the specification type', severity: 'high', engine: 'cloudformation', explanation: 'CloudFormation rejects values of the wrong primitive type or outside the allowed values.', remediation: 'Change the value in stacks/public-edge.' },
  { id: CFN_CHECK.reference, title: 'Every CloudFormation Ref and Fn::GetAtt resolves', severity: 'critical', engine: 'cloudformation', explanation: 'A Ref or GetAtt to an undeclared resource, parameter or attribute fails template validation.', remediation: 'Reference a declared resource or attribute.' },
  { id: SEMANTIC_CHECK.address, title: 'No two router ports share a gateway or fixed address on a subnet', severity: 'critical', engine: 'terraform', explanation: "A router interface attached by subnet_id takes the subnet's gateway address, which exists once: Neutron fails every later attachment to the same subnet, and a fixed address taken twice fails the second port.", remediation: 'Attach each router through its own port with its own fixed address (openstack_networking_port_v2 + port_id).' },
  { id: SEMANTIC_CHECK.storageLocation, title: 'Every Velero Schedule writes to a BackupStorageLocation that exists', severity: 'critical', engine: 'kubernetes', explanation: 'Velero marks every backup of a Schedule whose storage location does not exist as FailedValidation: the namespace is never backed up.', remediation: 'Declare the BackupStorageLocation in the same cluster and namespace, or name an existing one.' },
  { id: SEMANTIC_CHECK.selectsNothing, title: 'Every NetworkPolicy selects pods of its system', severity: 'high', engine: 'kubernetes', explanation: "A NetworkPolicy whose podSelector matches none of the system's tiers (or whose namespace does not exist) isolates and admits nothing: the flow it implements is not enforced.", remediation: "Select the system's pods by the ndc.gov.vn/tier label of one of its tiers." },
  { id: SEMANTIC_CHECK.prerequisite, title: 'What an object needs in its cluster (CRD, namespace, credential secret) is declared for that cluster', severity: 'critical', engine: 'kubernetes', explanation: "Velero's objects are rejected without its CustomResourceDefinitions, every namespaced object without its namespace, and a BackupStorageLocation cannot write without the Secret its credential names: they must be in the cluster's artifacts (the prerequisites applied a wave earlier).", remediation: 'Synthesize the prerequisites of the cluster (Velero CRDs of the vendored release, the velero namespace, the credential secrets) or create the missing piece.' },
];

function findingsOf(context: RuleContext): ValidationFinding[] {
  return validateArtifacts({ artifacts: context.artifacts, manifest: context.manifest, systems: context.cloud.systems });
}

function ruleOf(spec: Spec): Rule {
  return {
    id: spec.id,
    title: spec.title,
    family: 'validation',
    severity: spec.severity,
    enforcement: 'mandatory',
    regulation: { profile: 'vn-2016', reference: 'Decision 2629/QD-TTg: what is approved is what the engines apply (artifacts valid for the pinned engines)' },
    explanation: spec.explanation,
    remediation: spec.remediation,
    check(context) {
      const mine = findingsOf(context).filter((f) => f.check === spec.id);
      if (mine.length === 0) {
        const artifacts = context.manifest.artifacts.filter((a) => a.engine === spec.engine).length;
        return [{ status: 'pass', subject: `out/${context.manifest.env}/${spec.engine}`, message: `${artifacts} ${spec.engine} artifact(s) validated: no rejection` }];
      }
      return mine.map((f): RuleResult => ({ status: 'fail', subject: `${f.artifact}: ${f.address}${f.path === '' ? '' : ` ${f.path}`}`, message: f.reason }));
    },
  };
}

export const pack: Rule[] = SPECS.map(ruleOf);
