import type { Context } from 'hono';
import { OAuthProtocolError } from '../errors.ts';

/**
 * How the OAuth endpoints answer: RFC 6749 §5.1/§5.2 JSON, never cached (`Cache-Control: no-store`),
 * and errors in the OAuth shape rather than Composio's envelope.
 */
export function oauthJson(c: Context, body: object, status = 200): Response {
  c.header('Cache-Control', 'no-store');
  c.header('Pragma', 'no-cache');
  return c.json(body, status as 200);
}

export function oauthError(c: Context, error: OAuthProtocolError): Response {
  // RFC 6749 §5.2: a client that tried the Authorization header gets the scheme it used back
  if (error.error === 'invalid_client' && c.req.header('authorization')?.match(/^Basic\s/i)) c.header('WWW-Authenticate', 'Basic');
  return oauthJson(c, error.toBody(), error.status);
}

/** Runs a handler, answering its OAuth errors in their shape; anything else is the app's error handler's. */
export async function answering(c: Context, handler: () => Promise<Response>): Promise<Response> {
  try {
    return await handler();
  } catch (error) {
    if (error instanceof OAuthProtocolError) return oauthError(c, error);
    throw error;
  }
}

/**
 * A form-encoded request body (RFC 6749 §4.1.3 and §6, RFC 7009 §2.1), each parameter at most once
 * (RFC 6749 §3.2). Anything else is invalid_request.
 */
export async function readForm(c: Context): Promise<Map<string, string>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(type))
    throw new OAuthProtocolError('invalid_request', 'Send the parameters as application/x-www-form-urlencoded.');
  const params = new URLSearchParams(await c.req.text());
  const form = new Map<string, string>();
  for (const [name, value] of params) {
    if (form.has(name)) throw new OAuthProtocolError('invalid_request', `The ${name.slice(0, 40)} parameter is repeated.`);
    form.set(name, value);
  }
  return form;
}
