import type { Rule } from '../../rule';
import { fail, pass, vn2016 } from '../support';
import { describeHits, patternHits } from './scan';

const PATTERNS = [
  { name: 'PEM private key block', re: /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----/ },
  { name: 'PuTTY private key', re: /PuTTY-User-Key-File-\d/ },
];

export const noPrivateKeys: Rule = {
  id: 'NDC-SEC-001',
  title: 'No private key in any artifact',
  family: 'secrets',
  severity: 'critical',
  enforcement: 'mandatory',
  regulation: vn2016('TCVN 11930:2017 (protection of authentication information); Circular 12/2022/TT-BTTTT'),
  explanation: 'Artifacts are stored, diffed, approved and shared with reviewers; a private key in one is disclosed to all of them. Keys live in the key-management service and are referenced, never inlined.',
  remediation: 'Remove the key from the environment or stack code, rotate it, and reference it from the key-management service.',
  check({ artifacts }) {
    return [...artifacts.text].map(([path, text]) => {
      const hits = patternHits(text, PATTERNS);
      return hits.length ? fail(path, describeHits(hits)) : pass(path, 'no private key');
    });
  },
};
