import { InputError } from './errors';

/**
 * JSON read from files users edit (JSON environments, the trust store): parse errors are one line with a
 * line and column, and keys that JavaScript treats specially are refused rather than dropped or obeyed.
 */

/** Keys that would reach or replace an object's prototype when copied; a schema would silently drop them. */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Parses `text` from the file shown as `shown`; an InputError naming line, column and reason otherwise. */
export function parseJsonFile(text: string, shown: string): unknown {
  let value: unknown;
  // A byte-order mark from some editors is not an error worth refusing the file for.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    value = JSON.parse(text);
  } catch {
    const { offset, reason } = locateJsonError(text);
    const { line, column } = lineAndColumn(text, offset);
    throw new InputError(`${shown}:${line}:${column}`, `is not valid JSON: ${reason}`);
  }
  const path = prototypeKeyPath(value);
  if (path !== undefined) throw new InputError(`${shown}: ${path}`, 'a key named __proto__, constructor or prototype is not allowed (it would be dropped or change the object\'s prototype)');
  return value;
}

/**
 * The path of the first own key named __proto__, constructor or prototype, and of the first object that
 * is not a plain object or array (a `__proto__:` in a TypeScript object literal sets the prototype).
 */
export function prototypeKeyPath(value: unknown, path = ''): string | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const prototype = Object.getPrototypeOf(value) as unknown;
  const plain = Array.isArray(value) ? prototype === Array.prototype : prototype === Object.prototype || prototype === null;
  if (!plain) return path === '' ? '(top level)' : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = prototypeKeyPath(value[i], `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (PROTOTYPE_KEYS.has(key)) return at;
    const found = prototypeKeyPath((value as Record<string, unknown>)[key], at);
    if (found !== undefined) return found;
  }
  return undefined;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** Where and why JSON.parse failed: a small recursive-descent scan, run only after JSON.parse has refused. */
function locateJsonError(text: string): { offset: number; reason: string } {
  let i = 0;
  class Stop extends Error {
    constructor(
      readonly offset: number,
      readonly reason: string,
    ) {
      super(reason);
    }
  }
  const stop = (reason: string, at = i): never => {
    throw new Stop(at, reason);
  };
  const describe = (at: number) => (at >= text.length ? 'end of file' : JSON.stringify(text[at]));
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else stop(`unexpected ${describe(i)} (expected a value)`);
  };
  const string = () => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') {
      const code = text.charCodeAt(i);
      if (code < 0x20) stop('control character inside a string (escape it)');
      if (text[i] === '\\') {
        const next = text[i + 1];
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) stop('invalid \\u escape');
          i += 6;
          continue;
        }
        if (next === undefined || !'"\\/bfnrt'.includes(next)) stop(`invalid escape \\${next ?? ''}`);
        i += 2;
        continue;
      }
      i++;
    }
    if (i >= text.length) stop('unterminated string', start);
    i++;
  };
  const number = () => {
    const match = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match) stop(`unexpected ${describe(i)} (expected a value)`);
    i += match![0].length;
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return number();
    stop(`unexpected ${describe(i)} (expected a value)`);
  };
  const object = () => {
    i++;
    space();
    if (text[i] === '}') return void i++;
    for (;;) {
      space();
      if (text[i] !== '"') stop(`unexpected ${describe(i)} (expected a double-quoted key${text[i] === '}' ? '; no comma before }' : ''})`);
      string();
      space();
      if (text[i] !== ':') stop(`unexpected ${describe(i)} (expected : after the key)`);
      i++;
      value();
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') return void i++;
      stop(`unexpected ${describe(i)} (expected , or })`);
    }
  };
  const array = () => {
    i++;
    space();
    if (text[i] === ']') return void i++;
    for (;;) {
      space();
      if (text[i] === ']') stop('unexpected "]" (no comma before ])');
      value();
      space();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') return void i++;
      stop(`unexpected ${describe(i)} (expected , or ])`);
    }
  };
  try {
    value();
    space();
    if (i < text.length) stop(`unexpected ${describe(i)} after the end of the JSON value`);
  } catch (error) {
    if (error instanceof Stop) return { offset: error.offset, reason: error.reason };
    throw error;
  }
  return { offset: 0, reason: 'not accepted by the JSON parser' };
}
