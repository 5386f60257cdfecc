import type { Rule } from '../../rule';
import { fail, pass, vn2016 } from '../support';
import { describeHits, secretsOf, literalValues, patternHits } from './scan';

const PATTERNS = [
  { name: 'AWS access key id', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'GitHub token', re: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { name: 'GitLab token', re: /\bglpat-[A-Za-z0-9_-]{20,}\b/ },
  { name: 'Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/ },
  { name: 'JSON web token', re: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b/ },
];
const TOKEN_KEYS = /token|api_key|apikey|access_key|auth_key/;

export const noTokens: Rule = {
  id: 'NDC-SEC-003',
  title: 'No access token or API key in any artifact',
  family: 'secrets',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('TCVN 11930:2017 (protection of authentication information); Circular 12/2022/TT-BTTTT'),
  explanation: 'Cloud access keys, API tokens and bearer tokens grant access without a second factor. They are recognised by their formats (AWS, GitHub, GitLab, Slack, JWT) and by literal values of token or key fields.',
  remediation: 'Remove the token, revoke it at its issuer, and pass a reference to the secret store instead.',
  check({ artifacts }) {
    return [...artifacts.text].map(([path, text]) => {
      const hits = [...patternHits(text, PATTERNS), ...literalValues(text, TOKEN_KEYS)];
      return hits.length ? { ...fail(path, describeHits(hits)), secrets: secretsOf(hits) } : pass(path, 'no token');
    });
  },
};
