import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { PreparedRequest } from '../../src/execution/build-request.ts';
import { UpstreamFailure } from '../../src/execution/exchange.ts';
import { undiciExchange } from '../../src/execution/undici-exchange.ts';

// the fixtures listen on loopback
const LOOPBACK_ALLOWED = { allowPrivate: false, allowLoopback: true };

const servers: Array<{ close(): void }> = [];
afterAll(() => servers.forEach((s) => s.close()));

async function listen(server: Server | ReturnType<typeof createNetServer>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const get = (url: string, headers: Record<string, string> = {}): PreparedRequest => ({ method: 'GET', url: new URL(url), headers });
const limits = (maxResponseBytes = 1 << 20, timeoutMs = 2000) => ({ deadline: Date.now() + timeoutMs, timeoutMs, maxResponseBytes });

async function failure(promise: Promise<unknown>): Promise<UpstreamFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UpstreamFailure);
  return error as UpstreamFailure;
}

describe('undici exchange (the production HTTP client for tool calls)', () => {
  const exchange = undiciExchange(LOOPBACK_ALLOWED);

  it('asks for compressed answers and decompresses gzip and brotli', async () => {
    const seen: string[] = [];
    const url = await listen(
      createHttpServer((req, res) => {
        seen.push(String(req.headers['accept-encoding']));
        const body = JSON.stringify({ path: req.url, filler: 'x'.repeat(2000) });
        const br = req.url === '/br';
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': br ? 'br' : 'gzip' });
        res.end(br ? brotliCompressSync(body) : gzipSync(body));
      }),
    );
    for (const path of ['/gz', '/br']) {
      const response = await exchange(get(`${url}${path}`), limits());
      expect(response.status).toBe(200);
      expect(JSON.parse(response.text).path).toBe(path);
    }
    expect(seen[0]).toMatch(/gzip/);
  });

  it('applies the size limit to the decompressed answer (a small gzip bomb is refused)', async () => {
    const bomb = gzipSync(Buffer.alloc(8 << 20));
    expect(bomb.length).toBeLessThan(64 * 1024);
    const url = await listen(
      createHttpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': String(bomb.length) });
        res.end(bomb);
      }),
    );
    expect((await failure(exchange(get(url), limits(1 << 20)))).kind).toBe('too_large');
  });

  it('times out an answer that stops halfway, and says so', async () => {
    const url = await listen(
      createHttpServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"partial":'); // and never more
      }),
    );
    const error = await failure(exchange(get(url), limits(1 << 20, 300)));
    expect(error.kind).toBe('timeout');
    expect(error.message).toMatch(/did not finish answering within 300 ms/);
  });

  it('retries an idempotent request once on a kept-alive socket the server dropped, but not a POST', async () => {
    // every connection answers its first request and drops the connection at its second
    let connections = 0;
    const url = await listen(
      createNetServer((socket) => {
        connections += 1;
        let requests = 0;
        socket.on('data', (chunk) => {
          if (!String(chunk).includes('\r\n\r\n')) return;
          requests += 1;
          if (requests === 1)
            socket.write(
              'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: keep-alive\r\n\r\n{"ok":true}',
            );
          else socket.destroy();
        });
      }),
    );
    const own = undiciExchange(LOOPBACK_ALLOWED);
    expect((await own(get(url), limits())).text).toBe('{"ok":true}');
    expect((await own(get(url), limits())).text).toBe('{"ok":true}');
    expect(connections).toBe(2);
    const post: PreparedRequest = { method: 'POST', url: new URL(url), headers: { 'content-type': 'application/json' }, body: '{}' };
    expect((await failure(own(post, limits()))).kind).toBe('network');
  });

  it('turns a header value Node refuses to send into a network failure, not a crash', async () => {
    const url = await listen(createHttpServer((_req, res) => res.end('{}')));
    const error = await failure(exchange(get(url, { 'x-bad': 'line\r\nbreak' }), limits()));
    expect(error.kind).toBe('network');
    expect(error.message).not.toContain('break');
  });

  it('hands back a redirect unfollowed, drops the body when only the status matters, and refuses a declared length over the limit unread', async () => {
    const url = await listen(
      createHttpServer((req, res) => {
        if (req.url === '/moved') {
          res.writeHead(302, { location: '/there' }).end('see /there');
        } else if (req.url === '/endless') {
          res.writeHead(200, { 'content-type': 'text/plain' });
          const more = () => res.write('x'.repeat(64 * 1024), () => setImmediate(more));
          more();
        } else {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1 << 21) });
          res.write('{"big":');
        }
      }),
    );
    expect(await exchange(get(`${url}/moved`), limits())).toEqual({ status: 302, location: '/there', contentType: '', text: '' });
    expect(await exchange(get(`${url}/endless`), { ...limits(), statusOnly: true })).toMatchObject({ status: 200, text: '' });
    const error = await failure(exchange(get(`${url}/big`), limits(1 << 20)));
    expect(error.kind).toBe('too_large');
    expect(error.message).toMatch(/2097152 bytes/);
  });

  it('reports an unreachable host without the request in the message', async () => {
    const probe = createNetServer();
    const url = await listen(probe);
    probe.close();
    const error = await failure(exchange(get(url, { authorization: 'Bearer secret-token-value' }), limits()));
    expect(error.kind).toBe('network');
    // refused and unreachable read alike: a caller must not learn which ports are open
    expect(error.message).not.toMatch(/ECONNREFUSED|refused/);
    expect(error.message).not.toContain('secret-token-value');
  });
});
