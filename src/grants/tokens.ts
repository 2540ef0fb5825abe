import { createHash, timingSafeEqual } from 'node:crypto';
import type { Deps } from '../deps.ts';
import { OAuthProtocolError } from '../errors.ts';
import { hashSecret, newSecret } from '../ids.ts';
import { ACCESS_TOKEN_PREFIX } from '../sessions/session.ts';
import { sameResource } from './metadata.ts';
import type { OAuthClient, OAuthGrant, OAuthToken } from '../../storage/domain.ts';
import { oauthGrantsRepo } from '../../storage/repos/oauth.ts';

/**
 * The token endpoint's grants (OAuth 2.1 §4.1.3 and §4.3) and revocation (RFC 7009). Codes and
 * tokens are opaque 190-bit secrets stored by SHA-256; an access token opens the one session its
 * grant names (its audience, RFC 8707), for LATCHKEY_MCP_TOKEN_TTL_MS.
 */

const REFRESH_TTL_MS = 30 * 86_400_000;

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  scope?: string;
}

const invalidGrant = (description: string) => new OAuthProtocolError('invalid_grant', description);

/** PKCE S256 (RFC 7636 §4.6): BASE64URL(SHA256(verifier)) equals the challenge, compared in constant time. */
function pkceMatches(verifier: string, challenge: string): boolean {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false;
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

/** RFC 8707 §2.2: a resource on the token request must be the one the grant was for. */
function checkResource(grant: OAuthGrant, resource: string | undefined) {
  if (resource !== undefined && !sameResource(resource, grant.resource))
    throw new OAuthProtocolError('invalid_target', 'resource is not the one this grant was issued for.');
}

function issue(deps: Deps, grant: OAuthGrant, client: OAuthClient): { tokens: OAuthToken[]; response: TokenResponse } {
  const now = deps.clock.now();
  const ttl = deps.config.mcpAccessTokenTtlMs;
  const access = newSecret(ACCESS_TOKEN_PREFIX);
  const row = (token: string, kind: OAuthToken['kind'], lifetime: number): OAuthToken => ({
    tokenHash: hashSecret(token),
    grantId: grant.id,
    kind,
    redirectUri: null,
    codeChallenge: null,
    createdAt: now,
    expiresAt: now + lifetime,
    usedAt: null,
  });
  const tokens = [row(access, 'access', ttl)];
  const refresh = client.metadata.grant_types.includes('refresh_token') ? newSecret('lkr') : undefined;
  if (refresh) tokens.push(row(refresh, 'refresh', REFRESH_TTL_MS));
  return {
    tokens,
    response: {
      access_token: access,
      token_type: 'Bearer',
      expires_in: Math.floor(ttl / 1000),
      ...(refresh ? { refresh_token: refresh } : {}),
      ...(grant.scope ? { scope: grant.scope } : {}),
    },
  };
}

/**
 * A code or refresh token presented again after it was spent is reuse: the grant and everything
 * issued under it are revoked (OAuth 2.1 §4.1.3 for codes, RFC 6749 §4.1.2; OAuth 2.1 §4.3.1
 * refresh token rotation and the Security BCP §4.14.2 reuse detection).
 */
async function revokeOnReuse(deps: Deps, found: { token: OAuthToken; grant: OAuthGrant }, what: string) {
  if (found.token.usedAt === null) return;
  await oauthGrantsRepo(deps.db).delete(found.grant.id);
  throw invalidGrant(`This ${what} was already used; the grant is revoked.`);
}

/** Spends it and stores what replaces it in one transaction; losing a race to another request is reuse too. */
async function spend(deps: Deps, found: { token: OAuthToken; grant: OAuthGrant }, issued: OAuthToken[], what: string) {
  const grants = oauthGrantsRepo(deps.db);
  if (await grants.spend(found.token.tokenHash, deps.clock.now(), issued)) return;
  await grants.delete(found.grant.id);
  throw invalidGrant(`This ${what} was already used; the grant is revoked.`);
}

export async function exchangeCode(
  deps: Deps,
  client: OAuthClient,
  params: { code?: string; redirectUri?: string; codeVerifier?: string; resource?: string },
): Promise<TokenResponse> {
  if (!params.code) throw new OAuthProtocolError('invalid_request', 'code is required.');
  if (!params.codeVerifier) throw new OAuthProtocolError('invalid_request', 'code_verifier is required (PKCE).');
  const found = await oauthGrantsRepo(deps.db).findToken(hashSecret(params.code), 'code');
  if (!found || found.grant.clientId !== client.id) throw invalidGrant('The code is invalid, expired or was issued to another client.');
  await revokeOnReuse(deps, found, 'code');
  const { token, grant } = found;
  if (token.expiresAt <= deps.clock.now()) throw invalidGrant('The code has expired.');
  if (params.redirectUri !== token.redirectUri) throw invalidGrant('redirect_uri does not match the authorization request.');
  if (!pkceMatches(params.codeVerifier, token.codeChallenge ?? '')) throw invalidGrant('code_verifier does not match the code_challenge.');
  checkResource(grant, params.resource);
  const { tokens, response } = issue(deps, grant, client);
  await spend(deps, found, tokens, 'code');
  return response;
}

export async function refreshGrant(
  deps: Deps,
  client: OAuthClient,
  params: { refreshToken?: string; resource?: string },
): Promise<TokenResponse> {
  if (!params.refreshToken) throw new OAuthProtocolError('invalid_request', 'refresh_token is required.');
  const found = await oauthGrantsRepo(deps.db).findToken(hashSecret(params.refreshToken), 'refresh');
  if (!found || found.grant.clientId !== client.id)
    throw invalidGrant('The refresh token is invalid, revoked or was issued to another client.');
  await revokeOnReuse(deps, found, 'refresh token');
  if (found.token.expiresAt <= deps.clock.now()) throw invalidGrant('The refresh token has expired.');
  checkResource(found.grant, params.resource);
  const { tokens, response } = issue(deps, found.grant, client);
  await spend(deps, found, tokens, 'refresh token');
  return response;
}

/**
 * RFC 7009 §2.1: revoking an access or refresh token ends its whole grant. An unknown token, or one
 * of another client, changes nothing and is answered alike (§2.2: 200 either way).
 */
export async function revokeToken(deps: Deps, client: OAuthClient, token: string | undefined): Promise<void> {
  if (!token) throw new OAuthProtocolError('invalid_request', 'token is required.');
  const grants = oauthGrantsRepo(deps.db);
  const hash = hashSecret(token);
  const found = (await grants.findToken(hash, 'refresh')) ?? (await grants.findToken(hash, 'access'));
  if (found && found.grant.clientId === client.id) await grants.delete(found.grant.id);
}
