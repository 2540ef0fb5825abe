import type { PreparedRequest } from './build-request.ts';

/** One HTTP request and its answer, read whole; redirects are not followed here (see `sendUpstream`). */
export interface ExchangeResponse {
  status: number;
  location: string | null;
  contentType: string;
  text: string;
}

export interface ExchangeLimits {
  /** absolute time (ms since epoch, `Date.now()`) by which the answer must be read */
  deadline: number;
  /** the whole allowance, for messages */
  timeoutMs: number;
  maxResponseBytes: number;
  /**
   * only the status line matters (a webhook receiver's answer): the body is dropped unread, so no
   * size of answer can turn a receiver's 2xx into a failure
   */
  statusOnly?: boolean;
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

/**
 * How latchkey talks to third-party APIs. Production uses `undiciExchange` (undici's request API with a keep-alive
 * agent); `fetchExchange` adapts any fetch, so tests can route provider hosts to a local stand-in.
 * Both throw only `UpstreamFailure`.
 */
export type Exchange = (request: PreparedRequest, limits: ExchangeLimits) => Promise<ExchangeResponse>;

export const timedOut = (ms: number, reading = false) =>
  new UpstreamFailure(
    'timeout',
    reading ? `the upstream did not finish answering within ${ms} ms` : `the upstream did not answer within ${ms} ms`,
  );

/** Refused, unreachable or broken off: one message, so a caller cannot tell an open port from a closed one. */
export const unreachable = (host: string) => new UpstreamFailure('network', `could not get an answer from ${host}`);

export const tooLarge = (maxBytes: number, declared?: number) =>
  new UpstreamFailure(
    'too_large',
    declared === undefined
      ? `the upstream answer exceeds the ${maxBytes}-byte limit`
      : `the upstream answer (${declared} bytes) exceeds the ${maxBytes}-byte limit`,
  );

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '');
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(maxBytes, declared);
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
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export function fetchExchange(fetchImpl: typeof fetch): Exchange {
  return async (request, limits) => {
    const signal = AbortSignal.timeout(Math.max(0, limits.deadline - Date.now()));
    let response: Response;
    try {
      response = await fetchImpl(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw timedOut(limits.timeoutMs);
      throw unreachable(request.url.host);
    }
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      return { status: response.status, location, contentType: '', text: '' };
    }
    if (limits.statusOnly) {
      await response.body?.cancel();
      return { status: response.status, location, contentType: '', text: '' };
    }
    try {
      const text = await readCapped(response, limits.maxResponseBytes);
      return { status: response.status, location, contentType: response.headers.get('content-type') ?? '', text };
    } catch (error) {
      if (error instanceof UpstreamFailure) throw error;
      if (signal.aborted) throw timedOut(limits.timeoutMs, true);
      throw unreachable(request.url.host);
    }
  };
}
