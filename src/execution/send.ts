import type { PreparedRequest } from './build-request.ts';
import { UpstreamFailure, type Exchange } from './exchange.ts';

export { UpstreamFailure, type UpstreamFailureKind } from './exchange.ts';

export interface SendLimits {
  timeoutMs: number;
  maxResponseBytes: number;
  maxRedirects?: number;
}

export interface UpstreamResponse {
  status: number;
  contentType: string;
  text: string;
}

/**
 * Sends a prepared request. Redirects are followed by hand and only within the same origin: a redirect
 * to another host would carry the user's credential there (or let an upstream steer us at internal
 * addresses), so it is refused. One deadline covers every hop.
 */
export async function sendUpstream(exchange: Exchange, request: PreparedRequest, limits: SendLimits): Promise<UpstreamResponse> {
  const deadline = Date.now() + limits.timeoutMs;
  let current = request;
  for (let hop = 0; ; hop++) {
    const response = await exchange(current, { deadline, timeoutMs: limits.timeoutMs, maxResponseBytes: limits.maxResponseBytes });
    if (!(response.status >= 300 && response.status < 400 && response.location)) return response;
    const next = new URL(response.location, current.url);
    if (next.origin !== current.url.origin) {
      throw new UpstreamFailure(
        'redirect_refused',
        `the upstream redirected to another host (${next.host}); refused so the credential stays with ${current.url.host}`,
      );
    }
    if (hop >= (limits.maxRedirects ?? 3)) throw new UpstreamFailure('too_many_redirects', 'the upstream redirected too many times');
    const toGet = response.status === 303 || ((response.status === 301 || response.status === 302) && current.method === 'POST');
    current = { ...current, url: next, ...(toGet ? { method: 'GET', body: undefined } : {}) };
  }
}
