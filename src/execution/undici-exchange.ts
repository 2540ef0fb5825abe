import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import type { PreparedRequest } from './build-request.ts';
import { guardedLookup, ipLiteralRefusal, type AddressPolicy } from './address-policy.ts';
import { timedOut, tooLarge, unreachable, UpstreamFailure, type Exchange, type ExchangeLimits, type ExchangeResponse } from './exchange.ts';

// Idle sockets are dropped after 4 s, before the 5 s that Node servers (and many others) keep them:
// reusing a socket the server is closing is the classic keep-alive reset. (undici also shortens this
// to what a server's `Keep-Alive: timeout=` header announces.)
const KEEP_ALIVE_MS = 4_000;
// a kept-alive connection the server closed as we reused it: the request never reached the server
const DROPPED = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);
// RFC 9110 9.2.2: only these may be repeated without asking, since the server may have acted on the first
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

const header = (headers: Dispatcher.ResponseData['headers'], name: string): string | undefined => {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
};

// a decompressing pipeline's errors reach the reader of its output, which handles them
const ignore = () => {};

function decoded(body: Readable, encoding: string | undefined): Readable {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return pipeline(body, createGunzip(), ignore);
    case 'deflate':
      return pipeline(body, createInflate(), ignore);
    case 'br':
      return pipeline(body, createBrotliDecompress(), ignore);
    default:
      return body;
  }
}

/** The answer's text, decompressed; more than `maxBytes` of it (after decompression) is refused. */
async function readCapped(body: Readable, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      body.destroy();
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The production exchange: undici (the HTTP client behind Node's own fetch) through its request API
 * and a keep-alive agent. Global fetch and node:http both cost more CPU per call (measured by
 * `npm run bench`: fetch several times more, node:http about 70 µs more at 16 clients), and every tool
 * call makes one. Every connection resolves through the address policy; compressed answers are
 * decompressed and the size limit applies to what comes out, so a small gzip bomb is still refused.
 */
export function undiciExchange(policy: AddressPolicy): Exchange {
  // every connection resolves through the policy, so a public name cannot lead to a private address
  const agent = new Agent({
    keepAliveTimeout: KEEP_ALIVE_MS,
    keepAliveMaxTimeout: KEEP_ALIVE_MS,
    connect: { lookup: guardedLookup(policy) },
  });

  async function once(request: PreparedRequest, limits: ExchangeLimits, retried: boolean): Promise<ExchangeResponse> {
    const host = request.url.host;
    // an IP literal is connected to without a lookup, so it is checked here
    if (ipLiteralRefusal(request.url.hostname, policy)) throw unreachable(host);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), Math.max(0, limits.deadline - Date.now()));
    let answered = false;
    try {
      let response: Dispatcher.ResponseData;
      try {
        response = await agent.request({
          origin: request.url.origin,
          path: `${request.url.pathname}${request.url.search}`,
          method: request.method as Dispatcher.HttpMethod,
          headers: { 'accept-encoding': 'gzip, deflate, br', ...request.headers },
          body: request.body,
          signal: abort.signal,
        });
      } catch (error) {
        if (abort.signal.aborted) throw timedOut(limits.timeoutMs);
        // refused before anything was sent (a header value that may not go on the wire)
        if (error instanceof undiciErrors.InvalidArgumentError)
          throw new UpstreamFailure('network', `could not send the request to ${host} (invalid request)`);
        const code = (error as NodeJS.ErrnoException).code ?? '';
        if (!retried && DROPPED.has(code) && IDEMPOTENT.has(request.method.toUpperCase())) {
          clearTimeout(timer);
          return once(request, limits, true);
        }
        // one message for refused, unreachable and broken-off alike: a caller must not learn which ports are open
        throw unreachable(host);
      }
      answered = true;
      // undici errors a body destroyed before its end (below, or by the reader on a refusal); whoever
      // reads it gets the error, and a body dropped unread must not crash the process with it
      response.body.on('error', () => {});
      const status = response.statusCode;
      const location = header(response.headers, 'location') ?? null;
      if ((status >= 300 && status < 400 && location) || limits.statusOnly) {
        // the socket goes with the unread body: draining a receiver's endless answer would hold it
        response.body.destroy();
        return { status, location, contentType: '', text: '' };
      }
      const encoding = header(response.headers, 'content-encoding');
      const declared = Number(header(response.headers, 'content-length') ?? '');
      if (!encoding && Number.isFinite(declared) && declared > limits.maxResponseBytes) {
        response.body.destroy();
        throw tooLarge(limits.maxResponseBytes, declared);
      }
      const text = await readCapped(decoded(response.body, encoding), limits.maxResponseBytes);
      return { status, location, contentType: header(response.headers, 'content-type') ?? '', text };
    } catch (error) {
      if (error instanceof UpstreamFailure) throw error;
      if (abort.signal.aborted) throw timedOut(limits.timeoutMs, answered);
      throw unreachable(host);
    } finally {
      clearTimeout(timer);
    }
  }

  return (request, limits) => once(request, limits, false);
}
