import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.ts';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { startLiveApp, type LiveApp } from '../helpers/live-app.ts';
import { apiKeyToolkit } from '../fixtures/toolkits.ts';

const LIMIT = 64 * 1024;
let api: FakeUpstream;
let app: LiveApp;
let linkToken: string;
let session: { id: string; token: string };

beforeAll(async () => {
  api = await startFakeUpstream();
  app = await startLiveApp({ toolkits: [apiKeyToolkit(api)], env: { LATCHKEY_MAX_BODY_BYTES: String(LIMIT) } });
  const config = await app.api('/api/v3.1/auth_configs', { body: { toolkit: { slug: 'testkey' } } });
  const link = await app.api('/api/v3.1/connected_accounts/link', { body: { auth_config_id: config.body.auth_config.id, user_id: 'u1' } });
  linkToken = new URL(link.body.redirect_url).pathname.split('/').pop()!;
  const created = await app.api('/api/v3.1/tool_router/session', { body: { user_id: 'u1' } });
  session = { id: created.body.session_id, token: created.body.mcp.headers['x-session-token'] };
}, 60_000);
afterAll(async () => {
  await app.close();
  await api.close();
});

interface Sent {
  status: number;
  type: string;
  body: string;
  /** body bytes written before the answer arrived */
  sent: number;
}

/**
 * Sends `total` bytes of body in 16 KiB writes, declared (Content-Length) or chunked, and stops
 * writing as soon as the answer arrives, as a client that reads its answer would.
 */
function send(path: string, method: string, headers: Record<string, string>, total: number, chunked: boolean): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const req = request(`${app.url}${path}`, {
      method,
      agent: false,
      headers: chunked ? { ...headers, 'transfer-encoding': 'chunked' } : { ...headers, 'content-length': String(total) },
    });
    let sent = 0;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode!, type: String(res.headers['content-type']), body: Buffer.concat(chunks).toString(), sent });
        req.destroy();
      });
    });
    // the server may close the socket under a body it refused
    req.on('error', (error) => (answered ? undefined : reject(error)));
    const chunk = Buffer.alloc(16 * 1024, chunked ? 'a' : 'b');
    const pump = () => {
      while (!answered && sent < total) {
        const part = chunk.subarray(0, Math.min(chunk.length, total - sent));
        sent += part.length;
        if (!req.write(part)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** The hosted pages (Connect Link, approval) answer a person, in HTML. */
const isPage = (path: string) => path.startsWith('/link/') || path.startsWith('/approve/');

function headersFor(path: string): Record<string, string> {
  if (isPage(path)) return { 'content-type': 'application/x-www-form-urlencoded', origin: app.url };
  if (path.startsWith('/tool_router/'))
    return { 'content-type': 'application/json', 'x-session-token': session.token, accept: 'application/json, text/event-stream' };
  return { 'content-type': 'application/json', 'x-api-key': app.apiKey };
}

/** Every route that can take a body, read from the app itself so a new route is covered when added. */
function bodyRoutes(): { method: string; path: string }[] {
  const routes = createApp(app.deps)
    .routes.filter((r) => !['ALL', 'GET', 'HEAD', 'OPTIONS'].includes(r.method))
    .map((r) => ({
      method: r.method,
      path: r.path
        .replace(/:status\{[^}]*\}/, 'ENABLED')
        .replace(':token', linkToken)
        .replace(/^\/tool_router\/:id/, `/tool_router/${session.id}`)
        .replace(/:[a-z_]+/g, 'x_missing'),
    }));
  // a body sent where no route reads one (the OAuth callback is a GET; PUT matches nothing) is refused alike
  routes.push({ method: 'POST', path: '/api/v3/toolkits/auth/callback' }, { method: 'PUT', path: '/api/v3.1/auth_configs/x_missing' });
  return [...new Map(routes.map((r) => [`${r.method} ${r.path}`, r])).values()];
}

describe('request bodies over LATCHKEY_MAX_BODY_BYTES', () => {
  it('are refused with 413 on every body-reading route, declared or chunked, in the shape of the surface', async () => {
    const routes = bodyRoutes();
    expect(routes.map((r) => `${r.method} ${r.path.split('/')[1]}`)).toEqual(
      expect.arrayContaining(['POST link', 'POST approve', 'POST tool_router', 'POST api', 'PATCH api']),
    );
    for (const { method, path } of routes) {
      for (const chunked of [false, true]) {
        const what = `${method} ${path} ${chunked ? 'chunked' : 'declared'}`;
        const res = await send(path, method, headersFor(path), 16 * LIMIT, chunked).catch((e) => {
          throw new Error(`${what}: ${e}`);
        });
        expect(res.status, what).toBe(413);
        if (isPage(path)) {
          expect(res.type, what).toMatch(/^text\/html/);
          expect(res.body, what).toContain('Form too large');
        } else if (path.startsWith('/tool_router/')) {
          expect(JSON.parse(res.body), what).toMatchObject({ jsonrpc: '2.0', error: { code: -32600 } });
        } else {
          expect(JSON.parse(res.body).error, what).toMatchObject({ status: 413, slug: 'HTTP_PayloadTooLarge' });
        }
      }
    }
  }, 120_000);

  it('stop reading a 200 MB chunked form at the limit: the answer comes long before the body ends and memory stays flat', async () => {
    const total = 200 * 1024 * 1024;
    const before = process.memoryUsage().rss;
    const res = await send(`/link/${linkToken}`, 'POST', headersFor('/link/'), total, true);
    expect(res.status).toBe(413);
    expect(res.sent).toBeLessThan(total / 4);
    expect(process.memoryUsage().rss - before).toBeLessThan(100 * 1024 * 1024);
  }, 120_000);

  it('still accept a body within the limit on the hosted form', async () => {
    const res = await send(`/link/${linkToken}`, 'POST', headersFor('/link/'), 1024, false);
    // the body is read and checked (the CSRF token is missing), not refused for its size
    expect(res.status, res.body).toBe(403);
  });
});

describe('a client that trickles its request', () => {
  it('gets 408 and its connection closed after LATCHKEY_REQUEST_TIMEOUT_MS, instead of holding it for minutes', async () => {
    const slow = await startLiveApp({ env: { LATCHKEY_REQUEST_TIMEOUT_MS: '1000' } });
    try {
      const { port } = new URL(slow.url);
      const socket = connect(Number(port), '127.0.0.1');
      socket.write(
        `POST /api/v3.1/auth_configs HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: ${slow.apiKey}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n`,
      );
      // a byte every 100 ms: always active, never done (the whole body would take 10,000 s)
      const trickle = setInterval(() => socket.write('x'), 100);
      socket.on('error', () => undefined); // writes racing the server's close
      let answer = '';
      socket.on('data', (d: Buffer) => (answer += d.toString()));
      await new Promise<void>((resolve) => socket.on('close', () => resolve()));
      clearInterval(trickle);
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await slow.close();
    }
  }, 20_000);
});
