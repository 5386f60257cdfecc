import type { IConstruct } from 'constructs';
import { InputError, show } from '../core/errors';
import { parseCidr, type Cidr } from '../core/cidr';

/** A construct prop failed validation: the error names the construct path, the prop, the value and what is valid. */
export function propError(scope: IConstruct, prop: string, value: unknown, reason: string): InputError {
  return new InputError(`${scope.node.path}: ${prop}`, `${value === undefined ? 'missing' : show(value)}: ${reason}`);
}

export function cidrProp(scope: IConstruct, prop: string, text: string): Cidr {
  const parsed = parseCidr(text);
  if (typeof parsed === 'string') throw propError(scope, prop, text, parsed);
  return parsed;
}
