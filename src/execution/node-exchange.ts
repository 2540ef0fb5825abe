import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { PreparedRequest } from './build-request.ts';
import { guardedLookup, ipLiteralRefusal, type AddressPolicy } from './address-policy.ts';
import { timedOut, tooLarge, unreachable, UpstreamFailure, type Exchange, type ExchangeLimits, type ExchangeResponse } from './exchange.ts';

// Idle sockets are dropped after 4 s, before the 5 s that Node servers (and many others) keep them:
// reusing a socket the server is closing is the classic keep-alive reset.
const AGENT_OPTIONS = { keepAlive: true, timeout: 4_000, scheduling: 'lifo' } as const;
const RESET = new Set(['ECONNRESET', 'EPIPE']);
// RFC 9110 9.2.2: only these may be repeated without asking, since the server may have acted on the first
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE']);

function decoded(response: IncomingMessage): Readable {
  switch (response.headers['content-encoding']?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return response.pipe(createGunzip());
    case 'deflate':
      return response.pipe(createInflate());
    case 'br':
      return response.pipe(createBrotliDecompress());
    default:
      return response;
  }
}

/**
 * The production exchange: node:http(s) with keep-alive agents. Global fetch costs several times more
 * CPU per call (measured by `npm run bench`), and every tool call makes one. Compressed answers are
 * decompressed, and the size limit applies to what comes out, so a small gzip bomb is still refused.
 */
export function nodeExchange(policy: AddressPolicy): Exchange {
  // every connection resolves through the policy, so a public name cannot lead to a private address
  const options = { ...AGENT_OPTIONS, lookup: guardedLookup(policy) };
  const agents = { http: new HttpAgent(options), https: new HttpsAgent(options) };

  function once(request: PreparedRequest, limits: ExchangeLimits, retried = false): Promise<ExchangeResponse> {
    return new Promise((resolve, reject) => {
      const secure = request.url.protocol === 'https:';
      const host = request.url.host;
      const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br', ...request.headers };
      if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
      let settled = false;
      let answered = false;
      let req: ReturnType<typeof httpRequest> | undefined;
      const settle = () => {
        settled = true;
        clearTimeout(timer);
      };
      const fail = (error: UpstreamFailure) => {
        if (settled) return;
        settle();
        req?.destroy();
        reject(error);
      };
      // one message for refused, unreachable and broken-off alike: a caller must not learn which ports are open
      const broke = () => fail(unreachable(host));
      const timer = setTimeout(() => fail(timedOut(limits.timeoutMs, answered)), Math.max(0, limits.deadline - Date.now()));

      const onResponse = (response: IncomingMessage) => {
        answered = true;
        const status = response.statusCode ?? 0;
        const location = response.headers.location ?? null;
        if (status >= 300 && status < 400 && location) {
          response.resume();
          settle();
          return resolve({ status, location, contentType: '', text: '' });
        }
        if (limits.statusOnly) {
          // the socket goes with the unread body: draining a receiver's endless answer would hold it
          response.destroy();
          settle();
          return resolve({ status, location, contentType: '', text: '' });
        }
        const declared = Number(response.headers['content-length'] ?? '');
        if (!response.headers['content-encoding'] && Number.isFinite(declared) && declared > limits.maxResponseBytes)
          return fail(tooLarge(limits.maxResponseBytes, declared));
        const body = decoded(response);
        const chunks: Buffer[] = [];
        let size = 0;
        body.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > limits.maxResponseBytes) return fail(tooLarge(limits.maxResponseBytes));
          chunks.push(chunk);
        });
        body.on('end', () => {
          if (settled) return;
          settle();
          resolve({
            status,
            location,
            contentType: String(response.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
        body.on('error', broke);
        response.on('error', broke);
        response.on('aborted', broke);
      };

      // an IP literal is connected to without a lookup, so it is checked here
      if (ipLiteralRefusal(request.url.hostname, policy)) return fail(unreachable(host));
      try {
        req = (secure ? httpsRequest : httpRequest)(
          request.url,
          { method: request.method, headers, agent: secure ? agents.https : agents.http },
          onResponse,
        );
      } catch (error) {
        // refused before anything was sent (a header value Node will not put on the wire)
        return fail(
          new UpstreamFailure(
            'network',
            `could not send the request to ${host} (${(error as NodeJS.ErrnoException).code ?? 'invalid request'})`,
          ),
        );
      }
      const sent = req;
      sent.on('error', (error: NodeJS.ErrnoException) => {
        if (settled) return;
        if (answered) return broke();
        // a kept-alive socket the server closed as we reused it: the request never reached the server
        if (!retried && sent.reusedSocket && RESET.has(error.code ?? '') && IDEMPOTENT.has(request.method.toUpperCase())) {
          settle();
          once(request, limits, true).then(resolve, reject);
          return;
        }
        fail(unreachable(host));
      });
      sent.end(request.body);
    });
  }

  return once;
}
