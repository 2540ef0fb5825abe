import { oauth1Header } from '../execution/oauth1.ts';
import { OAuthFlowError } from './client.ts';

/**
 * The three legs of OAuth 1.0a (RFC 5849): a request token (with our callback), the user's
 * authorization at the provider, and the exchange of the verifier for an access token. Every call is
 * signed HMAC-SHA1 with the consumer's secret and, after the first leg, the token secret.
 */

export interface Consumer {
  key: string;
  secret: string;
}

export interface OAuth1Tokens {
  oauth_token: string;
  oauth_token_secret: string;
  /** other fields of the answer (user ids, screen names) */
  extra: Record<string, string>;
}

async function signedFormPost(
  fetchImpl: typeof fetch,
  url: string,
  consumer: Consumer,
  token: { key: string; secret: string },
  form: Record<string, string>,
): Promise<OAuth1Tokens> {
  const authorization = oauth1Header(
    { method: 'POST', url, form },
    { consumerKey: consumer.key, consumerSecret: consumer.secret, token: token.key, tokenSecret: token.secret },
  );
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: {
        Authorization: authorization,
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/x-www-form-urlencoded, application/json',
      },
      body: new URLSearchParams(form).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw new OAuthFlowError('network_error', 'the OAuth 1.0a endpoint could not be reached');
  }
  const text = await response.text();
  if (!response.ok)
    throw new OAuthFlowError(
      response.status === 401 ? 'invalid_client' : 'server_error',
      `the provider answered HTTP ${response.status}`,
      response.status,
    );
  const params = new URLSearchParams(text);
  const oauthToken = params.get('oauth_token');
  const oauthTokenSecret = params.get('oauth_token_secret');
  if (!oauthToken || !oauthTokenSecret)
    throw new OAuthFlowError('invalid_response', 'the provider answered without oauth_token and oauth_token_secret');
  const extra: Record<string, string> = {};
  for (const [k, v] of params) if (k !== 'oauth_token' && k !== 'oauth_token_secret') extra[k] = v;
  return { oauth_token: oauthToken, oauth_token_secret: oauthTokenSecret, extra };
}

export function requestToken(fetchImpl: typeof fetch, url: string, consumer: Consumer, callbackUrl: string): Promise<OAuth1Tokens> {
  return signedFormPost(fetchImpl, url, consumer, { key: '', secret: '' }, { oauth_callback: callbackUrl });
}

export function accessToken(
  fetchImpl: typeof fetch,
  url: string,
  consumer: Consumer,
  request: { token: string; secret: string },
  verifier: string,
): Promise<OAuth1Tokens> {
  return signedFormPost(fetchImpl, url, consumer, { key: request.token, secret: request.secret }, { oauth_verifier: verifier });
}
