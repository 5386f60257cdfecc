import type { IConstruct } from 'constructs';
import { TerraformResource, type TerraformStack } from 'cdktf';
import { SCOPE_MARK } from '../scopes';

/** The scope each construct subtree was built for (stacks/scopes.ts); read when the stack is serialized. */
const SCOPES = new WeakMap<IConstruct, string>();

/**
 * Runs `build` and assigns every construct it added to `stack` to `scope` (a system id or the platform).
 * Only direct children are recorded: their subtrees inherit the scope when serialized. The stack's
 * addChild is wrapped while `build` runs, since listing the stack's children before and after each call
 * made rendering quadratic in the systems of a cluster; in nested calls the innermost scope wins.
 */
export function inScope<T>(stack: TerraformStack, scope: string, build: () => T): T {
  const node = stack.node as unknown as { addChild(child: IConstruct, name: string): void };
  const outer = node.addChild;
  node.addChild = function (this: unknown, child: IConstruct, name: string): void {
    outer.call(this, child, name);
    SCOPES.set(child, scope);
  };
  try {
    return build();
  } finally {
    node.addChild = outer;
  }
}

/**
 * Writes each resource's scope into its `//` comment block of the stack's Terraform JSON (Terraform ignores
 * `//`). A resource built outside every inScope gets none, and synthesis refuses it (stacks/scopes.ts).
 */
export function markScopes(stack: TerraformStack, json: Record<string, unknown>): void {
  const resources = json.resource as Record<string, Record<string, Record<string, unknown>>> | undefined;
  if (!resources) return;
  for (const construct of stack.node.findAll()) {
    if (!(construct instanceof TerraformResource)) continue;
    const scope = scopeOf(construct);
    const body = resources[construct.terraformResourceType]?.[construct.friendlyUniqueId];
    if (scope === undefined || body === undefined) continue;
    body['//'] = { ...(body['//'] as Record<string, unknown> | undefined), [SCOPE_MARK.terraform]: scope };
  }
}

function scopeOf(construct: IConstruct): string | undefined {
  for (let node: IConstruct | undefined = construct; node; node = node.node.scope) {
    const scope = SCOPES.get(node);
    if (scope !== undefined) return scope;
  }
  return undefined;
}
