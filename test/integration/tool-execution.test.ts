import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeProxy, executeTool, ToolInputError } from '../../src/execution/execute.ts';
import { undiciExchange } from '../../src/execution/undici-exchange.ts';
import { bindConnection, NO_AUTH_CONNECTION } from '../../src/schemes/registry.ts';

// the fixtures listen on loopback
const LOOPBACK_ALLOWED = { allowPrivate: false, allowLoopback: true };
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { makeTempDir } from '../helpers/temp-dir.ts';

/** An operator's toolkit, written the way an operator would, pointing at a local API. */
function operatorToolkit(baseUrl: string) {
  const tool = (slug: string, method: string, path: string, properties: Record<string, unknown> = {}, required: string[] = []) => ({
    slug,
    name: slug.toLowerCase(),
    description: `Test tool ${slug} for the local API, used by the engine tests.`,
    tags: [method === 'GET' ? 'readOnlyHint' : 'createHint', 'openWorldHint'],
    input_parameters: { type: 'object', properties, required, additionalProperties: false },
    request: { method, path },
    source: { docs: 'https://docs.example.com/api' },
  });
  return {
    slug: 'localapi',
    name: 'Local API',
    description: 'An API on loopback',
    base_url: `${baseUrl}/v1`,
    response: { success_field: 'ok', error_field: 'error' },
    auth_schemes: [{ mode: 'NO_AUTH' }],
    tools: [
      tool(
        'LOCALAPI_GET_ITEM',
        'GET',
        '/items/{id}',
        { id: { type: 'integer', minimum: 1, description: 'id' }, expand: { type: 'boolean', description: 'expand' } },
        ['id'],
      ),
      tool(
        'LOCALAPI_CREATE_ITEM',
        'POST',
        '/items',
        {
          title: { type: 'string', maxLength: 50, description: 'title' },
          labels: { type: 'array', items: { type: 'string' }, description: 'labels' },
        },
        ['title'],
      ),
      tool('LOCALAPI_SLOW', 'GET', '/slow'),
      tool('LOCALAPI_BROKEN', 'GET', '/broken'),
      tool('LOCALAPI_AWAY', 'GET', '/away'),
      tool('LOCALAPI_MOVED', 'GET', '/moved'),
      tool('LOCALAPI_HUGE', 'GET', '/huge'),
      tool('LOCALAPI_DENIED', 'GET', '/denied'),
      tool('LOCALAPI_SOFT_FAIL', 'GET', '/soft-fail'),
      tool('LOCALAPI_LIST', 'GET', '/list'),
    ],
  };
}

let upstream: FakeUpstream;
let elsewhere: FakeUpstream;
let t: TestApp;
const dir = makeTempDir();

beforeAll(async () => {
  upstream = await startFakeUpstream();
  elsewhere = await startFakeUpstream();
  upstream.on('/v1/items/', (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, id: Number(req.url.split('/')[3]!.split('?')[0]), query: req.url.split('?')[1] ?? '' }));
  });
  upstream.on('/v1/slow', (_req, res) => void setTimeout(() => res.end('{}'), 2000));
  upstream.on('/v1/broken', (_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: 'maintenance window' }));
  });
  upstream.on('/v1/away', (_req, res) => {
    res.writeHead(302, { location: `${elsewhere.url}/steal` });
    res.end();
  });
  upstream.on('/v1/moved', (_req, res) => {
    res.writeHead(301, { location: '/v1/items/7' });
    res.end();
  });
  upstream.on('/v1/huge', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, blob: 'x'.repeat(10_000) }));
  });
  upstream.on('/v1/denied', (_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end('{"error":"token expired"}');
  });
  upstream.on('/v1/soft-fail', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":false,"error":"channel_not_found"}');
  });
  upstream.on('/v1/list', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('[1,2,3]');
  });
  const toolkits = `${dir.path}/toolkits`;
  mkdirSync(toolkits);
  writeFileSync(`${toolkits}/localapi.json`, JSON.stringify(operatorToolkit(upstream.url), null, 2));
  t = await createTestApp({
    env: {
      LATCHKEY_TOOLKITS_DIR: toolkits,
      LATCHKEY_TOOL_TIMEOUT_MS: '300',
      LATCHKEY_MAX_RESPONSE_BYTES: '4096',
      LATCHKEY_ALLOW_INSECURE_LOOPBACK: 'true',
    },
  });
});
afterAll(async () => {
  await t.close();
  await upstream.close();
  await elsewhere.close();
  dir.cleanup();
});

const execute = (slug: string, body: unknown, prefix = '/api/v3.1') =>
  t.call(`${prefix}/tools/execute/${slug}`, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });

