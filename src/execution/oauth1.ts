import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';

export interface OAuth1Credentials {
  consumerKey: string;
  consumerSecret: string;
  token: string;
  tokenSecret: string;
}

/**
 * RFC 5849 HMAC-SHA1 signature as an `Authorization: OAuth …` header. Query parameters and a form body
 * are part of the signature base string; a JSON body is not (RFC 5849 §3.4.1.3).
 */
export function oauth1Header(
  request: { method: string; url: string; form?: Record<string, string | string[]> },
  credentials: OAuth1Credentials,
  overrides: { nonce?: string; timestamp?: number } = {},
): string {
  const oauth = new OAuth({
    consumer: { key: credentials.consumerKey, secret: credentials.consumerSecret },
    signature_method: 'HMAC-SHA1',
    hash_function: (base, key) => createHmac('sha1', key).update(base).digest('base64'),
  });
  if (overrides.nonce) oauth.getNonce = () => overrides.nonce!;
  if (overrides.timestamp) oauth.getTimeStamp = () => overrides.timestamp!;
  // no token yet (the request-token leg): RFC 5849 omits oauth_token rather than sending it empty
  const token = credentials.token
    ? { key: credentials.token, secret: credentials.tokenSecret }
    : ({ secret: credentials.tokenSecret } as OAuth.Token);
  const signed = oauth.authorize({ url: request.url, method: request.method, data: request.form }, token);
  return oauth.toHeader(signed).Authorization;
}
