import { OAuthFlowError } from './client.ts';

/**
 * A token or login endpoint's non-2xx answer as an OAuthFlowError, so refresh can tell a dead credential
 * (expire the account) from trouble worth retrying (back off). The endpoint's own `error` code decides
 * when it sends one (RFC 6749 section 5.2); otherwise only 400, 401 and 403 mean "these credentials are
 * refused". A 408 or 429 (rate limit), a 5xx, or a redirect or 404 from a proxy in the way say nothing
 * about the credential: `temporarily_unavailable` / `server_error`, retried with backoff.
 */
export function tokenRefusal(status: number, body: Record<string, unknown> | undefined, what: string): OAuthFlowError {
  const description =
    typeof body?.error_description === 'string' ? body.error_description.slice(0, 300) : `${what} answered HTTP ${status}`;
  if (typeof body?.error === 'string' && body.error !== '') return new OAuthFlowError(body.error, description, status);
  if (status === 400 || status === 401 || status === 403) return new OAuthFlowError('invalid_grant', description, status);
  return new OAuthFlowError(status >= 500 ? 'server_error' : 'temporarily_unavailable', description, status);
}
