import type { AuthScheme } from '../catalogue/schema.ts';
import { AppError } from '../errors.ts';
import { addressPolicy, urlRefusal } from '../execution/address-policy.ts';
import { assertSafeScheme, TemplateError } from '../execution/templates.ts';
import { OAuthFlowError } from '../oauth/client.ts';
import { parseJsonObject } from '../json-object.ts';
import { expiryOf } from './oauth2.ts';
import { jwtBearerGrant, signingKeyProblem, type ServiceAccountKey } from '../oauth/jwt-bearer.ts';
import { injectTemplates } from './inject.ts';
import { CredentialRejected, type AuthSchemeModule, type Grant, type SchemeContext } from './scheme.ts';

/**
 * A service account key the user pastes (Google's JSON key file, Composio's `credentials_json`),
 * exchanged for access tokens with a signed JWT (RFC 7523 2.1, in `oauth/jwt-bearer.ts`). The key is
 * sealed with the connection; "refreshing" signs a new assertion, since there is no refresh token.
 */
type GoogleServiceAccount = Extract<AuthScheme, { mode: 'GOOGLE_SERVICE_ACCOUNT' }>;
type Context = SchemeContext<GoogleServiceAccount>;

const KEY_FIELD = 'credentials_json';

function invalid(message: string): AppError {
  return new AppError('VALIDATION_FAILED', { message: `The service account key ${message}.`, errors: [{ field: KEY_FIELD, message }] });
}

/**
 * The key as latchkey uses it, checked: JSON with client_email, private_key and token_uri, a private
 * key that can sign, and a token_uri latchkey may call (https, on an address tool calls may reach:
 * a pasted key must not point latchkey at an internal service).
 */
async function readKey(context: Context, text: string): Promise<ServiceAccountKey> {
  const json = parseJsonObject(text);
  if (!json) throw invalid('is not a JSON object (paste the whole key file)');
  const missing = ['client_email', 'private_key', 'token_uri'].filter((name) => typeof json[name] !== 'string' || json[name] === '');
  if (missing.length > 0) throw invalid(`has no ${missing.join(', ')}`);
  const problem = await signingKeyProblem(json.private_key as string);
  if (problem) throw invalid(`cannot be used: ${problem}`);
  let tokenUrl: URL;
  try {
    tokenUrl = new URL(json.token_uri as string);
    assertSafeScheme(tokenUrl, context.deps.config.allowInsecureLoopback);
  } catch (error) {
    throw invalid(
      `token_uri ${error instanceof TemplateError ? error.message.replace(/^refusing to send credentials to /, 'may not be ') : 'is not a URL'}`,
    );
  }
  const refused = urlRefusal(tokenUrl.href, addressPolicy(context.deps.config));
  if (refused) throw invalid(`token_uri ${refused}`);
  return {
    clientEmail: json.client_email as string,
    privateKey: json.private_key as string,
    privateKeyId: typeof json.private_key_id === 'string' ? json.private_key_id : undefined,
    tokenUrl: tokenUrl.href,
  };
}

async function obtain(context: Context, keyJson: string): Promise<Grant> {
  const key = await readKey(context, keyJson);
  const now = context.deps.clock.now();
  const tokens = await jwtBearerGrant(context.deps.exchange, key, context.scopes, now, Math.min(context.deps.config.toolTimeoutMs, 15_000));
  return {
    credentials: { [KEY_FIELD]: keyJson, access_token: tokens.access_token, token_type: tokens.token_type },
    expiresAt: expiryOf(tokens.expires_in, tokens.extra.expires_at, now),
  };
}

export const googleServiceAccountScheme: AuthSchemeModule<GoogleServiceAccount> = {
  mode: 'GOOGLE_SERVICE_ACCOUNT',
  connectBy: 'form',
  usesAppClient: false,
  signsWithClient: false,
  authConfigFields: () => [],
  connectionFields: () => [
    {
      name: KEY_FIELD,
      display_name: 'Service account key (JSON)',
      description: 'The JSON key file of the service account, as the cloud console downloads it',
      type: 'string',
      secret: true,
      required: true,
    },
  ],
  defaultScopes: (scheme) => scheme.default_scopes,
  issuedCredentials: ['access_token'],
  publicCredentials: ['token_type'],
  urls: () => [],
  tokenResponseFields: () => [],

  async exchange(context, given) {
    try {
      return await obtain(context, given[KEY_FIELD] ?? '');
    } catch (error) {
      if (error instanceof OAuthFlowError) {
        throw new CredentialRejected(
          error.isTransient
            ? `The token endpoint could not be used, try again later: ${error.message}.`
            : `The token endpoint refused the service account key: ${error.message}.`,
        );
      }
      throw error;
    }
  },

  async refresh(context, credentials) {
    const keyJson = credentials[KEY_FIELD];
    if (!keyJson) return null;
    try {
      return await obtain(context, keyJson);
    } catch (error) {
      // a stored key that no longer passes (a token_uri now refused) will not pass on retry either
      if (error instanceof AppError) throw new OAuthFlowError('invalid_grant', error.message);
      throw error;
    }
  },

  inject: (scheme, connection, request) => injectTemplates(scheme.inject, connection, request),
};
