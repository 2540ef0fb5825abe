import type { Deps } from '../deps.ts';
import { AppError, OAuthProtocolError, type OAuthErrorName } from '../errors.ts';
import { hashSecret, newId, newSecret } from '../ids.ts';
import { getSession, type Session } from '../sessions/session.ts';
import type { OAuthClient, OAuthRequest } from '../../storage/domain.ts';
import { oauthClientsRepo, oauthGrantsRepo, oauthRequestsRepo } from '../../storage/repos/oauth.ts';
import { findClient } from './clients.ts';
import { redirectUriMatches } from './client-metadata.ts';
import { issuerOf, sessionIdOfResource } from './metadata.ts';

/**
 * The authorization endpoint's work (OAuth 2.1 §4.1.1, MCP 2025-11-25 basic/authorization): check the
 * request, hold it server-side while the person answers, and on their yes issue a code bound to the
 * client, the redirect URI, the PKCE challenge and the one session the `resource` names.
 */

const REQUEST_TTL_MS = 10 * 60_000;
const CODE_TTL_MS = 60_000;

/** An error shown on our page, never sent to a redirect URI not yet known to be the client's (no open redirect). */
export class AuthorizationPageError extends Error {
  override name = 'AuthorizationPageError';
}

/** What an authorization request led to: the consent question. */
export type AuthorizationStart = { kind: 'consent'; requestId: string; client: OAuthClient; redirectUri: string };

const single = (params: URLSearchParams, name: string): string | undefined => {
  const all = params.getAll(name);
  // RFC 6749 §3.1: parameters must not be repeated
  if (all.length > 1) throw new AuthorizationPageError(`The ${name} parameter is repeated.`);
  return all[0];
};

/** A redirect back to the client with the answer, `state` and `iss` (RFC 6749 §4.1.2, RFC 9207 §2). */
export function clientRedirect(deps: Pick<Deps, 'config'>, redirectUri: string, params: Record<string, string | null | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries({ ...params, iss: issuerOf(deps) })) if (value != null) url.searchParams.set(name, value);
  return url.href;
}

const CHALLENGE = /^[A-Za-z0-9._~-]{43,128}$/;

export async function beginAuthorization(deps: Deps, params: URLSearchParams): Promise<AuthorizationStart> {
  const clientId = single(params, 'client_id');
  const redirectUri = single(params, 'redirect_uri');
  if (!clientId) throw new AuthorizationPageError('The request names no client (client_id).');
  let client: OAuthClient | undefined;
  try {
    client = await findClient(deps, clientId);
  } catch (error) {
    if (error instanceof OAuthProtocolError) throw new AuthorizationPageError(error.description);
    throw error;
  }
  if (!client) throw new AuthorizationPageError('This client is not registered here.');
  if (!redirectUri) throw new AuthorizationPageError('The request names no redirect_uri.');
  if (!redirectUriMatches(client.metadata.redirect_uris, redirectUri))
    throw new AuthorizationPageError('The redirect_uri is not one this client registered.');

  // The redirect URI is now one the client registered, but registration is open to anyone (DCR, CIMD),
  // so it is no more trusted than the request: errors are shown on our page too, and the browser goes
  // to the client only after the person answered the consent page (RFC 9700 §4.11.2: no automatic
  // redirect to a URI the server does not trust; the error codes are RFC 6749 §4.1.2.1's).
  const state = params.getAll('state').length > 1 ? undefined : params.get('state');
  const back = (error: OAuthErrorName, description: string): never => {
    throw new AuthorizationPageError(`${description} (${error})`);
  };
  for (const name of ['response_type', 'state', 'code_challenge', 'code_challenge_method', 'resource', 'scope'])
    if (params.getAll(name).length > 1) return back('invalid_request', `The ${name} parameter is repeated.`);
  if (params.get('response_type') !== 'code') return back('unsupported_response_type', 'Only response_type=code is supported.');
  const challenge = params.get('code_challenge');
  // OAuth 2.1 §4.1.1 and the MCP spec: PKCE is required, and only S256 is offered
  if (!challenge || !CHALLENGE.test(challenge)) return back('invalid_request', 'A PKCE code_challenge (S256) is required.');
  if (params.get('code_challenge_method') !== 'S256') return back('invalid_request', 'code_challenge_method must be S256.');
  if (state && state.length > 1000) return back('invalid_request', 'state is longer than 1000 characters.');
  const scope = params.get('scope');
  if (scope && scope.length > 1000) return back('invalid_scope', 'scope is longer than 1000 characters.');
  // RFC 8707 §2: the MCP client names the MCP server it wants a token for; here it must be a session's MCP URL
  const resource = params.get('resource');
  if (!resource) return back('invalid_target', 'resource is required: the MCP URL of the session.');
  const sessionId = sessionIdOfResource(deps, resource);
  if (!sessionId) return back('invalid_target', 'resource is not an MCP URL of this server.');
  try {
    await getSession(deps, sessionId);
  } catch (error) {
    if (error instanceof AppError) return back('invalid_target', 'resource is not an MCP URL of this server.');
    throw error;
  }

  const requestId = newSecret('lkq');
  const now = deps.clock.now();
  await oauthRequestsRepo(deps.db).insert({
    idHash: hashSecret(requestId),
    clientId: client.id,
    sessionId,
    redirectUri,
    codeChallenge: challenge,
    state: state ?? null,
    scope: scope || null,
    resource,
    createdAt: now,
    expiresAt: now + REQUEST_TTL_MS,
  });
  return { kind: 'consent', requestId, client, redirectUri };
}

