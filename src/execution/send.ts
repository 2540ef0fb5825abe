import type { PreparedRequest } from './build-request.ts';

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

export type UpstreamFailureKind = 'timeout' | 'network' | 'too_large' | 'redirect_refused' | 'too_many_redirects';

/** A call that produced no usable answer. Messages say what happened and never carry the request's credentials. */
export class UpstreamFailure extends Error {
  override name = 'UpstreamFailure';
  constructor(
    readonly kind: UpstreamFailureKind,
    message: string,
  ) {
    super(message);
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw new UpstreamFailure('too_large', `the upstream answer (${declared} bytes) exceeds the ${maxBytes}-byte limit`);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new UpstreamFailure('too_large', `the upstream answer exceeds the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Sends a prepared request. Redirects are followed by hand and only within the same origin: a redirect
 * to another host would carry the user's credential there (or let an upstream steer us at internal
 * addresses), so it is refused.
 */
export async function sendUpstream(fetchImpl: typeof fetch, request: PreparedRequest, limits: SendLimits): Promise<UpstreamResponse> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let url = request.url;
  let method = request.method;
  let body = request.body;
  for (let hop = 0; ; hop++) {
    let response: Response;
    try {
      response = await fetchImpl(url, { method, headers: request.headers, body, redirect: 'manual', signal });
    } catch (error) {
      if (signal.aborted) throw new UpstreamFailure('timeout', `the upstream did not answer within ${limits.timeoutMs} ms`);
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new UpstreamFailure('network', `could not reach ${url.host}${cause ? ` (${cause})` : ''}`);
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      const next = new URL(location, url);
      if (next.origin !== url.origin) {
        throw new UpstreamFailure('redirect_refused', `the upstream redirected to another host (${next.host}); refused so the credential stays with ${url.host}`);
      }
      if (hop >= (limits.maxRedirects ?? 3)) throw new UpstreamFailure('too_many_redirects', 'the upstream redirected too many times');
      if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
      url = next;
      continue;
    }
    try {
      const text = await readCapped(response, limits.maxResponseBytes);
      return { status: response.status, contentType: response.headers.get('content-type') ?? '', text };
    } catch (error) {
      if (error instanceof UpstreamFailure) throw error;
      if (signal.aborted) throw new UpstreamFailure('timeout', `the upstream did not finish answering within ${limits.timeoutMs} ms`);
      throw new UpstreamFailure('network', `the connection to ${url.host} broke while reading the answer`);
    }
  }
}
