import { App, Fn, TerraformLocal, TerraformOutput, TerraformResource, TerraformStack } from 'cdktf';
import { invokeAspects } from 'cdktf/lib/synthesize/synthesizer';
import { buildCloud } from '../constructs';
import { stableJson } from '../core/canonical-json';
import { buildTerraformApp } from '../stacks/terraform/app';
import { resolvingPlainValuesDirectly } from '../stacks/terraform/plain-resolve';
import { environmentInput } from './helpers';
import { validateEnvironment } from '../environments/validate';

/** A stack's Terraform JSON as cdktf resolves it, and as it is resolved with plain values passed through. */
function bothWays(stack: TerraformStack): { cdktf: string; direct: string } {
  return { cdktf: stableJson(stack.toTerraform()), direct: stableJson(resolvingPlainValuesDirectly(() => stack.toTerraform())) };
}

describe('resolving plain values directly (stacks/terraform/plain-resolve.ts)', () => {
  test.each(['dev', 'staging', 'prod'] as const)('every Terraform stack of %s resolves to the same JSON as cdktf resolves it', (name) => {
    const env = validateEnvironment(environmentInput(name), `environments/${name}.ts`, name);
    const { stacks } = buildTerraformApp(buildCloud(env), env);
    expect(stacks.length).toBeGreaterThan(2);
    for (const stack of stacks) {
      invokeAspects(stack);
      const { cdktf, direct } = bothWays(stack);
      expect(direct).toBe(cdktf);
      expect(cdktf).toContain('${');
    }
  });

  test('tokens of every kind, where plain data holds them, resolve as cdktf resolves them', () => {
    const stack = new TerraformStack(new App(), 'tokens');
    const source = new TerraformResource(stack, 'source', { terraformResourceType: 'null_resource' });
    const value = {
      reference: source.getStringAttribute('id'),
      embedded: `prefix-${source.getStringAttribute('name')}-suffix`,
      list: source.getListAttribute('names'),
      concat: Fn.concat([source.getListAttribute('more'), ['plain']]),
      number: source.getNumberAttribute('count'),
      numberInString: `${source.getNumberAttribute('port')}/tcp`,
      numberList: source.getNumberListAttribute('ports'),
      map: source.getStringMapAttribute('tags'),
      fn: Fn.join(',', [source.getStringAttribute('a'), 'b']),
      nested: [undefined, 1, true, null, 'text', { gone: undefined, kept: 'yes', deeper: [source.getStringAttribute('deep')] }],
      // A key cdktf searches for number tokens: this object is resolved by cdktf whole (the others are walked).
      numericKeys: { '1e5': 'searched', looksNumeric: '2e10 and 3.5e-2' },
      interpolation: 'a literal ${var.x} is left alone',
    };
    new TerraformLocal(stack, 'everything', value);
    new TerraformOutput(stack, 'out', { value: source.getStringAttribute('id') });
    const { cdktf, direct } = bothWays(stack);
    expect(direct).toBe(cdktf);
    expect(cdktf).toContain('${null_resource.source.names}');
    expect(cdktf).toContain('prefix-${null_resource.source.name}-suffix');
    expect(cdktf).not.toContain('TfToken');
  });

  test('what cdktf refuses, it still refuses', () => {
    const stack = new TerraformStack(new App(), 'refused');
    const source = new TerraformResource(stack, 'source', { terraformResourceType: 'null_resource' });
    // A list token in a string context (a list interpolated into a scalar).
    new TerraformLocal(stack, 'misused', { value: source.getListAttribute('names')[0] + '' });
    expect(() => stack.toTerraform()).toThrow();
    expect(() => resolvingPlainValuesDirectly(() => stack.toTerraform())).toThrow();
  });
});
