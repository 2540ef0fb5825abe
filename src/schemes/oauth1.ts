import type { AuthScheme } from '../catalogue/schema.ts';
import { templateValues } from '../execution/connection.ts';
import { oauth1Header } from '../execution/oauth1.ts';
import { TemplateError } from '../execution/templates.ts';
import { OAuthFlowError } from '../oauth/client.ts';
import { accessToken, requestToken } from '../oauth/oauth1-flow.ts';
import { AppError } from '../errors.ts';
import { appField, fromTokenResponse, providerUrl } from './oauth-shared.ts';
import type { AuthSchemeModule } from './scheme.ts';

/**
 * OAuth 1.0a (RFC 5849): a request token carrying our callback, the user's authorization at the
 * provider, the verifier exchanged for a token; every request signed HMAC-SHA1 with the consumer's
 * secret and the token secret. Tokens do not expire, so there is nothing to refresh.
 */
type OAuth1 = Extract<AuthScheme, { mode: 'OAUTH1' }>;

/** The signature and token of an `Authorization: OAuth …` header, decoded (RFC 5849 3.5.1). */
function oauth1Params(header: string): string[] {
  return [...header.matchAll(/oauth_(?:signature|token)="([^"]*)"/g)].map((m) => decodeURIComponent(m[1]!));
}

export const oauth1Scheme: AuthSchemeModule<OAuth1> = {
  mode: 'OAUTH1',
  connectBy: 'redirect',
  usesAppClient: true,
  signsWithClient: true,
  authConfigFields: () => [appField('client_id', 'Consumer key', false), appField('client_secret', 'Consumer secret', true)],
  connectionFields: () => [],
  defaultScopes: () => [],
  issuedCredentials: ['oauth_token'],
  publicCredentials: ['token_type', 'scope'],
  urls: (scheme) => [
    ['request_token_url', scheme.request_token_url],
    ['authorization_url', scheme.authorization_url],
    ['access_token_url', scheme.access_token_url],
  ],
  tokenResponseFields: (scheme) => scheme.token_response_fields ?? [],
  authorizationUrl: (scheme) => scheme.authorization_url,

  /** The request token's hash is the link's state: the provider sends the token back on the callback. */
  async begin(context, redirectUri) {
    const scheme = context.definition;
    const app = context.client();
    let tokens;
    try {
      tokens = await requestToken(
        context.deps.fetch,
        providerUrl(context.deps, scheme.request_token_url, context.connectionData).href,
        { key: app.clientId, secret: app.clientSecret },
        redirectUri,
      );
    } catch (error) {
      if (error instanceof OAuthFlowError)
        throw new AppError('CONNECTED_ACCOUNT_BAD_REQUEST', {
          message: `${context.toolkit.name} refused to start the sign-in: ${error.message}`,
        });
      throw error;
    }
    const url = providerUrl(context.deps, scheme.authorization_url, context.connectionData);
    url.searchParams.set('oauth_token', tokens.oauth_token);
    for (const [k, v] of Object.entries(scheme.authorization_params ?? {})) url.searchParams.set(k, v);
    return { url, state: tokens.oauth_token, flow: { request_token_secret: tokens.oauth_token_secret } };
  },

  async complete(context, callback, _state, flow) {
    const scheme = context.definition;
    const verifier = callback.searchParams.get('oauth_verifier');
    if (!verifier)
      throw new OAuthFlowError(
        callback.searchParams.get('denied') ? 'access_denied' : 'invalid_request',
        'the provider sent no oauth_verifier',
      );
    const app = context.client();
    const tokens = await accessToken(
      context.deps.fetch,
      providerUrl(context.deps, scheme.access_token_url, context.connectionData).href,
      { key: app.clientId, secret: app.clientSecret },
      { token: callback.searchParams.get('oauth_token')!, secret: flow.request_token_secret as string },
      verifier,
    );
    return {
      credentials: { oauth_token: tokens.oauth_token, oauth_token_secret: tokens.oauth_token_secret },
      connectionData: fromTokenResponse(context.toolkit, scheme.token_response_fields, tokens.extra),
      expiresAt: null,
    };
  },

  /** RFC 5849 3.4: the signature covers the final URL and a form body (not a JSON one). */
  inject(_scheme, connection, request, form) {
    if (!connection.consumer) throw new TemplateError('an OAuth1 connection needs the consumer key of its auth config');
    const values = templateValues(connection);
    const header = oauth1Header(
      { method: request.method, url: request.url.href, form },
      {
        consumerKey: connection.consumer.key,
        consumerSecret: connection.consumer.secret,
        token: values.oauth_token ?? '',
        tokenSecret: values.oauth_token_secret ?? '',
      },
    );
    request.headers.Authorization = header;
    (request.injected ??= []).push(...oauth1Params(header));
  },
};
