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

/** The last four characters stay visible only when they cannot break the escaping around them. */
const masked = (secret: string) => (/[A-Za-z0-9]{4}$/.test(secret) ? maskSecret(secret) : '••••');

export function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(masked(secret));
  return out;
}