describe('running tools over REST', () => {
  it("runs an operator's loopback toolkit tool, on both API generations", async () => {
    for (const prefix of ['/api/v3', '/api/v3.1']) {
      const res = await execute('LOCALAPI_GET_ITEM', { user_id: 'u1', arguments: { id: 42, expand: true } }, prefix);
      expect(res.status).toBe(200);
      const body = (await res.json()) as any;
      expect(body).toMatchObject({ successful: true, error: null, data: { ok: true, id: 42, query: 'expand=true' } });
    }
    // what a provider's executeToolCall sends when the app chose no account: "" counts as absent
    const unchosen = await execute('LOCALAPI_GET_ITEM', { user_id: 'u1', connected_account_id: '', entity_id: '', arguments: { id: 7 } });
    expect(unchosen.status).toBe(200);
    expect(((await unchosen.json()) as any).data).toMatchObject({ ok: true, id: 7 });
    const created = (await (await execute('LOCALAPI_CREATE_ITEM', { arguments: { title: 'hello', labels: ['a', 'b'] } })).json()) as any;
    expect(created.successful).toBe(true);
    const last = upstream.requests.at(-1)!;
    expect(last.method).toBe('POST');
    expect(JSON.parse(last.body)).toEqual({ title: 'hello', labels: ['a', 'b'] });
  });

  it('answers 400 naming the field for bad arguments, and sends nothing upstream', async () => {
    const before = upstream.requests.length;
    const cases: Array<[unknown, RegExp]> = [
      [{ id: 'seven' }, /arguments\.id/],
      [{}, /arguments\.id/],
      [{ id: 1, extra: true }, /arguments/],
    ];
    for (const [args, field] of cases) {
      const res = await execute('LOCALAPI_GET_ITEM', { arguments: args });
      expect(res.status).toBe(400);
      const body = (await res.json()) as any;
      expect(body.error.slug).toBe('Tool_InvalidArguments');
      expect(body.error.errors.map((e: any) => e.field).join(',')).toMatch(field);
    }
    const tooLong = (await (await execute('LOCALAPI_CREATE_ITEM', { arguments: { title: 'x'.repeat(51) } })).json()) as any;
    expect(tooLong.error.errors[0].field).toBe('arguments.title');
    expect(upstream.requests.length).toBe(before);
  });

  it('answers 4xx, never 500, for malformed JSON, a wrong content type and wrong body shapes', async () => {
    const raw = (body: string, type = 'application/json') =>
      t.call('/api/v3/tools/execute/LOCALAPI_GET_ITEM', { method: 'POST', body, headers: { 'content-type': type } });
    const malformed = await raw('{"arguments": {"id": 1');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as any).error.slug).toBe('HTTP_InvalidJson');
    expect((await raw('id=1', 'application/x-www-form-urlencoded')).status).toBe(415);
    for (const body of ['[]', '"text"', '{"arguments": [1,2]}', '{"user_id": 5}', 'null']) {
      const res = await raw(body);
      expect(res.status, body).toBe(400);
      expect(((await res.json()) as any).error.status).toBe(400);
    }
  });

  it('turns every upstream failure into a clean error result', async () => {
    const result = async (slug: string) => (await (await execute(slug, { arguments: {} })).json()) as any;
    const slow = await result('LOCALAPI_SLOW');
    expect(slow).toMatchObject({ successful: false, data: { failure: 'timeout' } });
    expect(slow.error).toMatch(/did not answer within 300 ms/);

    const broken = await result('LOCALAPI_BROKEN');
    expect(broken).toMatchObject({ successful: false, data: { status_code: 503, body: { message: 'maintenance window' } } });
    expect(broken.error).toMatch(/HTTP 503.*maintenance window/);

    const away = await result('LOCALAPI_AWAY');
    expect(away).toMatchObject({ successful: false, data: { failure: 'redirect_refused' } });
    expect(elsewhere.requests.length).toBe(0);

    expect(await result('LOCALAPI_MOVED')).toMatchObject({ successful: true, data: { id: 7 } });

    const huge = await result('LOCALAPI_HUGE');
    expect(huge).toMatchObject({ successful: false, data: { failure: 'too_large' } });

    const soft = await result('LOCALAPI_SOFT_FAIL');
    expect(soft).toMatchObject({ successful: false, error: 'Local API reported an error: channel_not_found' });

    expect(await result('LOCALAPI_LIST')).toMatchObject({ successful: true, data: { result: [1, 2, 3] } });
  });

  it('flags an upstream 401 so the caller can refresh and retry', async () => {
    const entry = t.deps.catalogue.tool('LOCALAPI_DENIED')!;
    const result = await executeTool(entry, {}, NO_AUTH_CONNECTION, {
      exchange: undiciExchange(LOOPBACK_ALLOWED),
      timeoutMs: 1000,
      maxResponseBytes: 4096,
      allowHttpLoopback: true,
    });
    expect(result).toMatchObject({ successful: false, upstreamStatus: 401, upstreamUnauthorized: true });
  });

  it('answers 404 for an unknown tool and a clear error when the toolkit needs an account', async () => {
    const unknown = await execute('NOPE_NOTHING', { arguments: {} });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as any).error.slug).toBe('Tool_NotFound');
    const noAccount = await execute('GITHUB_GET_THE_AUTHENTICATED_USER', { user_id: 'alice', arguments: {} });
    expect(noAccount.status).toBe(400);
    const body = (await noAccount.json()) as any;
    expect(body.error.slug).toBe('ConnectedAccount_NoActiveConnection');
    expect(body.error.message).toMatch(/alice.*GitHub/);
    const missing = await execute('GITHUB_GET_THE_AUTHENTICATED_USER', { connected_account_id: 'ca_nope', arguments: {} });
    expect(missing.status).toBe(404);
  });
});

