import * as oauth from 'oauth4webapi';

/**
 * The only importer of oauth4webapi: authorization URL with PKCE S256 and state, code exchange,
 * refresh, revocation. Provider errors keep their OAuth fields (`error`, `error_description`); the
 * token response body oauth4webapi attaches as `cause` never leaves this file.
 */

export interface OAuth2Endpoints {
  issuer: string;
  authorizationUrl: string;
  tokenUrl: string;
  revocationUrl?: string;
}

export interface OAuth2Client {
  clientId: string;
  clientSecret: string;
  tokenEndpointAuth: 'client_secret_post' | 'client_secret_basic';
  /** how token, refresh and revocation requests carry their parameters; `json` for providers that take only JSON (Notion) */
  tokenRequestBody?: 'form' | 'json';
}

export interface OAuthCallOptions {
  fetch: typeof fetch;
  /** http:// endpoints, allowed only for loopback hosts in development and tests */
  allowInsecure: boolean;
}

export interface TokenSet {
  access_token: string;
  token_type: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
  id_token?: string;
  /** everything else the provider sent (Salesforce `instance_url`, Slack `authed_user`) */
  extra: Record<string, unknown>;
}

/** A refusal by the provider (or a broken answer), with the OAuth error code when there is one. */
export class OAuthFlowError extends Error {
  override name = 'OAuthFlowError';
  constructor(
    readonly error: string,
    readonly description: string | undefined,
    readonly status?: number,
  ) {
    super(description ? `${error}: ${description}` : error);
  }

  /** invalid_grant: the refresh token is dead (revoked, expired, reused); retrying will not help */
  get isPermanent(): boolean {
    return this.error === 'invalid_grant' || this.error === 'unauthorized_client' || this.error === 'invalid_client';
  }

  /** network trouble or a 5xx at the token endpoint: worth retrying later */
  get isTransient(): boolean {
    return (
      this.error === 'network_error' ||
      this.error === 'temporarily_unavailable' ||
      this.error === 'server_error' ||
      (this.status !== undefined && this.status >= 500)
    );
  }
}

function server(endpoints: OAuth2Endpoints): oauth.AuthorizationServer {
  return {
    issuer: endpoints.issuer,
    authorization_endpoint: endpoints.authorizationUrl,
    token_endpoint: endpoints.tokenUrl,
    revocation_endpoint: endpoints.revocationUrl,
  };
}

function clientAuth(client: OAuth2Client): oauth.ClientAuth {
  return client.tokenEndpointAuth === 'client_secret_basic'
    ? clientSecretBasic(client.clientSecret)
    : oauth.ClientSecretPost(client.clientSecret);
}

/**
 * HTTP Basic client authentication (RFC 6749 2.3.1): the client id and secret are form-encoded, then
 * joined by `:` and base64-encoded. oauth4webapi form-encodes by HTML 4's strict rule, `-`, `_`, `.`
 * and `~` included (`%2D`), which a server that decodes reads back the same, but many providers compare
 * the decoded Basic credentials byte for byte without form-decoding them (Reddit's client ids and
 * Notion's UUIDs and `secret_` keys are made of those characters). RFC 3986's unreserved characters stay
 * as they are here, which both kinds of server read correctly; every other character is still
 * percent-encoded, so a `:` in a client id cannot split the pair.
 */
function clientSecretBasic(clientSecret: string): oauth.ClientAuth {
  const encode = (value: string) => encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return (_as, client, _body, headers) => {
    headers.set('authorization', `Basic ${Buffer.from(`${encode(client.client_id)}:${encode(clientSecret)}`).toString('base64')}`);
  };
}

/**
 * RFC 6749 4.1.3 and RFC 7009 2.1 send the parameters as a form, and oauth4webapi always does; a
 * provider that documents a JSON body instead (Notion's token and revoke endpoints) gets the same
 * parameters as one JSON object, with the same client authentication.
 */
function asJsonBody(send: typeof fetch): typeof fetch {
  return (input, init) => {
    if (!(init?.body instanceof URLSearchParams)) return send(input, init);
    const headers = new Headers(init.headers);
    headers.set('content-type', 'application/json');
    return send(input, { ...init, headers, body: JSON.stringify(Object.fromEntries(init.body)) });
  };
}

function requestOptions(options: OAuthCallOptions, client: OAuth2Client, additionalParameters?: Record<string, string>) {
  return {
    [oauth.customFetch]: client.tokenRequestBody === 'json' ? asJsonBody(options.fetch) : options.fetch,
    [oauth.allowInsecureRequests]: options.allowInsecure,
    additionalParameters,
    signal: AbortSignal.timeout(15_000),
  };
}

