import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** path and query as received */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export type Handler = (req: RecordedRequest, res: ServerResponse) => void | Promise<void>;

export interface FakeUpstream {
  url: string;
  requests: RecordedRequest[];
  /** route by path prefix; unmatched paths answer 200 `{"ok":true}` */
  on(pathPrefix: string, handler: Handler): void;
  close(): Promise<void>;
}

/** A small HTTP server on loopback that records every request: the stand-in for a third-party API. */
export async function startFakeUpstream(): Promise<FakeUpstream> {
  const requests: RecordedRequest[] = [];
  const routes: Array<[string, Handler]> = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    requests.push(recorded);
    const route = routes.find(([prefix]) => recorded.url.startsWith(prefix));
    if (route) return route[1](recorded, res);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, received: recorded.url }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on: (prefix, handler) => routes.unshift([prefix, handler]),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A fetch that sends every request to the fake upstream instead of the real host, and tells it the
 * host it was meant for in `x-original-host`: the engine builds real provider URLs, the test sees them,
 * and nothing leaves loopback.
 */
export function redirectingFetch(upstream: FakeUpstream): typeof fetch {
  return (input, init) => {
    const original = new URL(input instanceof Request ? input.url : String(input));
    const target = new URL(original.pathname + original.search, upstream.url);
    const headers = new Headers(init?.headers);
    headers.set('x-original-host', original.host);
    headers.set('x-original-protocol', original.protocol);
    return fetch(target, { ...init, headers });
  };
}

/** A stand-in authorization endpoint at `/authorize` that approves at once: back to `redirect_uri` with `code` and the state. */
export function approveAuthorizations(provider: FakeUpstream, code: string): void {
  provider.on('/authorize', (req, res) => {
    const query = new URL(req.url, provider.url).searchParams;
    const back = new URL(query.get('redirect_uri')!);
    back.searchParams.set('code', code);
    back.searchParams.set('state', query.get('state')!);
    res.writeHead(302, { location: back.href });
    res.end();
  });
}
