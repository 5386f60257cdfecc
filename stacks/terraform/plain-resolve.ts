import type { IConstruct } from 'constructs';
import { Token, Tokenization } from 'cdktf';
import { containsNumberListTokenElement, containsStringListTokenElement } from 'cdktf/lib/tokens/private/encoding';
import { TokenMap } from 'cdktf/lib/tokens/private/token-map';

/**
 * cdktf resolves a stack's Terraform JSON by walking every value of it twice (each element's block, then
 * the merged document), and its walk is costly per value whatever the value is: a resolution context with
 * two closures, three regular-expression tests per string and the joined path of every member. Nearly all
 * of an ndc stack is plain data (names, CIDRs, tags, settings); tokens (references, locals, remote state)
 * are a few strings among them. That walk was about half of a cold Terraform synthesis.
 *
 * While `work` runs, cdktf's `resolve` (cdktf/lib/_tokens.ts, what TerraformStack.toTerraform calls) walks
 * plain objects and arrays itself and hands every value that is or may hold a token (by cdktf's own
 * markers and tests) to cdktf's resolve, alone. cdktf resolves a value the same wherever it sits under
 * plain objects and arrays (the context it passes down carries nothing from them), so the JSON is the same,
 * byte for byte (test/terraform-plain-resolve.test.ts renders every environment both ways); only the path
 * in cdktf's error messages for a misused token starts at that value.
 */
export function resolvingPlainValuesDirectly<T>(work: () => T): T {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tokens = require('cdktf/lib/_tokens') as { resolve: Resolve };
  const original = tokens.resolve;
  tokens.resolve = (scope, obj, preparing = false) => plainResolve(obj, (value) => original(scope, value, preparing));
  try {
    return work();
  } finally {
    tokens.resolve = original;
  }
}

type Resolve = (scope: IConstruct, obj: unknown, preparing?: boolean) => unknown;

/** cdktf's string, list and map token markers (`${TfToken[`, `#{TfToken[`, `&{TfToken[`: tokens/private/encoding.ts). */
const TOKEN_MARKER = /\{TfToken\[/;
/** cdktf's NUMBER_TOKEN_REGEX (tokens/private/encoding.ts): a string it searches for encoded number tokens. */
const NUMBER_TOKEN = /[-|\d|.+]+(e[-|\d|.|e|E|+]+)/;

const tokenMap = TokenMap.instance();

/** A string cdktf returns unchanged: no token marker, nothing its number-token search would look at. */
function plainString(value: string): boolean {
  return !TOKEN_MARKER.test(value) && !NUMBER_TOKEN.test(value) && value !== Token.STRING_MAP_TOKEN_VALUE && value !== Token.ANY_MAP_TOKEN_VALUE;
}

function plainResolve(value: unknown, byCdktf: (value: unknown) => unknown): unknown {
  switch (typeof value) {
    case 'undefined':
      return undefined;
    case 'string':
      return plainString(value) ? value : byCdktf(value);
    case 'number':
      // A number token decodes to an entry of the token map; cdktf returns any other number as it is.
      return value === Token.NUMBER_MAP_TOKEN_VALUE || tokenMap.lookupNumberToken(value) !== undefined ? byCdktf(value) : value;
    case 'boolean':
    case 'bigint':
      return value;
    case 'object':
      break;
    default:
      // A function or a symbol: cdktf's own answer (an error for a function).
      return byCdktf(value);
  }
  if (value === null || value instanceof Date) return value;
  if (Array.isArray(value)) {
    // A list token among the elements makes the whole list cdktf's (as its resolve decides).
    if (containsStringListTokenElement(value) || containsNumberListTokenElement(value)) return byCdktf(value);
    const out: unknown[] = [];
    for (const element of value) {
      const resolved = plainResolve(element, byCdktf);
      if (resolved !== undefined) out.push(resolved);
    }
    return out;
  }
  // A token object (it has resolve()), a construct (an error), or a key that may hold a token: cdktf's.
  if (Tokenization.isResolvable(value) || isConstruct(value)) return byCdktf(value);
  const keys = Object.keys(value);
  if (!keys.every(plainString)) return byCdktf(value);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const resolved = plainResolve((value as Record<string, unknown>)[key], byCdktf);
    if (resolved !== undefined) out[key] = resolved;
  }
  return out;
}

/** cdktf's test for a construct (tokens/private/resolve.ts isConstruct), which it refuses to resolve. */
function isConstruct(value: object): boolean {
  return (value as { _children?: unknown })._children !== undefined && (value as { _metadata?: unknown })._metadata !== undefined;
}