/** Providers name their token types freely (Slack: `bot`, `user`); the access token is what matters. */
const anyTokenType = new Proxy({}, { get: () => () => undefined }) as Record<string, () => void>;

function toTokenSet(body: oauth.TokenEndpointResponse): TokenSet {
  const { access_token, token_type, refresh_token, expires_in, scope, id_token, ...extra } = body as oauth.TokenEndpointResponse &
    Record<string, unknown>;
  return { access_token, token_type, refresh_token, expires_in, scope, id_token: id_token as string | undefined, extra };
}

function translate(error: unknown): OAuthFlowError {
  if (error instanceof oauth.ResponseBodyError) return new OAuthFlowError(error.error, error.error_description, error.status);
  if (error instanceof oauth.AuthorizationResponseError) return new OAuthFlowError(error.error, error.error_description);
  if (error instanceof oauth.WWWAuthenticateChallengeError)
    return new OAuthFlowError('invalid_client', 'the token endpoint refused the client credentials', error.status);
  if (error instanceof oauth.OperationProcessingError) return new OAuthFlowError('invalid_response', error.message);
  if (error instanceof Error && (error.name === 'TypeError' || error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new OAuthFlowError('network_error', 'the token endpoint could not be reached');
  }
  return new OAuthFlowError('server_error', error instanceof Error ? error.message : 'unexpected failure');
}

export interface AuthorizationStart {
  url: URL;
  state: string;
  codeVerifier: string | null;
}

export async function startAuthorization(
  endpoints: OAuth2Endpoints,
  client: OAuth2Client,
  request: { redirectUri: string; scopes: string[]; scopeSeparator: string; pkce: boolean; extraParams?: Record<string, string> },
): Promise<AuthorizationStart> {
  const state = oauth.generateRandomState();
  const codeVerifier = request.pkce ? oauth.generateRandomCodeVerifier() : null;
  const url = new URL(endpoints.authorizationUrl);
  url.searchParams.set('client_id', client.clientId);
  url.searchParams.set('redirect_uri', request.redirectUri);
  url.searchParams.set('response_type', 'code');
  if (request.scopes.length > 0) url.searchParams.set('scope', request.scopes.join(request.scopeSeparator));
  url.searchParams.set('state', state);
  if (codeVerifier) {
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(codeVerifier));
    url.searchParams.set('code_challenge_method', 'S256');
  }
  for (const [k, v] of Object.entries(request.extraParams ?? {})) url.searchParams.set(k, v);
  return { url, state, codeVerifier };
}

/** Validates the callback (state, `iss`, `?error=`) and exchanges the code. Throws OAuthFlowError. */
export async function exchangeCode(
  endpoints: OAuth2Endpoints,
  client: OAuth2Client,
  flow: { callbackUrl: URL; expectedState: string; codeVerifier: string | null; redirectUri: string; tokenParams?: Record<string, string> },
  options: OAuthCallOptions,
): Promise<TokenSet> {
  const as = server(endpoints);
  const oauthClient: oauth.Client = { client_id: client.clientId };
  try {
    const params = oauth.validateAuthResponse(as, oauthClient, flow.callbackUrl, flow.expectedState);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      oauthClient,
      clientAuth(client),
      params,
      flow.redirectUri,
      flow.codeVerifier ?? oauth.nopkce,
      requestOptions(options, client, flow.tokenParams),
    );
    return toTokenSet(await oauth.processAuthorizationCodeResponse(as, oauthClient, response, { recognizedTokenTypes: anyTokenType }));
  } catch (error) {
    throw translate(error);
  }
}

export async function refreshTokens(
  endpoints: OAuth2Endpoints,
  client: OAuth2Client,
  refreshToken: string,
  options: OAuthCallOptions,
  tokenParams?: Record<string, string>,
): Promise<TokenSet> {
  const as = server(endpoints);
  const oauthClient: oauth.Client = { client_id: client.clientId };
  try {
    const response = await oauth.refreshTokenGrantRequest(
      as,
      oauthClient,
      clientAuth(client),
      refreshToken,
      requestOptions(options, client, tokenParams),
    );
    return toTokenSet(await oauth.processRefreshTokenResponse(as, oauthClient, response, { recognizedTokenTypes: anyTokenType }));
  } catch (error) {
    throw translate(error);
  }
}

/** RFC 7009 revocation. */
export async function revokeToken(
  endpoints: OAuth2Endpoints,
  client: OAuth2Client,
  token: string,
  options: OAuthCallOptions,
): Promise<void> {
  const as = server(endpoints);
  try {
    const response = await oauth.revocationRequest(
      as,
      { client_id: client.clientId },
      clientAuth(client),
      token,
      requestOptions(options, client),
    );
    await oauth.processRevocationResponse(response);
  } catch (error) {
    throw translate(error);
  }
}