describe('secrets in upstream answers and raw proxy calls', () => {
  const toolkit = () => t.deps.catalogue.toolkit('github')!;
  const connection = bindConnection({
    mode: 'BEARER_TOKEN' as const,
    credentials: { token: 'ghp_supersecretvalue123' },
    connectionData: {},
  });

  it('masks the credential if an upstream echoes it back', async () => {
    const echo = await startFakeUpstream();
    echo.on('/', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ you_sent: req.headers.authorization }));
    });
    const entry = { ...t.deps.catalogue.tool('GITHUB_GET_THE_AUTHENTICATED_USER')!, toolkit: { ...toolkit(), base_url: echo.url } };
    const result = await executeTool(entry, {}, connection, {
      exchange: undiciExchange(LOOPBACK_ALLOWED),
      timeoutMs: 1000,
      maxResponseBytes: 4096,
      allowHttpLoopback: true,
    });
    await echo.close();
    expect(result.successful).toBe(true);
    expect(JSON.stringify(result)).not.toContain('ghp_supersecretvalue123');
    expect(result.data.you_sent).toBe('Bearer ••••e123');
  });

  it('proxies a raw call with the credential injected, only to the toolkit origin', async () => {
    const api = await startFakeUpstream();
    const kit = { ...toolkit(), base_url: api.url };
    const options = { exchange: undiciExchange(LOOPBACK_ALLOWED), timeoutMs: 1000, maxResponseBytes: 4096, allowHttpLoopback: true };
    const ok = await executeProxy(
      kit,
      { endpoint: '/repos/o/r/issues', method: 'POST', body: { title: 'x' }, parameters: [{ name: 'per_page', type: 'query', value: 5 }] },
      connection,
      options,
    );
    expect(ok.successful).toBe(true);
    const received = api.requests[0]!;
    expect(received.url).toBe('/repos/o/r/issues?per_page=5');
    expect(received.headers.authorization).toBe('Bearer ghp_supersecretvalue123');
    expect(JSON.parse(received.body)).toEqual({ title: 'x' });
    const foreign = await executeProxy(kit, { endpoint: `${elsewhere.url}/steal`, method: 'GET' }, connection, options);
    expect(foreign.successful).toBe(false);
    expect(foreign.error).toMatch(/must be on/);
    expect(elsewhere.requests.length).toBe(0);
    await api.close();
  });

  it("refuses a proxied header that is latchkey's to set (the credential, Host, framing), in any case, before sending", async () => {
    const api = await startFakeUpstream();
    const kit = { ...toolkit(), base_url: api.url };
    const options = { exchange: undiciExchange(LOOPBACK_ALLOWED), timeoutMs: 1000, maxResponseBytes: 4096, allowHttpLoopback: true };
    for (const name of ['authorization', 'AUTHORIZATION', 'Proxy-Authorization', 'Host', 'content-length', 'Transfer-Encoding']) {
      const parameters = [
        { name: 'x-trace', type: 'header' as const, value: '1' },
        { name, type: 'header' as const, value: name === 'Host' ? 'elsewhere.example' : 'Bearer mine' },
      ];
      const refused = await executeProxy(kit, { endpoint: '/user', method: 'GET', parameters }, connection, options).catch((e) => e);
      expect(refused, name).toBeInstanceOf(ToolInputError);
      expect(refused.errors).toEqual([
        { field: 'parameters.1.name', message: expect.stringContaining(`${name} is a header latchkey sets itself`) },
      ]);
    }
    // a query parameter of that name is the API's business, not a header
    const query = await executeProxy(
      kit,
      { endpoint: '/user', method: 'GET', parameters: [{ name: 'authorization', type: 'query', value: 'x' }] },
      connection,
      options,
    );
    expect(query.successful).toBe(true);
    expect(api.requests.map((r) => r.url)).toEqual(['/user?authorization=x']);
    await api.close();
  });
});
