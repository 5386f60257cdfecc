import type { Construct } from 'constructs';
import { TerraformResource, type ITerraformDependable, type TerraformProvider, type TerraformResourceLifecycle } from 'cdktf';

/** Meta-arguments every binding accepts besides the provider's own attributes. */
export interface ResourceMeta {
  readonly provider?: TerraformProvider;
  readonly dependsOn?: ITerraformDependable[];
  readonly lifecycle?: TerraformResourceLifecycle;
}

/**
 * Base of the typed bindings: the config is already in the provider's attribute names (snake_case, as
 * the provider schema spells them), so synthesis passes it through, dropping unset members.
 */
export abstract class ProviderResource<Config extends object> extends TerraformResource {
  private readonly attributes: Config;

  protected constructor(scope: Construct, id: string, type: string, providerName: string, config: Config, meta: ResourceMeta = {}) {
    super(scope, id, {
      terraformResourceType: type,
      terraformGeneratorMetadata: { providerName },
      provider: meta.provider,
      dependsOn: meta.dependsOn,
      lifecycle: meta.lifecycle,
    });
    this.attributes = config;
  }

  /** The resource's id, as a reference token. */
  get id(): string {
    return this.attribute('id');
  }

  /**
   * Any attribute, as a reference token (e.g. `bucket`, `name`). One token per attribute, made on first
   * use: cdktf captures a whole stack trace for every token it makes, and a resource is referenced often.
   */
  attribute(name: string): string {
    let token = this.references.get(name);
    if (token === undefined) {
      token = this.getStringAttribute(name);
      this.references.set(name, token);
    }
    return token;
  }

  private readonly references = new Map<string, string>();

  protected override synthesizeAttributes(): Record<string, unknown> {
    return dropUndefined(this.attributes) as Record<string, unknown>;
  }
}

function dropUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropUndefined);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = dropUndefined(v);
    return out;
  }
  return value;
}
