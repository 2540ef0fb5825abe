import { maskSecret } from '../ids.ts';

/**
 * Masking of credentials an upstream echoes back (an echo endpoint, a debug field, an error that
 * quotes the request). The engine records every value it injected into a request; each is masked in
 * every form it can come back in, since an upstream rarely echoes the bytes we sent as they were.
 */

// shorter values (a username like "bob") would mask ordinary words of the answer
const MIN_SECRET_LENGTH = 6;

const formEncoded = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
const jsonEscaped = (value: string) => JSON.stringify(value).slice(1, -1);
// what serializers that escape `/` (PHP) or everything past ASCII (Python's json.dumps) write
const jsonAsciiEscaped = (json: string) =>
  json.replaceAll('/', '\\/').replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The forms one injected value may come back in: raw, percent- and form-encoded, JSON-escaped. */
export function encodingsOf(value: string): string[] {
  const json = jsonEscaped(value);
  return [value, encodeURIComponent(value), formEncoded(value), json, jsonAsciiEscaped(json)];
}

/** Every form of every value, longest first so a whole header is masked before the token inside it. */
export function maskList(values: Iterable<string>): string[] {
  const all = new Set<string>();
  for (const value of values) if (value.length >= MIN_SECRET_LENGTH) for (const form of encodingsOf(value)) all.add(form);
  return [...all].sort((a, b) => b.length - a.length);
}

// The list an owner (a connection) last needed, with the values it was made from: the same account
// injects the same values call after call, and deriving five encodings of each and sorting them was a
// measurable part of every call. OAuth 1.0a signs each request anew; its list is made anew each time.
const LAST_LIST = new WeakMap<object, { values: string; list: string[] }>();

/** maskList of `values`, kept for `owner` while its values stay the same. */
export function maskListOf(owner: object, values: string[]): string[] {
  const key = values.join('\u0000');
  const last = LAST_LIST.get(owner);
  if (last?.values === key) return last.list;
  const list = maskList(values);
  LAST_LIST.set(owner, { values: key, list });
  return list;
}

/** The last four characters stay visible only when they cannot break the escaping around them. */
const masked = (secret: string) => (/[A-Za-z0-9]{4}$/.test(secret) ? maskSecret(secret) : '••••');

export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(masked(secret));
  return out;
}
