import type { AuthScheme } from '../catalogue/schema.ts';
import { atDotPath } from '../dot-path.ts';
import {
  exchangeCode,
  OAuthFlowError,
  refreshTokens,
  revokeToken,
  startAuthorization,
  type OAuth2Endpoints,
  type TokenSet,
} from '../oauth/client.ts';
import { injectTemplates } from './inject.ts';
import { appField, fromTokenResponse, oauthCallOptions, providerUrl } from './oauth-shared.ts';
import type { AuthSchemeModule, SchemeContext, SchemeEnvironment } from './scheme.ts';

/**
 * OAuth 2.0 authorization code (RFC 6749 4.1) with PKCE S256 (RFC 7636), refreshed with the refresh
 * token (RFC 6749 6), revoked per RFC 7009. Every exchange goes through `oauth/client.ts`.
 */
type OAuth2 = Extract<AuthScheme, { mode: 'OAUTH2' }>;
type Context = SchemeContext<OAuth2>;

function endpoints(deps: SchemeEnvironment, scheme: OAuth2, connectionData: Record<string, string>): OAuth2Endpoints {
  const authorizationUrl = providerUrl(deps, scheme.authorization_url, connectionData).href;
  return {
    issuer: scheme.issuer ?? new URL(authorizationUrl).origin,
    authorizationUrl,
    tokenUrl: providerUrl(deps, scheme.token_url, connectionData).href,
    revocationUrl: scheme.revocation_url ? providerUrl(deps, scheme.revocation_url, connectionData).href : undefined,
  };
}

function client(context: Context) {
  const app = context.client();
  const scheme = context.definition;
  return {
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    tokenEndpointAuth: scheme.token_endpoint_auth,
    tokenRequestBody: scheme.token_request_body,
  };
}

/**
 * The access token of a token response: `access_token`, or the toolkit's `access_token_path` (a dot
 * path into the response, as Composio documents it, e.g. Slack's `authed_user.access_token`).
 */
function accessTokenOf(scheme: OAuth2, tokens: TokenSet): string {
  if (!scheme.access_token_path) return tokens.access_token;
  const { extra, ...named } = tokens;
  const value = atDotPath({ ...extra, ...named }, scheme.access_token_path);
  if (typeof value !== 'string' || value === '')
    throw new OAuthFlowError('invalid_response', `the token response has no ${scheme.access_token_path}`);
  return value;
}

/** `expires_in` (seconds), or an absolute `expires_at` (seconds or ms), or neither (unknown: null). */
export function expiryOf(expiresIn: number | undefined, expiresAt: unknown, now: number): number | null {
  if (typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0) return now + expiresIn * 1000;
  const absolute =
    typeof expiresAt === 'string' ? Number(expiresAt) || Date.parse(expiresAt) : typeof expiresAt === 'number' ? expiresAt : NaN;
  if (Number.isFinite(absolute) && absolute > 0) return absolute < 1e12 ? absolute * 1000 : absolute;
  return null;
}

export const oauth2Scheme: AuthSchemeModule<OAuth2> = {
  mode: 'OAUTH2',
  connectBy: 'redirect',
  usesAppClient: true,
  signsWithClient: false,
  authConfigFields: (scheme) => [
    appField('client_id', 'Client ID', false),
    appField('client_secret', 'Client secret', true),
    { ...appField('scopes', 'Scopes', false, false), default: scheme.default_scopes.join(scheme.scope_separator) },
    appField('oauth_redirect_uri', 'Redirect URI override', false, false),
  ],
  connectionFields: () => [],
  defaultScopes: (scheme) => scheme.default_scopes,
  issuedCredentials: ['access_token'],
  publicCredentials: ['token_type', 'scope'],
  urls: (scheme) => [
    ['authorization_url', scheme.authorization_url],
    ['token_url', scheme.token_url],
    ...(scheme.revocation_url ? [['revocation_url', scheme.revocation_url] as [string, string]] : []),
  ],
  tokenResponseFields: (scheme) => scheme.token_response_fields ?? [],
  authorizationUrl: (scheme) => scheme.authorization_url,

  async begin(context, redirectUri) {
    const scheme = context.definition;
    const start = await startAuthorization(endpoints(context.deps, scheme, context.connectionData), client(context), {
      redirectUri,
      scopes: context.scopes,
      scopeSeparator: scheme.scope_separator,
      pkce: scheme.pkce,
      extraParams: scheme.authorization_params,
    });
    return { url: start.url, state: start.state, flow: { code_verifier: start.codeVerifier, redirect_uri: redirectUri } };
  },

  async complete(context, callback, state, flow) {
    const scheme = context.definition;
    const tokens = await exchangeCode(
      endpoints(context.deps, scheme, context.connectionData),
      client(context),
      {
        callbackUrl: callback,
        expectedState: state,
        codeVerifier: flow.code_verifier as string | null,
        redirectUri: flow.redirect_uri as string,
        tokenParams: scheme.token_params,
      },
      oauthCallOptions(context.deps),
    );
    const credentials: Record<string, string> = { access_token: accessTokenOf(scheme, tokens), token_type: tokens.token_type };
    if (tokens.refresh_token) credentials.refresh_token = tokens.refresh_token;
    if (tokens.scope) credentials.scope = tokens.scope;
    if (tokens.id_token) credentials.id_token = tokens.id_token;
    return {
      credentials,
      connectionData: fromTokenResponse(context.toolkit, scheme.token_response_fields, tokens.extra),
      expiresAt: tokens.expires_in !== undefined ? context.deps.clock.now() + tokens.expires_in * 1000 : null,
    };
  },

  async refresh(context, credentials) {
    if (!credentials.refresh_token) return null;
    const scheme = context.definition;
    const tokens = await refreshTokens(
      endpoints(context.deps, scheme, context.connectionData),
      client(context),
      credentials.refresh_token,
      oauthCallOptions(context.deps),
      scheme.token_params,
    );
    const next: Record<string, string> = { ...credentials, access_token: accessTokenOf(scheme, tokens), token_type: tokens.token_type };
    if (tokens.refresh_token) next.refresh_token = tokens.refresh_token; // rotated: stored with the new access token, atomically
    if (tokens.scope) next.scope = tokens.scope;
    return { credentials: next, expiresAt: expiryOf(tokens.expires_in, tokens.extra.expires_at, context.deps.clock.now()) };
  },

  async revoke(context, credentials) {
    if (!context.definition.revocation_url) return [];
    const where = endpoints(context.deps, context.definition, context.connectionData);
    const app = client(context);
    const revoked: string[] = [];
    for (const kind of ['refresh_token', 'access_token'] as const) {
      const token = credentials[kind];
      if (!token) continue;
      try {
        await revokeToken(where, app, token, oauthCallOptions(context.deps));
        revoked.push(kind);
      } catch (error) {
        context.deps.log.warn(
          { connected_account_id: context.accountId, error: (error as Error).name },
          'revocation at the provider failed',
        );
      }
    }
    return revoked;
  },

  inject: (scheme, connection, request) => injectTemplates(scheme.inject, connection, request),
};
