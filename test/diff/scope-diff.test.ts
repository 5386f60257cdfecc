import { DEFAULT_APPROVAL_SETTINGS } from '../../policies/approvals/requirements';
import { diffStates, type DiffBase } from '../../policies/approvals/scope-diff';
import type { LoadedApproval } from '../../policies/approvals/statement';
import { renderDiff } from '../../policies/reports/scope-diff';
import { BASE_RESOURCES, resource, rule, stateOf } from './states';

const AGAINST: DiffBase = { kind: 'approved', ref: 'approved', source: 'the last approved state', digest: 'b'.repeat(64) };

function diff(after: typeof BASE_RESOURCES, systems?: Parameters<typeof stateOf>[2], approvals: LoadedApproval[] = []) {
  const base = stateOf('before', BASE_RESOURCES).state;
  const current = stateOf('after', after, systems).state;
  return diffStates({ base, current, against: AGAINST, currentSource: 'out/prod', settings: DEFAULT_APPROVAL_SETTINGS, approvals });
}

/** An approval file as read from approvals/prod/, covering these scopes at these digests (signatures are the gate's business). */
function approval(reviewer: string, role: string, scopes: { id: string; digest: string }[]): LoadedApproval {
  const statement = { env: 'prod', operation: 'deploy', scopes: scopes.map((s) => ({ ...s, level: 2 })), reviewer, role };
  return { shown: `approvals/prod/${reviewer}.json`, approval: { statement, signature: 'x' } } as unknown as LoadedApproval;
}

describe('ndc diff between two states, per scope', () => {
  it('a flow on port 9090 added to a level-2 system shows its security-group rule added in that scope and nothing in others', () => {
    const result = diff([...BASE_RESOURCES, rule('open-data-portal', 9090)]);
    expect(result.scopes.map((s) => s.id)).toEqual(['open-data-portal']);
    expect(result.unchanged).toEqual(['national-cloud-platform', 'population-db']);
    const [scope] = result.scopes;
    expect(scope).toMatchObject({ status: 'changed', level: 2, counts: { added: 1, removed: 0, changed: 0 }, mustSign: ['security-unit'] });
    expect(scope.resources).toHaveLength(1);
    expect(scope.resources[0]).toMatchObject({ change: 'added', address: rule('open-data-portal', 9090).address });
    expect(scope.resources[0].attributes).toContainEqual({ path: 'port_range_min', to: '9090' });
  });

  it('names exactly the attributes that changed, old -> new', () => {
    const changed = BASE_RESOURCES.map((r) => (r.scope === 'national-cloud-platform' && r.address.endsWith('.shared') ? resource(r.scope, r.address, { name: 'shared', description: 'shared zone, widened' }) : r));
    const [scope] = diff(changed).scopes;
    expect(scope).toMatchObject({ id: 'national-cloud-platform', level: 4, counts: { added: 0, removed: 0, changed: 1 } });
    expect(scope.resources[0].attributes).toEqual([{ path: 'description', from: '"shared zone"', to: '"shared zone, widened"' }]);
    expect(scope.mustSign).toEqual(['national-authority', 'system-owner']);
  });

  it('a resource moved between scopes shows in both: removed from one, added to the other, each naming the other', () => {
    const moved = BASE_RESOURCES.map((r) => (r.address.endsWith('.shared') ? { ...r, scope: 'open-data-portal' } : r));
    const result = diff(moved);
    expect(result.scopes.map((s) => s.id)).toEqual(['national-cloud-platform', 'open-data-portal']);
    const [platform, portal] = result.scopes;
    expect(platform.resources).toEqual([expect.objectContaining({ change: 'removed', movedTo: 'open-data-portal' })]);
    expect(portal.resources).toEqual([expect.objectContaining({ change: 'added', movedFrom: 'national-cloud-platform' })]);
  });

  it('a level change alone is a change of the scope, and the new level decides who signs', () => {
    const systems = stateOf('x', []).manifest.systems.map((s) => (s.id === 'open-data-portal' ? { ...s, level: 3 } : s));
    const [scope] = diff(BASE_RESOURCES, systems).scopes;
    expect(scope).toMatchObject({ id: 'open-data-portal', level: 3, previousLevel: 2, resources: [], mustSign: ['security-unit', 'system-owner'] });
  });

  it('names the approvals that covered a changed scope as it was, and only those', () => {
    const before = stateOf('before', BASE_RESOURCES).state;
    const digestOf = (id: string) => before.scopes.find((s) => s.id === id)!.digest;
    const approvals = [
      approval('su-most', 'security-unit', [{ id: 'open-data-portal', digest: digestOf('open-data-portal') }]),
      approval('nca-1', 'national-authority', [{ id: 'population-db', digest: digestOf('population-db') }]),
      approval('su-stale', 'security-unit', [{ id: 'open-data-portal', digest: 'c'.repeat(64) }]),
    ];
    const [scope] = diff([...BASE_RESOURCES, rule('open-data-portal', 9090)], undefined, approvals).scopes;
    expect(scope.voidedApprovals).toEqual([{ file: 'approvals/prod/su-most.json', reviewer: 'su-most', role: 'security-unit', operation: 'deploy' }]);
    expect(renderDiff(diff([...BASE_RESOURCES, rule('open-data-portal', 9090)], undefined, approvals), 'text')).toContain('voids: su-most as security-unit (deploy, approvals/prod/su-most.json)');
  });

  it('keeps a markdown comment within a pull request comment: long scopes are cut with a count of the rest', () => {
    const many = Array.from({ length: 60 }, (_, i) => rule('open-data-portal', 10_000 + i));
    const markdown = renderDiff(diff([...BASE_RESOURCES, ...many]), 'markdown');
    expect(markdown).toContain('- ... and 20 more resources (ndc diff --env prod --format text shows them all)');
    expect(renderDiff(diff([...BASE_RESOURCES, ...many]), 'text')).toContain('open-data-portal-ingress-10059');
  });

  it('renders text, markdown and json (schema ndc/diff/v1) from the same diff', () => {
    const result = diff([...BASE_RESOURCES, rule('open-data-portal', 9090)]);
    const text = renderDiff(result, 'text');
    expect(text).toContain('open-data-portal (level 2): 1 added, 0 removed, 0 changed');
    expect(text).toContain('+port_range_min: 9090');
    expect(text).toContain('must sign again: security-unit');
    expect(text).not.toContain('population-db (');
    const markdown = renderDiff(result, 'markdown');
    expect(markdown).toContain('| open-data-portal | 2 | 1 | 0 | 0 | 0 | security-unit |');
    expect(markdown).toContain('`port_range_min`: (absent) -> `9090`');
    const json = JSON.parse(renderDiff(result, 'json')) as { schema: string; scopes: { id: string }[] };
    expect(json.schema).toBe('ndc/diff/v1');
    expect(json.scopes.map((s) => s.id)).toEqual(['open-data-portal']);
  });
});
