import type { Rule } from '../../rule';
import { fail, pass, vn2016 } from '../support';
import { describeHits, secretsOf, literalValues, type Hit } from './scan';

const PASSWORD_KEYS = /password|passwd|admin_pass|secret_key|client_secret|private_key|connection_string|conn_str/;

export const noPasswords: Rule = {
  id: 'NDC-SEC-002',
  title: 'No password or secret value written literally in any artifact (and no literal Kubernetes Secret data)',
  family: 'secrets',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('TCVN 11930:2017 (protection of authentication information); Circular 12/2022/TT-BTTTT'),
  explanation: 'A password in an artifact is readable by everyone who can read out/, the approvals and CI logs. Secrets are injected at deploy time from variables or the secret store; an artifact may only reference them (${var.x}, an environment variable name).',
  remediation: 'Replace the value with a reference (a Terraform variable, an environment variable name, an external secret) and rotate the exposed secret.',
  check({ artifacts }) {
    const results = [...artifacts.text].map(([path, text]) => {
      const hits = literalValues(text, PASSWORD_KEYS);
      return hits.length ? { ...fail(path, describeHits(hits)), secrets: secretsOf(hits) } : pass(path, 'no literal password');
    });
    for (const [cluster, objects] of artifacts.kubernetes) {
      const hits: Hit[] = objects
        .filter((o) => o.kind === 'Secret' && (Object.keys((o.data as object | undefined) ?? {}).length > 0 || Object.keys((o.stringData as object | undefined) ?? {}).length > 0))
        .map((o) => ({ line: 0, what: `Secret ${o.metadata.namespace ?? 'default'}/${o.metadata.name} carries literal data` }));
      if (hits.length) results.push(fail(`kubernetes/${cluster}`, hits.map((h) => h.what).join('; ')));
    }
    return results;
  },
};
