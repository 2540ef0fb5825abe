import { decodeJwt } from 'jose';
import { atDotPath } from '../dot-path.ts';
import type { AuthScheme } from '../catalogue/schema.ts';
import { sendUpstream, UpstreamFailure } from '../execution/send.ts';
import { OAuthFlowError } from '../oauth/client.ts';
import { tokenRefusal } from '../oauth/token-refusal.ts';
import { parseJsonObject } from '../json-object.ts';
import { injectTemplates } from './inject.ts';
import { providerUrl } from './oauth-shared.ts';
import { CredentialRejected, type AuthSchemeModule, type Grant, type SchemeContext } from './scheme.ts';

/**
 * A username and password exchanged at the toolkit's login endpoint for a JWT, which is what requests
 * carry. The password is sealed with the connection so latchkey can log in again when the JWT expires
 * (its `exp`, read only for timing: latchkey is not the JWT's audience and does not verify it) or when
 * an upstream answers 401.
 */
type BasicWithJwt = Extract<AuthScheme, { mode: 'BASIC_WITH_JWT' }>;
type Context = SchemeContext<BasicWithJwt>;

/** When the JWT expires (epoch ms), from its `exp`; null for a token that is not a JWT or says nothing. */
function expiryOfJwt(token: string): number | null {
  try {
    const { exp } = decodeJwt(token);
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * When to log in again ahead of use. A JWT that lives no longer than the refresh margin (plus a minute)
 * would be renewed on every call and every background pass, a login storm that can lock the account at
 * the vendor; such a JWT (or one whose `exp` is already past, a skewed clock) is renewed when an
 * upstream answers 401 instead.
 */
function renewAt(context: Context, expiresAt: number | null): number | null {
  if (expiresAt === null) return null;
  return expiresAt - context.deps.clock.now() > context.deps.config.refresh.marginMs + 60_000 ? expiresAt : null;
}

/**
 * Logs in; a refusal of the credentials (400, 401, 403) is permanent (`invalid_grant`), anything else
 * (a rate limit, a 5xx, the network) transient: see `tokenRefusal`.
 */
async function login(context: Context, username: string, password: string): Promise<Grant> {
  const scheme = context.definition;
  const fields = { [scheme.username_param]: username, [scheme.password_param]: password };
  const json = scheme.login_body === 'json';
  let response;
  try {
    response = await sendUpstream(
      context.deps.exchange,
      {
        method: 'POST',
        url: providerUrl(context.deps, scheme.login_url, context.connectionData),
        headers: {
          Accept: 'application/json',
          'Content-Type': json ? 'application/json' : 'application/x-www-form-urlencoded',
          ...context.toolkit.headers,
        },
        body: json ? JSON.stringify(fields) : new URLSearchParams(fields).toString(),
      },
      { timeoutMs: Math.min(context.deps.config.toolTimeoutMs, 15_000), maxResponseBytes: 64 * 1024 },
    );
  } catch (error) {
    if (error instanceof UpstreamFailure)
      throw new OAuthFlowError('network_error', `the login endpoint could not be reached (${error.kind})`);
    throw error;
  }
  if (response.status < 200 || response.status >= 300) {
    const refusal = tokenRefusal(response.status, parseJsonObject(response.text), 'the login endpoint');
    if (!refusal.isPermanent) throw refusal;
    throw new OAuthFlowError(
      refusal.error,
      `the login endpoint refused the username and password (HTTP ${response.status})`,
      response.status,
    );
  }
  let token: unknown;
  try {
    token = atDotPath(JSON.parse(response.text), scheme.token_path);
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token === '')
    throw new OAuthFlowError('invalid_response', `the login answer has no ${scheme.token_path}`);
  return { credentials: { username, password, access_token: token }, expiresAt: renewAt(context, expiryOfJwt(token)) };
}

export const basicWithJwtScheme: AuthSchemeModule<BasicWithJwt> = {
  mode: 'BASIC_WITH_JWT',
  connectBy: 'form',
  usesAppClient: false,
  signsWithClient: false,
  authConfigFields: () => [],
  connectionFields: () => [
    { name: 'username', display_name: 'Username', type: 'string', secret: false, required: true },
    { name: 'password', display_name: 'Password', type: 'string', secret: true, required: true },
  ],
  defaultScopes: () => [],
  issuedCredentials: ['access_token'],
  publicCredentials: [],
  urls: (scheme) => [['login_url', scheme.login_url]],
  tokenResponseFields: () => [],

  async exchange(context, given) {
    try {
      return await login(context, given.username ?? '', given.password ?? '');
    } catch (error) {
      if (error instanceof OAuthFlowError) throw new CredentialRejected(`${context.toolkit.name}: ${error.message}.`);
      throw error;
    }
  },

  async refresh(context, credentials) {
    if (!credentials.username || !credentials.password) return null;
    return login(context, credentials.username, credentials.password);
  },

  inject: (scheme, connection, request) => injectTemplates(scheme.inject, connection, request),
};