const requestHash = (requestId: string) => (/^lkq_[A-Za-z0-9]{32}$/.test(requestId) ? hashSecret(requestId) : '');

/** A pending request and its client, for the consent page; undefined when unknown or expired. */
export async function pendingAuthorization(
  deps: Deps,
  requestId: string,
): Promise<{ request: OAuthRequest; client: OAuthClient } | undefined> {
  const request = await oauthRequestsRepo(deps.db).find(requestHash(requestId), deps.clock.now());
  if (!request) return undefined;
  const client = await findClient(deps, request.clientId).catch(() => undefined);
  return client && { request, client };
}

/**
 * The person said yes for `session`: the pending request is taken (once), and a grant with a
 * single-use code is stored. Returns where to send the browser: the client's redirect URI with
 * `code`, `state` and `iss`. Whatever proved the person (the consent page's session token, or an
 * app's verifier through `complete_auth` and then the return route in the browser that pressed
 * Continue) calls this same function; undefined when the
 * request is gone or belongs to another session.
 */
export async function approveAuthorization(deps: Deps, requestId: string, session: Session): Promise<string | undefined> {
  const now = deps.clock.now();
  const request = await oauthRequestsRepo(deps.db).take(requestHash(requestId), now, session.id);
  if (!request) return undefined;
  const code = newSecret('lkc');
  const grantId = newId('grt');
  await oauthGrantsRepo(deps.db).insertWithToken(
    { id: grantId, sessionId: session.id, clientId: request.clientId, resource: request.resource, scope: request.scope, createdAt: now },
    {
      tokenHash: hashSecret(code),
      grantId,
      kind: 'code',
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      createdAt: now,
      expiresAt: now + CODE_TTL_MS,
      usedAt: null,
    },
  );
  await oauthClientsRepo(deps.db).markGranted(request.clientId, now);
  return clientRedirect(deps, request.redirectUri, { code, state: request.state });
}

/** The request is taken out and nothing is issued: it can never be approved (a later /authorize starts over). */
export async function abandonAuthorization(deps: Deps, requestId: string): Promise<OAuthRequest | undefined> {
  return oauthRequestsRepo(deps.db).take(requestHash(requestId), deps.clock.now());
}

/** The person said no: the request is taken, and the client told access_denied (RFC 6749 §4.1.2.1). */
export async function denyAuthorization(deps: Deps, requestId: string): Promise<string | undefined> {
  const request = await abandonAuthorization(deps, requestId);
  return (
    request &&
    clientRedirect(deps, request.redirectUri, { error: 'access_denied', error_description: 'The user refused.', state: request.state })
  );
}
