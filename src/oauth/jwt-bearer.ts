import { importPKCS8, SignJWT } from 'jose';
import type { Exchange } from '../execution/exchange.ts';
import { sendUpstream, UpstreamFailure } from '../execution/send.ts';
import { parseJsonObject } from '../json-object.ts';
import { tokenRefusal } from './token-refusal.ts';
import { OAuthFlowError, type TokenSet } from './client.ts';

/**
 * The JWT bearer grant (RFC 7523 2.1), as Google service accounts use it: an assertion signed RS256
 * with the account's private key (iss = sub = the account, aud = the token endpoint, at most an hour
 * long) is exchanged for an access token. There is no refresh token: a new assertion gets a new token.
 */

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
// RFC 7523 3: the assertion must expire; Google refuses one that lives longer than an hour
const ASSERTION_LIFETIME_S = 3600;

export interface ServiceAccountKey {
  clientEmail: string;
  privateKey: string;
  privateKeyId?: string;
  tokenUrl: string;
}

/** Whether a PEM private key can sign RS256; null when it can, else why not (never the key itself). */
export async function signingKeyProblem(privateKey: string): Promise<string | null> {
  try {
    await importPKCS8(privateKey, 'RS256');
    return null;
  } catch {
    return 'private_key is not an RSA private key in PKCS #8 PEM form';
  }
}

export async function signAssertion(key: ServiceAccountKey, scopes: string[], nowMs: number): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT(scopes.length > 0 ? { scope: scopes.join(' ') } : {})
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(key.privateKeyId ? { kid: key.privateKeyId } : {}) })
    .setIssuer(key.clientEmail)
    .setSubject(key.clientEmail)
    .setAudience(key.tokenUrl)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ASSERTION_LIFETIME_S)
    .sign(await importPKCS8(key.privateKey, 'RS256'));
}

/**
 * Signs an assertion and exchanges it. The token endpoint is reached through `exchange`, the client of
 * tool calls, so the address policy that guards them guards it too (the URL came from a pasted key).
 */
export async function jwtBearerGrant(
  exchange: Exchange,
  key: ServiceAccountKey,
  scopes: string[],
  nowMs: number,
  timeoutMs: number,
): Promise<TokenSet> {
  const assertion = await signAssertion(key, scopes, nowMs);
  let response;
  try {
    response = await sendUpstream(
      exchange,
      {
        method: 'POST',
        url: new URL(key.tokenUrl),
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString(),
      },
      { timeoutMs, maxResponseBytes: 64 * 1024, maxRedirects: 0 },
    );
  } catch (error) {
    if (error instanceof UpstreamFailure)
      throw new OAuthFlowError('network_error', `the token endpoint could not be reached (${error.kind})`);
    throw error;
  }
  const body = parseJsonObject(response.text);
  if (response.status < 200 || response.status >= 300) throw tokenRefusal(response.status, body, 'the token endpoint');
  const { access_token, token_type, expires_in, ...extra } = body ?? {};
  if (typeof access_token !== 'string' || access_token === '')
    throw new OAuthFlowError('invalid_response', 'the token endpoint answered without an access_token');
  return {
    access_token,
    token_type: typeof token_type === 'string' ? token_type : 'Bearer',
    // some endpoints send it as a string ("3600")
    expires_in:
      typeof expires_in === 'number'
        ? expires_in
        : typeof expires_in === 'string' && Number(expires_in) > 0
          ? Number(expires_in)
          : undefined,
    extra,
  };
}
