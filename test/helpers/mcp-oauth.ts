import { createHash, randomBytes } from 'node:crypto';
import { FetchBrowser } from './browser-fetch.ts';

/**
 * An OAuth client of latchkey's own authorization server, by hand (raw HTTP): registration, PKCE, the
 * consent page answered with the session token, and the token endpoint.
 */

export const REDIRECT = 'http://127.0.0.1:4999/callback';

export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export async function register(base: string, metadata: Record<string, unknown> = {}) {
  const res = await fetch(`${base}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ redirect_uris: [REDIRECT], token_endpoint_auth_method: 'none', client_name: 'Test client', ...metadata }),
  });
  return { status: res.status, body: (await res.json()) as any };
}

export function authorizeUrl(base: string, params: Record<string, string>) {
  const url = new URL(`${base}/oauth/authorize`);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.href;
}

const hidden = (page: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(page)?.[1];

/** GET the authorization URL, then answer its consent page with a session token; the final response (a 303 to the client, or a page). */
export async function consent(url: string, sessionToken: string, decision: 'allow' | 'deny' = 'allow', browser = new FetchBrowser()) {
  const page = await browser.request(url);
  const text = await page.text();
  if (page.status !== 200) return { status: page.status, location: page.headers.get('location'), text };
  return answerConsent(new URL(url).origin, text, sessionToken, decision, browser);
}

/** Answers a consent page (its HTML) that `browser` was shown. */
export async function answerConsent(
  origin: string,
  page: string,
  sessionToken: string,
  decision: 'allow' | 'deny' = 'allow',
  browser = new FetchBrowser(),
) {
  const answer = await browser.request(`${origin}/oauth/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: new URLSearchParams({
      csrf_token: hidden(page, 'csrf_token')!,
      request_id: hidden(page, 'request_id')!,
      session_token: sessionToken,
      decision,
    }).toString(),
  });
  return { status: answer.status, location: answer.headers.get('location'), text: await answer.text() };
}

export async function tokenRequest(base: string, form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(`${base}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

/** A refresh_token grant of a public client. */
export const refresh = (base: string, refreshToken: string, clientId: string) =>
  tokenRequest(base, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId });

export async function revoke(base: string, form: Record<string, string>) {
  const res = await fetch(`${base}/oauth/revoke`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, body: await res.text() };
}

/** A tools/list over MCP (2025 era: initialize) with an Authorization header; the HTTP status and body. */
export async function mcpList(url: string, authorization: string) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    }),
  });
  return { status: res.status, challenge: res.headers.get('www-authenticate'), body: (await res.json()) as any };
}

/** The parameters of an authorization request with PKCE S256 for one client and resource. */
export const authorizationParams = (clientId: string, challenge: string, resource: string, extra: Record<string, string> = {}) => ({
  response_type: 'code',
  client_id: clientId,
  redirect_uri: REDIRECT,
  code_challenge: challenge,
  code_challenge_method: 'S256',
  resource,
  ...extra,
});

/** An authorization answered with the session token: the code and the verifier that redeems it. */
export async function authorizeCode(base: string, clientId: string, resource: string, sessionToken: string) {
  const { verifier, challenge } = pkce();
  const answer = await consent(authorizeUrl(base, authorizationParams(clientId, challenge, resource)), sessionToken);
  return { code: new URL(answer.location!).searchParams.get('code')!, verifier };
}

/** Registration, authorization with the session token and the code exchange, in one go: the token response. */
export async function fullGrant(base: string, resource: string, sessionToken: string, metadata: Record<string, unknown> = {}) {
  const client = (await register(base, metadata)).body;
  const { code, verifier } = await authorizeCode(base, client.client_id, resource, sessionToken);
  const tokens = await tokenRequest(base, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
    code_verifier: verifier,
    client_id: client.client_id,
    ...(client.client_secret ? { client_secret: client.client_secret } : {}),
    resource,
  });
  return { client, code, tokens: tokens.body };
}
