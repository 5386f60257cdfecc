import { InputError } from '../core/errors';

/**
 * Connection URLs carry credentials (user info, `password=` and similar query parameters). Every URL
 * ndc shows, in text, JSON or an error, goes through `redactUrl` first.
 */
const SECRET_PARAMETER = /pass|secret|token|key|credential|auth/i;

/** The URL with user info and password-like query parameters replaced by `***`. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
    return `${scheme ?? 'url'}://(unparsable URL)`;
  }
  const scheme = parsed.protocol;
  const userInfo = parsed.username !== '' || parsed.password !== '' ? '***@' : '';
  const query = [...parsed.searchParams.entries()].map(([name, value]) => `${encodeURIComponent(name)}=${SECRET_PARAMETER.test(name) ? '***' : encodeURIComponent(value)}`);
  return `${scheme}//${userInfo}${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}${query.length > 0 ? `?${query.join('&')}` : ''}`;
}

/** Every `scheme://...` in a text (an error message from a driver) redacted. */
export function redactUrls(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi, (match) => {
    // Punctuation that ends the sentence is not part of the URL.
    const url = match.replace(/[.,;:)\]]+$/, '');
    return redactUrl(url) + match.slice(url.length);
  });
}

/** A PostgreSQL URL from `variable`, checked: bad ones are bad input naming the variable, never shown in clear. */
export function postgresUrlOf(variable: string, value: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new InputError(variable, `${redactUrl(value)} is not a URL; expected postgres://USER@HOST[:PORT]/DATABASE (unset it for the embedded SQLite ledger)`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new InputError(variable, `${redactUrl(value)}: must be a postgres:// URL (unset it for the embedded SQLite ledger)`);
  }
  if (parsed.hostname === '' && !parsed.searchParams.has('host')) throw new InputError(variable, `${redactUrl(value)}: names no host`);
  if (parsed.port !== '' && !/^\d+$/.test(parsed.port)) throw new InputError(variable, `${redactUrl(value)}: port must be a number`);
  try {
    decodeURIComponent(parsed.password);
    decodeURIComponent(parsed.username);
    decodeURIComponent(parsed.pathname);
  } catch {
    throw new InputError(variable, `${redactUrl(value)}: user, password or database is not valid percent-encoding`);
  }
  return parsed;
}
